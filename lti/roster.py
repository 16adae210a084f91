"""Names and Roles Provisioning Services: the platform's roster, brought into the course
through the roster import (courses.services.roster), so a sync means exactly what a
re-import with --drop-missing means: adds, name and role changes, absent members dropped."""

import csv
import io
import logging

from django.db import transaction
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from requests import RequestException

from courses.services.roster import RosterError, RosterResult, roster_import
from lti.client import connector
from lti.launch import seminar_role
from lti.models import ContextLink, PlatformUser

log = logging.getLogger(__name__)


class RosterSyncError(Exception):
    """The sync did not happen (platform down, no service, nothing to enrol): nothing changed."""


def members_fetch(link: ContextLink) -> list[dict]:
    """Every member of the platform's course, following rel=next pages."""
    if not link.memberships_url:
        raise RosterSyncError(
            "The LMS did not offer Names and Roles for this course (no memberships URL): "
            "launch Seminar from it once, or turn the service on in the LMS."
        )
    service = NamesRolesProvisioningService(
        connector(link.platform), {"context_memberships_url": link.memberships_url}
    )
    try:
        return service.get_members()
    except (LtiException, RequestException, ValueError, KeyError) as exc:
        log.warning("NRPS for %s failed: %s", link, exc)
        raise RosterSyncError(
            f"{link.platform.name} did not answer the roster request ({_short(exc)}); nothing changed."
        ) from None


def _short(exc) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def roster_sync(*, link: ContextLink) -> RosterResult:
    """Bring ``link.course``'s roster in line with the platform's members (all pages read
    first, then one transaction). Members Seminar cannot enrol (a role it has no place for,
    no email and never launched) are listed in ``result.skipped``."""
    members = members_fetch(link)
    known = {
        identity.sub: identity.user
        for identity in PlatformUser.objects.filter(platform=link.platform).select_related("user")
    }
    rows, skipped, subs_by_email = [], [], {}
    for member in members:
        if not isinstance(member, dict) or member.get("status", "Active") != "Active":
            continue  # inactive or deleted: absent, so dropped
        sub = str(member.get("user_id") or "")
        role = seminar_role(member.get("roles") or [])
        user = known.get(sub)
        email = user.email.lower() if user else str(member.get("email") or "").strip().lower()
        if role is None:
            skipped.append(
                f"skipped: {email or sub} (roles {', '.join(member.get('roles') or [])})"
            )
            continue
        if not email:
            skipped.append(f"skipped: LMS user {sub} (the LMS shares no email; launch once)")
            continue
        rows.append([email, str(member.get("name") or "")[:150], role])
        subs_by_email[email] = sub
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "role"])
    writer.writerows(rows)
    with transaction.atomic():
        try:
            result = roster_import(course=link.course, text=out.getvalue(), drop_missing=True)
        except RosterError as exc:
            raise RosterSyncError(f"The LMS roster was refused: {exc}; nothing changed.") from None
        _link_identities(link, subs_by_email, known)
    result.skipped = skipped  # not changes: a second sync that changes nothing says so
    return result


def _link_identities(link, subs_by_email: dict, known: dict) -> None:
    """Remember the platform user id of each person the roster brought in, so their first
    launch matches them (and grades can be sent to them) without relying on email."""
    from django.contrib.auth import get_user_model

    linked_users = {user.pk for user in known.values()}
    new = {email: sub for email, sub in subs_by_email.items() if sub and sub not in known}
    users = get_user_model().objects.filter(email__in=list(new))
    PlatformUser.objects.bulk_create(
        [
            PlatformUser(platform=link.platform, sub=new[user.email.lower()], user=user)
            for user in users
            if user.pk not in linked_users
        ],
        ignore_conflicts=True,
    )

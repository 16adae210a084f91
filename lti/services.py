"""What a valid launch does: find (or make) the person, enrol them, link the context."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import Course, Membership
from courses.services.roster import admin_access_sync
from lti.launch import Launch
from lti.models import ContextLink, PlatformUser


class LaunchRefused(Exception):
    """A valid launch Seminar will not act on (an email that belongs to another account, a
    role it has no place for, a course not linked yet); the message is for the person."""

    def __init__(self, message: str, *, title: str = "Seminar cannot open this course"):
        self.title = title
        super().__init__(message)


def launch_user(*, launch: Launch, signed_in=None):
    """The Seminar user of this launch: the one linked to its platform user id, else the
    account with its email (when the platform's emails are verified, or that account is the
    one signed in), else a new account. An email another account holds is never merged into
    a different one: refused with LaunchRefused."""
    User = get_user_model()
    platform = launch.platform
    with transaction.atomic():
        link = (
            PlatformUser.objects.select_related("user")
            .filter(platform=platform, sub=launch.sub)
            .first()
        )
        if link is not None:
            user = link.user
            if launch.email and launch.email != user.email.lower():
                other = User.objects.filter(email__iexact=launch.email).exclude(pk=user.pk)
                if other.exists():
                    raise LaunchRefused(
                        f"{platform.name} gives your email as {launch.email}, which belongs "
                        "to another Seminar account. Ask the course staff to sort the two "
                        "accounts out; Seminar never merges them on its own."
                    )
            _take_name(user, launch.name)
            _check_active(user)
            return user
        if not launch.email:
            raise LaunchRefused(
                f"{platform.name} did not send your email address, and Seminar does not know "
                "you yet. Ask your LMS administrator to share email addresses with Seminar."
            )
        user = User.objects.filter(email__iexact=launch.email).first()
        if user is not None:
            taken = PlatformUser.objects.filter(platform=platform, user=user).exists()
            if taken or not (platform.trust_email or signed_in == user):
                raise LaunchRefused(
                    f"A Seminar account with the email {launch.email} already exists and is "
                    f"not linked to your {platform.name} account. Sign in to Seminar with "
                    "that account (password or campus sign-in) and launch again to link "
                    "them; Seminar never merges accounts on its own."
                )
        else:
            user = User.objects.create_user(email=launch.email, name=launch.name)
            user.set_unusable_password()
            user.save(update_fields=["password"])
        try:
            with transaction.atomic():
                PlatformUser.objects.create(platform=platform, sub=launch.sub, user=user)
        except IntegrityError:  # the same person launching twice at once
            pass
        _take_name(user, launch.name)
        _check_active(user)
        return user


def _check_active(user) -> None:
    if not user.is_active:
        raise LaunchRefused(
            "Your Seminar account is switched off. Ask the course staff to switch it on."
        )


def _take_name(user, name: str) -> None:
    if name and not user.name:
        user.name = name
        user.save(update_fields=["name"])


def enrol(*, course: Course, user, role: str) -> Membership:
    """Give ``user`` the ``role`` in ``course`` (restoring a dropped membership), as a
    roster import would; admin access follows a staff role."""
    with transaction.atomic():
        membership = (
            Membership.all_objects.select_for_update().filter(course=course, user=user).first()
        )
        if membership is None:
            membership = Membership.objects.create(course=course, user=user, role=role)
            was_staff = False
        else:
            was_staff = membership.is_staff
            fields = []
            if membership.role != role:
                membership.role = role
                fields.append("role")
            if membership.dropped_at is not None:
                membership.dropped_at = None
                fields.append("dropped_at")
            if fields:
                membership.save(update_fields=fields)
        if membership.is_staff != was_staff:
            admin_access_sync(users=[user])
    return membership


def context_link_for(launch: Launch) -> ContextLink | None:
    """The link of the launch's context, its service URLs brought up to date."""
    link = (
        ContextLink.objects.select_related("course")
        .filter(platform=launch.platform, context_id=launch.context_id)
        .first()
    )
    if link is not None:
        _take_services(link, launch.services, launch.context.get("title"))
    return link


def _take_services(link, services: dict, title) -> None:
    changed = [name for name, value in services.items() if value and getattr(link, name) != value]
    for name in changed:
        setattr(link, name, services[name])
    if title and link.context_title != str(title)[:255]:
        link.context_title = str(title)[:255]
        changed.append("context_title")
    if changed:
        link.save(update_fields=changed)


def context_link_create(*, pending: dict, course: Course, user) -> ContextLink:
    """Link the pending launch's context to ``course``; ``user`` must be staff of it."""
    if not Course.objects.for_staff(user).filter(pk=course.pk).exists():
        raise LaunchRefused("Only the course's staff can link it.")
    with transaction.atomic():
        link, created = ContextLink.objects.get_or_create(
            platform_id=pending["platform"],
            context_id=pending["context_id"],
            defaults={
                "deployment_id": pending["deployment"],
                "course": course,
                "context_title": pending.get("context_title", "")[:255],
                "linked_by": user,
                "linked_at": timezone.now(),
                **pending["services"],
            },
        )
    if not created and link.course_id != course.pk:
        raise LaunchRefused(
            f"This LMS course is already linked to {link.course.code}.", title="Already linked"
        )
    return link

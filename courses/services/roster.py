"""Roster import: CSV with columns email, name, student_id."""

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from courses.models import STAFF_ROLES, Course, Membership, Role

REQUIRED_COLUMNS = ("email",)
KNOWN_COLUMNS = ("email", "name", "student_id", "role", "section")


class RosterError(Exception):
    """The roster file was refused; ``problems`` lists each bad line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolled: int = 0
    dropped: int = 0
    emails: list[str] = field(default_factory=list)
    # One line per member whose record changed, e.g. "ta@x: role ta -> student".
    changes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.changes:
            return f"nothing changed ({self.unchanged} unchanged)"
        text = (
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.enrolled} newly enrolled"
        )
        return text + (f"; {self.dropped} dropped" if self.dropped else "")


def _parse(text: str) -> tuple[list[tuple[int, dict]], set[str]]:
    """The rows (line number, cells by column) and the set of column names."""
    if text.startswith("\ufeff"):  # Excel's UTF-8 byte order mark
        text = text[1:]
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if reader.fieldnames is None:
        raise RosterError(["The file is empty."])
    header = [(name or "").strip().lower().replace(" ", "_") for name in reader.fieldnames]
    missing = [col for col in REQUIRED_COLUMNS if col not in header]
    if missing:
        raise RosterError(
            [f"line 1: missing column(s) {', '.join(missing)}; expected email, name, student_id"]
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
    return rows, set(header)


def roster_import(*, course: Course, text: str, drop_missing: bool = False) -> RosterResult:
    """Create or update the people in ``text`` and enrol them in ``course``.

    People are matched by email, case-insensitive, and never duplicated. Re-importing
    updates a member's name and student id (a blank cell keeps what is there), role
    (a blank or missing role is student: a TA listed as a student loses staff access)
    and section (where the file has that column), and restores a dropped member.
    With ``drop_missing``, members absent from the file are marked dropped: their work
    stays, their access ends. A file without a role column lists students, so it drops
    absent students only and leaves the staff alone. Re-running with the same file
    changes nothing. Any bad row refuses the whole file: nothing is half-applied.
    """
    rows, header = _parse(text)
    emails = _check_rows(rows)
    User = get_user_model()
    result = RosterResult()
    staff_changed: list = []  # people whose staff role here began or ended: admin access follows
    with transaction.atomic():
        existing = {
            u.email.lower(): u for u in User.objects.filter(email__in=emails).select_for_update()
        }
        members = {
            m.user_id: m
            for m in Membership.all_objects.filter(course=course)
            .select_related("user")
            .select_for_update(of=("self",))
        }
        for _line, row in rows:
            _apply_row(course, row, header, existing, members, result, staff_changed)
        if drop_missing:
            dropped = _drop(members.values(), students_only="role" not in header)
            result.dropped = len(dropped)
            result.changes += [f"dropped: {m.user.email}" for m in dropped]
            staff_changed += [m.user for m in dropped if m.role in STAFF_ROLES]
        admin_access_sync(users=staff_changed)
    return result


def _check_rows(rows) -> list[str]:
    """The file's emails, once every row is valid; else RosterError naming each bad line."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    valid_roles = {choice.value for choice in Role}
    for line, row in rows:
        email = row.get("email", "").lower()
        if not email:
            problems.append(f"line {line}: missing email")
            continue
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"line {line}: {email!r} is not a valid email address")
            continue
        if email in seen:
            problems.append(f"line {line}: {email} already appears on line {seen[email]}")
            continue
        seen[email] = line
        role = row.get("role", "").lower() or Role.STUDENT
        if role not in valid_roles:
            problems.append(
                f"line {line}: role {role!r} is not one of {', '.join(sorted(valid_roles))}"
            )
    if not rows:
        problems.append("The file has a header but no rows.")
    if problems:
        raise RosterError(problems)
    return list(seen)


def _apply_row(course, row, header, existing, members, result, staff_changed) -> None:
    """Create or update one person and their membership (``members`` loses the ones seen,
    so what is left is absent from the file)."""
    email = row["email"].lower()
    name, student_id = row.get("name", ""), row.get("student_id", "")
    role = row.get("role", "").lower() or Role.STUDENT
    section = row.get("section", "") if "section" in header else None
    user = existing.get(email)
    changes = []
    if user is None:
        user = get_user_model().objects.create_user(email=email, name=name, student_id=student_id)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        result.created += 1
    else:
        changes += _update_person(user, name=name, student_id=student_id)
    membership = members.pop(user.pk, None)
    if membership is None:
        membership = Membership.objects.create(
            user=user, course=course, role=role, section=section or ""
        )
        result.enrolled += 1
        result.changes.append(f"enrolled: {email} ({membership.get_role_display()})")
        if membership.is_staff:
            staff_changed.append(user)
    else:
        was_staff = membership.is_staff
        changes += _update_membership(membership, role=role, section=section)
        if membership.is_staff != was_staff:
            staff_changed.append(user)
        if not changes:
            result.unchanged += 1
    if changes:
        result.updated += 1
        result.changes.append(f"{email}: {', '.join(changes)}")
    result.emails.append(email)


def _update_person(user, *, name: str, student_id: str) -> list[str]:
    """Take the row's name and student id (a blank cell keeps what is there)."""
    changes = []
    if name and user.name != name:
        changes.append(f"name {user.name or '(none)'} -> {name}")
        user.name = name
    if student_id and user.student_id != student_id:
        changes.append(f"student id {user.student_id or '(none)'} -> {student_id}")
        user.student_id = student_id
    if changes:
        user.save(update_fields=["name", "student_id"])
    return changes


def _update_membership(membership: Membership, *, role: str, section: str | None) -> list[str]:
    """Bring one membership in line with its row (``section`` None: the file has no
    section column); returns what changed, in words."""
    changes, fields = [], []
    if membership.dropped_at is not None:
        membership.dropped_at = None
        changes.append("rejoined")
        fields.append("dropped_at")
    if membership.role != role:
        changes.append(f"role {membership.role} -> {role}")
        membership.role = role
        fields.append("role")
    if section is not None and membership.section != section:
        changes.append(f"section {membership.section or '(none)'} -> {section or '(none)'}")
        membership.section = section
        fields.append("section")
    if fields:
        membership.save(update_fields=fields)
    return changes


def _drop(absent, *, students_only: bool) -> list[Membership]:
    """Mark the members absent from the file dropped; returns those newly dropped."""
    now = timezone.now()
    dropped = []
    for membership in sorted(absent, key=lambda m: m.user.email):
        if membership.dropped_at is not None:
            continue
        if students_only and membership.role != Role.STUDENT:
            continue  # a list of students says nothing about the staff
        membership.dropped_at = now
        membership.save(update_fields=["dropped_at"])
        dropped.append(membership)
    return dropped


def admin_access_sync(*, users) -> None:
    """Admin access (``User.is_staff``) follows course staff roles: given to whoever is
    instructor or TA of a course, taken from whoever is no longer staff of any (a
    superuser keeps theirs). Call it with the people whose staff role just began or
    ended (two queries)."""
    ids = {user.pk for user in users}
    if not ids:
        return
    staff = set(
        Membership.objects.staff().filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    User = get_user_model()
    User.objects.filter(pk__in=staff, is_staff=False).update(is_staff=True)
    User.objects.filter(pk__in=ids - staff, is_staff=True, is_superuser=False).update(
        is_staff=False
    )

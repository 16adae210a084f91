"""Roster import: CSV with columns email, name, student_id."""

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from courses.models import Course, Membership, Role

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
    emails: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.enrolled} newly enrolled"
        )


def _parse(text: str) -> list[tuple[int, dict]]:
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
    return rows


def roster_import(*, course: Course, text: str) -> RosterResult:
    """Create or update the people in ``text`` and enrol them in ``course``.

    Re-running with the same file changes nothing; a changed name or student id
    is updated, never duplicated (people are matched by email, case-insensitive).
    Any bad row refuses the whole file: nothing is half-applied.
    """
    rows = _parse(text)
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

    User = get_user_model()
    result = RosterResult()
    with transaction.atomic():
        existing = {
            u.email.lower(): u
            for u in User.objects.filter(email__in=list(seen)).select_for_update()
        }
        members = set(
            Membership.objects.filter(course=course, user__in=existing.values()).values_list(
                "user_id", flat=True
            )
        )
        for _line, row in rows:
            email = row["email"].lower()
            name, student_id = row.get("name", ""), row.get("student_id", "")
            role = row.get("role", "").lower() or Role.STUDENT
            user = existing.get(email)
            if user is None:
                user = User.objects.create_user(email=email, name=name, student_id=student_id)
                user.set_unusable_password()
                user.save(update_fields=["password"])
                result.created += 1
            elif (name and user.name != name) or (student_id and user.student_id != student_id):
                user.name = name or user.name
                user.student_id = student_id or user.student_id
                user.save(update_fields=["name", "student_id"])
                result.updated += 1
            else:
                result.unchanged += 1
            if user.pk not in members:
                Membership.objects.create(
                    user=user, course=course, role=role, section=row.get("section", "")
                )
                result.enrolled += 1
            if role != Role.STUDENT and not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            result.emails.append(email)
    return result

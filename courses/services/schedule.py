"""Schedule workflows: cloning a course to a new term and building the demo course.

Both work on the course file's data (courses.coursefile), so everything a
course file holds, including sections other apps register, is copied and
date-shifted the same way. A shift keeps weekdays, not holidays: a session
named for a holiday that no longer falls near its new date is flagged (and
renamed in the demo).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays as public_holidays
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from courses.coursefile import (
    ImportResult,
    export_data,
    format_instant,
    import_data,
    parse,
    shift_dates,
)
from courses.models import Course, Membership, Reading, Role, Session, SessionKind


class ScheduleError(Exception):
    """A schedule workflow that cannot go ahead; the message is for the user."""


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def first_session_date(data: dict) -> date:
    dates = [_as_date(row["date"]) for row in data.get("sessions") or [] if isinstance(row, dict)]
    if not dates:
        raise ScheduleError("The course has no sessions to line up.")
    return min(dates)


# ---------------------------------------------------------------- holidays

# A holiday session "fits" when the holiday it names is this close to its date
# (observed days, a class the day before a mid-week holiday).
HOLIDAY_SLACK = timedelta(days=3)
_NOT_A_NAME = {"day", "observed", "national"}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower().replace("'", "")))


def named_holiday_dates(text: str, near: date) -> list[date]:
    """Dates, within a year of ``near``, of the US federal holidays that ``text``
    names ("No class: Veterans Day", "Skipped for Thanksgiving"); [] if it names none."""
    words = _words(text)
    calendar = public_holidays.US(years=range(near.year - 1, near.year + 2))
    return sorted(
        day
        for day, name in calendar.items()
        if (name_words := _words(name) - _NOT_A_NAME) and name_words <= words
    )


@dataclass(frozen=True)
class HolidayMisfit:
    """A holiday session whose shifted date is far from the holiday it names."""

    label: str
    was: date
    now: date

    def describe(self, verdict: str = "check it") -> str:
        return f"{self.label} was {self.was:%a %Y-%m-%d}; now {self.now:%a %Y-%m-%d}: {verdict}"


def misplaced_holidays(data: dict, days: int) -> list[tuple[dict, HolidayMisfit]]:
    """Holiday rows of shifted course-file ``data`` (moved by ``days``) that name a
    holiday no longer within HOLIDAY_SLACK of their date. Names the library does not
    know ("Fall Break") are not judged."""
    found = []
    for row in data.get("sessions") or []:
        if not isinstance(row, dict) or row.get("kind") != SessionKind.HOLIDAY:
            continue
        now = _as_date(row["date"])
        text = f"{row.get('title') or ''} {row.get('notes') or ''}"
        named = named_holiday_dates(text, now)
        if named and all(abs(day - now) > HOLIDAY_SLACK for day in named):
            label = row.get("title") or row.get("notes")
            found.append((row, HolidayMisfit(label, now - timedelta(days=days), now)))
    return found


def weekday_aligned_shift(first: date, first_day: date) -> int:
    """Days to add so that ``first`` lands on the first day on or after
    ``first_day`` with the same weekday (so every session keeps its weekday)."""
    target = first_day + timedelta(days=(first.weekday() - first_day.weekday()) % 7)
    return (target - first).days


@dataclass
class CloneResult:
    course: Course
    shift_days: int
    holidays: list[Session]
    misplaced_holidays: list[HolidayMisfit] = field(default_factory=list)


def clone_course(*, source: Course, new_code: str, first_day: date) -> CloneResult:
    """Copy ``source`` to a new course ``new_code`` whose first session falls on
    the first day on or after ``first_day`` with the same weekday.

    Copies settings, sessions, papers, readings and every registered section;
    never students, claims, reviews or teams (the course file holds none).
    """
    if Course.objects.filter(code=new_code).exists():
        raise ScheduleError(f"A course with code {new_code} exists already.")
    data = export_data(source)
    days = weekday_aligned_shift(first_session_date(data), first_day)
    data = shift_dates(data, days)
    data["course"]["code"] = new_code
    misfits = [misfit for _, misfit in misplaced_holidays(data, days)]
    with transaction.atomic():
        result = import_data(data)
    holidays = list(result.course.sessions.filter(kind=SessionKind.HOLIDAY))
    return CloneResult(
        course=result.course, shift_days=days, holidays=holidays, misplaced_holidays=misfits
    )


# ---------------------------------------------------------------- demo

DEMO_CODE = "ecs289d-f25"
DEMO_FILE = Path(settings.BASE_DIR) / "examples" / "ecs289d-f25.yaml"
DEMO_PASSWORD = "seminar-demo"  # noqa: S105 (a published demo password, not a secret)
DEMO_INSTRUCTOR = ("instructor@example.edu", "Yang Zhou (demo instructor)")
DEMO_STUDENT_NAMES = [
    "Ada Lovelace",
    "Alan Turing",
    "Barbara Liskov",
    "Butler Lampson",
    "Edsger Dijkstra",
    "Frances Allen",
    "Grace Hopper",
    "Jim Gray",
    "John Ousterhout",
    "Ken Thompson",
    "Leslie Lamport",
    "Margaret Hamilton",
    "Radia Perlman",
    "Barbara Simons",
    "Dennis Ritchie",
    "Shafi Goldwasser",
    "Sophie Wilson",
    "Tony Hoare",
    "Vint Cerf",
    "Whitfield Diffie",
    "Niklaus Wirth",
    "Karen Sparck Jones",
    "Andrew Tanenbaum",
    "Adele Goldberg",
]


def demo_students() -> list[tuple[str, str]]:
    return [
        (f"student{i:02d}@example.edu", name) for i, name in enumerate(DEMO_STUDENT_NAMES, start=1)
    ]


DEMO_NO_CLASS = "No class"


def demo_sign_in() -> str:
    """How to sign in to the demo: the line `manage.py demo` ends with, every time
    (dev.py serve repeats it as the last line before the server's own)."""
    students = demo_students()
    return (
        f"Sign in as {DEMO_INSTRUCTOR[0]} (instructor) or {students[0][0]} … "
        f"{students[-1][0]} (students); password for all: {DEMO_PASSWORD}"
    )


def demo_data(
    *, now: datetime | None = None, as_seeded: bool = False
) -> tuple[dict, list[HolidayMisfit]]:
    """The demo course file's data, shifted so that ``now`` is in week 1, and the
    holidays the shift moved off their day.

    Whole weeks keep every weekday. A holiday session whose holiday no longer falls
    near its new date is shown as "No class" (a newcomer would otherwise find
    Veterans Day in January). The claim window is then widened so that it is open
    at ``now``: it opened a little before and stays open a few days.
    """
    data, _ = parse(DEMO_FILE.read_text())
    if as_seeded:
        return data, []
    now = now or timezone.now()
    course = data["course"]
    tz = Course(time_zone=course.get("time_zone") or "America/Los_Angeles").tz
    today = now.astimezone(tz).date()
    weeks = (monday_of(today) - monday_of(first_session_date(data))).days // 7
    data = shift_dates(data, weeks * 7)
    misfits = []
    for row, misfit in misplaced_holidays(data, weeks * 7):
        row["title"], row["notes"] = DEMO_NO_CLASS, ""
        misfits.append(misfit)
    claims = data["course"].get("claims")
    if claims:
        opens = datetime.fromisoformat(claims["opens"]).replace(tzinfo=tz)
        closes = datetime.fromisoformat(claims["closes"]).replace(tzinfo=tz)
        if opens > now:
            opens = (now - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        if closes < now + timedelta(days=3):
            closes = (
                (now + timedelta(days=4))
                .astimezone(tz)
                .replace(hour=23, minute=59, second=0, microsecond=0)
            )
        claims["opens"] = format_instant(opens, tz)
        claims["closes"] = format_instant(closes, tz)
    return data, misfits


@dataclass
class DemoResult:
    course: Course
    created: bool
    import_result: ImportResult | None = None
    renamed_holidays: list[HolidayMisfit] = field(default_factory=list)


def build_demo(*, reset: bool = False, as_seeded: bool = False, now=None) -> DemoResult:
    """Create the demo course and its people; a no-op (one query) when it exists."""
    existing = Course.objects.filter(code=DEMO_CODE).first()
    if existing and not reset:
        return DemoResult(course=existing, created=False)
    with transaction.atomic():
        if existing:
            purge_course(existing)
        data, misfits = demo_data(now=now, as_seeded=as_seeded)
        result = import_data(data)
        course = result.course
        _demo_people(course)
    return DemoResult(course=course, created=True, import_result=result, renamed_holidays=misfits)


def purge_course(course: Course) -> None:
    """Delete a course with all its work. Readings are protected against losing
    work (claims, reviews), so that work goes first, generically over every
    relation pointing at a reading; then the readings, then the course."""
    readings = Reading.objects.filter(course=course)
    for rel in Reading._meta.related_objects:
        if rel.one_to_many or rel.one_to_one:
            rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": readings}).delete()
    readings.delete()
    course.delete()


def _demo_people(course: Course) -> None:
    User = get_user_model()
    # One hash for everyone: 25 password hashes would make every fresh start slow.
    password = make_password(DEMO_PASSWORD)
    people = [(*DEMO_INSTRUCTOR, Role.INSTRUCTOR), *[(*s, Role.STUDENT) for s in demo_students()]]
    emails = [email for email, _, _ in people]
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    missing = [
        User(email=email, name=name, password=password, is_staff=role == Role.INSTRUCTOR)
        for email, name, role in people
        if email not in users
    ]
    for user in User.objects.bulk_create(missing):
        users[user.email] = user
    Membership.objects.bulk_create(
        [Membership(user=users[email], course=course, role=role) for email, _, role in people],
        ignore_conflicts=True,
    )

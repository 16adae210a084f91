"""Schedule workflows: cloning a course to a new term and building the demo course.

Both work on the course file's data (courses.coursefile), so everything a
course file holds, including sections other apps register, is copied and
date-shifted the same way.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

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


def first_session_date(data: dict) -> date:
    dates = [row["date"] for row in data.get("sessions") or [] if isinstance(row, dict)]
    dates = [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in dates]
    if not dates:
        raise ScheduleError("The course has no sessions to line up.")
    return min(dates)


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
    with transaction.atomic():
        result = import_data(data)
    holidays = list(result.course.sessions.filter(kind=SessionKind.HOLIDAY))
    return CloneResult(course=result.course, shift_days=days, holidays=holidays)


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


def demo_data(*, now: datetime | None = None, as_seeded: bool = False) -> dict:
    """The demo course file's data, shifted so that ``now`` is in week 1.

    Whole weeks keep every weekday. The claim window is then widened so that it
    is open at ``now``: it opened a little before and stays open a few days.
    """
    data, _ = parse(DEMO_FILE.read_text())
    if as_seeded:
        return data
    now = now or timezone.now()
    course = data["course"]
    tz = Course(time_zone=course.get("time_zone") or "America/Los_Angeles").tz
    today = now.astimezone(tz).date()
    weeks = (monday_of(today) - monday_of(first_session_date(data))).days // 7
    data = shift_dates(data, weeks * 7)
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
    return data


@dataclass
class DemoResult:
    course: Course
    created: bool
    import_result: ImportResult | None = None


def build_demo(*, reset: bool = False, as_seeded: bool = False, now=None) -> DemoResult:
    """Create the demo course and its people; a no-op (one query) when it exists."""
    existing = Course.objects.filter(code=DEMO_CODE).first()
    if existing and not reset:
        return DemoResult(course=existing, created=False)
    with transaction.atomic():
        if existing:
            purge_course(existing)
        result = import_data(demo_data(now=now, as_seeded=as_seeded))
        course = result.course
        _demo_people(course)
    return DemoResult(course=course, created=True, import_result=result)


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

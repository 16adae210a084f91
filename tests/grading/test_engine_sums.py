"""The gradebook page and the Canvas CSV add the reviews up in SQL (reviews.sums, through
``compute_gradebook(summed=True)``); every other page judges them item by item. Both must
give the same Decimal for every student and component, to the last digit.

The course is the gradebook benchmark's own (bench/gradebook.py's seed, smaller), with what
the benchmark leaves out added: extensions for a student and for a team (new due time and
N more days), a session's due-time override, a kind written by teams, kinds under "no
credit" and "accept", reviews saved exactly at the due instant and a microsecond after, one
day and one microsecond late, and a kind for the presented readings (judged item by item
inside the summed path). It is graded at several instants of the term."""

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from bench import gradebook as bench
from grading.engine import compute_gradebook
from grading.models import ComponentSource
from reviews.models import DueOverride, Extension, LatePolicy, ReadingScope, Review, WrittenBy
from reviews.plan import ReviewPlan
from teams.models import TeamMember
from tests import factories as f

pytestmark = pytest.mark.django_db

SUMS = (
    "earned",
    "counted_possible",
    "total_possible",
    "open_possible",
    "missing_count",
    "ungraded_count",
    "current_fraction",
    "projected_fraction",
    "ceiling_fraction",
)


def numbers(book):
    return {
        row.student.pk: (
            {s.component.pk: tuple(getattr(s, name) for name in SUMS) for s in row.components},
            row.current_percent,
            row.floor_percent,
            row.ceiling_percent,
        )
        for row in book.rows
    }


@pytest.fixture
def course():
    course, _ = bench.seed(40, 12, random.Random(3))
    reviews = course.components.get(source=ComponentSource.REVIEWS)
    kind = course.review_kinds.get()
    readings = list(course.readings.select_related("session").order_by("session__date", "order"))
    students = [m.user for m in course.memberships.filter(role="student").select_related("user")]
    plan = ReviewPlan([course], for_grading=True)

    def due(k, reading):
        return plan.due_times.base(k, reading)

    # Exactly at the due instant (on time), a microsecond after (late by nothing: day 1),
    # a day after (still day 1), a day and a microsecond after (day 2): four students'
    # first reading.
    first = readings[0]
    offsets = (timedelta(0), timedelta(microseconds=1), timedelta(days=1))
    offsets += (timedelta(days=1, microseconds=1),)
    for student, after in zip(students[5:9], offsets, strict=True):
        Review.objects.update_or_create(
            kind=kind, reading=first, student=student,
            defaults={"submitted_at": due(kind, first) + after, "points": Decimal("9.50"),
                      "answers": {"summary": "x"}, "is_excused": False},
        )  # fmt: skip
    # A session's own due time, and extensions: a new due time, and N more days.
    DueOverride.objects.create(
        kind=kind, session=readings[4].session, due_at=due(kind, readings[4]) + timedelta(hours=5)
    )
    Extension.objects.create(
        course=course, kind=kind, student=students[3], extra_days=3, reason="ill"
    )
    Extension.objects.create(
        course=course, kind=kind, reading=readings[1], student=students[4],
        due_at=due(kind, readings[1]) + timedelta(days=2), reason="travel",
    )  # fmt: skip
    Review.objects.filter(kind=kind, student__in=students[3:5]).update(
        submitted_at=datetime.combine(readings[1].session.date, time(12), UTC)
    )
    # A kind written by teams, under no credit, feeding the reviews component too.
    team_kind = f.ReviewKindFactory(
        course=course, name="Team summary", slug="team-summary", written_by=WrittenBy.TEAM,
        readings=ReadingScope.REQUIRED, late_policy=LatePolicy.NO_CREDIT,
        max_points=Decimal("4"), component=reviews,
    )  # fmt: skip
    teams = {m.team_id: m.team for m in TeamMember.objects.filter(course=course)}
    for i, team in enumerate(team for _, team in sorted(teams.items())):
        for j, reading in enumerate(readings[: 4 + i]):
            if (i + j) % 4 == 3:
                continue
            late = timedelta(hours=3) if (i + j) % 5 == 0 else -timedelta(hours=1)
            f.ReviewFactory(
                kind=team_kind, reading=reading, student=None, team=team,
                submitted_at=due(team_kind, reading) + late,
                points=None if j % 3 == 2 else Decimal("3.25"),
            )  # fmt: skip
    Extension.objects.create(
        course=course, kind=team_kind, team=sorted(teams.values(), key=lambda t: t.pk)[0],
        student=None, extra_days=1,
    )  # fmt: skip
    # Questions on the presented readings, under accept (by author: item by item).
    questions = f.ReviewKindFactory(
        course=course, name="Question", slug="question", readings=ReadingScope.PRESENTED,
        late_policy=LatePolicy.ACCEPT, max_points=Decimal("1"), component=reviews,
    )  # fmt: skip
    for i, student in enumerate(students[:20]):
        reading = readings[i % len(readings)]
        f.ReviewFactory(
            kind=questions, reading=reading, student=student,
            submitted_at=due(questions, reading) + timedelta(hours=i % 3 - 1),
            points=Decimal("1") if i % 2 else None,
        )  # fmt: skip
    return course


@pytest.mark.parametrize(
    "now",
    [
        datetime(2025, 9, 1, tzinfo=UTC),  # before anything is due
        datetime(2025, 10, 9, 17, tzinfo=UTC),  # mid-term: due, upcoming, extended
        datetime(2026, 3, 1, tzinfo=UTC),  # after the term
    ],
)
def test_the_summed_gradebook_equals_the_items_to_the_last_digit(course, now):
    items = numbers(compute_gradebook(course, now=now))
    summed = numbers(compute_gradebook(course, now=now, summed=True))
    assert summed == items
    assert len(items) == 40


def test_the_course_has_every_case_to_compare(course):
    """Not vacuous: at mid-term the items include each status, late points and a zero."""
    book = compute_gradebook(course, now=datetime(2025, 10, 9, 17, tzinfo=UTC))
    statuses = {
        item.status for row in book.rows for score in row.components for item in score.items
    }
    assert statuses >= {"graded", "missing", "upcoming", "ungraded", "excused"}
    late = [i for row in book.rows for s in row.components for i in s.items if "late" in i.note]
    assert any("penalty" in i.note and i.status == "graded" and i.earned for i in late)
    assert any("late 1 d" in i.note and "penalty" in i.note for i in late)  # day 2
    assert any("no credit" in i.note and i.earned == 0 for i in late)
    assert any("accept" in i.note for i in late)


def test_the_summed_gradebook_does_not_load_the_reviews(course):
    """The point of it: the reviews are summed by the database, not sent to Python."""
    book = compute_gradebook(course, summed=True)
    reviews = course.components.get(source=ComponentSource.REVIEWS)
    assert all(not row.score_for(reviews).items for row in book.rows)
    assert any(row.score_for(reviews).earned for row in book.rows)

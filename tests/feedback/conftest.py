"""Presenter feedback fixtures on top of tests/conftest.py's course (ECS 289D, class Tue
Nov 4 2025 at 10:30-11:50 Los Angeles). The course collects feedback with the defaults:
the window opens when class starts (10:30 Tue) and closes 48 h after it ends (Thu Nov 6,
11:50 AM PST, through 11:50:59), 3 responses needed.

- pat: a student of `course` who presents `reading` (claims): reads the aggregate only.
- alice, bob, carol, dave: students of `course`, classmates of pat: rate pat's talk.
- instructor, ta: staff of `course`: see every response with its author.
- charlie: student of `other_course`: nothing of `course` (404).
"""

from datetime import datetime

import pytest

from courses.models import Role
from feedback.models import FeedbackResponse, FeedbackSettings
from tests.factories import LA, ClaimFactory, MembershipFactory

BEFORE = datetime(2025, 11, 4, 10, 29, tzinfo=LA)
IN_CLASS = datetime(2025, 11, 4, 10, 45, tzinfo=LA)
OPEN = datetime(2025, 11, 5, 9, 0, tzinfo=LA)
LAST_MINUTE = datetime(2025, 11, 6, 11, 50, 59, tzinfo=LA)
AFTER = datetime(2025, 11, 6, 11, 51, tzinfo=LA)


def _student(course, email, name):
    return MembershipFactory(
        course=course, role=Role.STUDENT, user__email=email, user__name=name
    ).user


@pytest.fixture
def rules(course):
    return FeedbackSettings.objects.create(course=course)


@pytest.fixture
def pat(course):
    return _student(course, "pat@example.edu", "Pat Presenter")


@pytest.fixture
def carol(course):
    return _student(course, "carol@example.edu", "Carol Cho")


@pytest.fixture
def dave(course):
    return _student(course, "dave@example.edu", "Dave Dunn")


@pytest.fixture
def claim(reading, pat):
    return ClaimFactory(course=reading.course, reading=reading, student=pat, claimed_by=pat)


@pytest.fixture
def page(course, reading, rules, claim):
    return f"/courses/{course.code}/readings/{reading.pk}/feedback/"


@pytest.fixture
def give(reading):
    """give(student, clarity, depth, discussion, comment=""): a response saved as is."""

    def make(student, clarity, depth, discussion, comment="", at=OPEN):
        return FeedbackResponse.objects.create(
            reading=reading,
            student=student,
            ratings={"clarity": clarity, "depth": depth, "discussion": discussion},
            comment=comment,
            submitted_at=at,
            updated_at=at,
        )

    return make


def answers(
    clarity="4", depth="5", discussion="3", comment="Clear slides; more on the evaluation."
):
    return {
        "rating_clarity": clarity,
        "rating_depth": depth,
        "rating_discussion": discussion,
        "comment": comment,
    }


@pytest.fixture
def three_more(give, alice, bob, carol):
    """Three classmates' feedback on pat's talk: 34 of 45 points in all (mean 3.8 / 5)."""
    give(alice, 5, 4, 4, "Great demo.")
    give(bob, 4, 4, 3, "Slides were dense.")
    give(carol, 3, 5, 2)
    return [alice, bob, carol]

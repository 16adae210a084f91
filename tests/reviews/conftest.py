"""Review fixtures, layered on tests/conftest.py.

- paper_review: ECS 289D's one kind (night before 23:59, every reading, optional ones as bonus).
- reading (Tue 11-04, required) and optional_reading (same session).
- alice writes; bob is a classmate; presenter is a student holding an active claim on `reading`.
"""

from datetime import date, time
from decimal import Decimal

import pytest

from claims.models import Claim
from courses.models import Membership, Paper, Reading, Role, Session
from grading.models import ComponentSource, GradeComponent
from reviews.models import LatePolicy, ReviewKind

ECS_PROMPTS = [
    {"key": "summary", "label": "Summary (3-4 sentences)", "required": True, "min_words": 12},
    {"key": "pros_cons", "label": "Advantages and disadvantages", "required": True},
    {"key": "questions", "label": "Other questions or comments", "required": False, "gather": True},
]

SUMMARY = (
    "FlashInfer builds a customizable attention engine. It uses block sparse formats. It is fast."
)
ANSWERS = {
    "summary": SUMMARY,
    "pros_cons": "Fast; complex.",
    "questions": "Does it scale to 1M tokens?",
}


@pytest.fixture
def reviews_component(course):
    return GradeComponent.objects.create(
        course=course, name="Paper reviews", weight=Decimal("15"), source=ComponentSource.REVIEWS
    )


@pytest.fixture
def bonus_component(course):
    return GradeComponent.objects.create(
        course=course,
        name="Optional reviews",
        weight=Decimal("5"),
        is_bonus=True,
        source=ComponentSource.BONUS_REVIEWS,
    )


@pytest.fixture
def paper_review(course, reviews_component):
    return ReviewKind.objects.create(
        course=course,
        name="Paper review",
        slug="review",
        prompts=ECS_PROMPTS,
        due_kind="before",
        due_days_before=1,
        due_time=time(23, 59),
        late_policy=LatePolicy.PENALTY,
        late_penalty_percent=Decimal("10"),
        max_points=Decimal("1"),
        component=reviews_component,
        counts_optional_as_bonus=True,
    )


@pytest.fixture
def optional_reading(session):
    paper = Paper.objects.create(
        course=session.course, title="Mooncake: A KVCache-centric Architecture", year=2025
    )
    return Reading.objects.create(session=session, paper=paper, required=False, order=2)


@pytest.fixture
def october_session(course):
    """Tue 2025-10-28, before the DST change."""
    return Session.objects.create(course=course, date=date(2025, 10, 28), topic="Training")


@pytest.fixture
def october_reading(october_session):
    paper = Paper.objects.create(course=october_session.course, title="Megatron-LM", year=2019)
    return Reading.objects.create(session=october_session, paper=paper, required=True, order=1)


@pytest.fixture
def presenter(make_user, course, reading):
    """A student who holds the active claim on `reading`."""
    user = make_user("pat@example.edu", "Pat Presenter")
    Membership.objects.create(user=user, course=course, role=Role.STUDENT)
    Claim.objects.create(course=course, reading=reading, student=user, claimed_by=user)
    return user


def review_url(course, reading, kind=None):
    url = f"/courses/{course.code}/readings/{reading.pk}/review/"
    return f"{url}?kind={kind.slug}" if kind else url


def digest_url(course, reading):
    return f"/courses/{course.code}/readings/{reading.pk}/digest/"

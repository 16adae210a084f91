"""The gradebook reads reviews as tuples (reviews.plan.GradedReview) where it read model
instances: the numbers must not move. The same course graded both ways gives the same
items (status, points to the last decimal, notes, keys) and the same totals.

The course is the one the page benchmark builds (tests/populated.py: the ECS 289D course
file, graded reviews with lateness, milestones with adjustments, presentations,
participation), at a size where every review case occurs."""

from dataclasses import astuple
from datetime import UTC, datetime, time, timedelta

import pytest

from grading.engine import compute_gradebook
from reviews import plan as review_plan
from reviews.models import Review
from tests.populated import build_course

pytestmark = pytest.mark.django_db


def numbers(book):
    return [
        (
            row.student.pk,
            [(s.component.pk, [astuple(i) for i in s.items]) for s in row.components],
            row.current_percent,
            row.floor_percent,
            row.ceiling_percent,
            row.projected_percent,
        )
        for row in book.rows
    ]


def test_the_tuple_reviews_grade_exactly_as_the_model_instances(monkeypatch):
    built = build_course("equal", 25)
    # Some reviews late (the course's penalty per started day), one excused.
    reviews = list(
        Review.objects.filter(kind__course=built.course).select_related("reading__session")
    )
    for review in reviews[:12]:
        late = datetime.combine(review.reading.session.date, time(12), UTC) + timedelta(
            days=len(review.answers) % 3
        )
        Review.objects.filter(pk=review.pk).update(submitted_at=late)
    Review.objects.filter(pk=reviews[12].pk).update(is_excused=True)
    fast = numbers(compute_gradebook(built.course))

    real_init = review_plan.ReviewPlan.__init__

    def with_instances(self, *args, for_grading=False, **kwargs):
        real_init(self, *args, for_grading=False, **kwargs)  # full Review rows, as before

    monkeypatch.setattr(review_plan.ReviewPlan, "__init__", with_instances)
    slow = numbers(compute_gradebook(built.course))
    assert fast == slow
    graded = [i for _, comps, *_ in fast for _, items in comps for i in items if i[2] == "graded"]
    assert len(graded) > 100  # the course really has graded reviews to compare
    assert any(i[6] for _, comps, *_ in fast for _, items in comps for i in items)  # late notes

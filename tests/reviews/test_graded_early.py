"""SPEC, Grading: a grade counts as soon as it is published, even before the due time.
alice's review of `reading` (due Mon Nov 3, 23:59 PST) is graded on Oct 30; her grades
page counts it at once, and her reviews list shows the same number."""

from datetime import datetime
from decimal import Decimal

import time_machine

from reviews.models import Review
from tests.conftest import LA

EARLY = datetime(2025, 10, 30, 12, 0, tzinfo=LA)


def test_a_review_graded_before_its_due_time_counts_at_once(
    login, paper_review, reviews_component, reading, alice
):
    reviews_component.published = True
    reviews_component.save()
    Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=alice,
        answers={"summary": "x"},
        submitted_at=EARLY,
        first_submitted_at=EARLY,
        points=Decimal("0.9"),
    )
    with time_machine.travel(EARLY, tick=False):
        client = login(alice)
        grades = client.get(f"/courses/{reading.course.code}/grades/").content.decode()
        reviews = client.get(f"/courses/{reading.course.code}/reviews/").content.decode()
    assert 'id="current-grade">90.00% · A</p>' in grades
    assert "0.90 / 1" in grades  # the item, out of its maximum
    assert "0.90 / 1" in reviews  # the same number where the review is listed

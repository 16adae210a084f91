"""The reviews page's "Next due" names required work before optional bonus work due at
the same time or later, and says which is which.

alice owes a review of `reading` (required) and of an optional reading of the same
session that comes first in the session's order (both due Mon Nov 3, 11:59 PM PST)."""

from datetime import UTC, datetime, timedelta

import time_machine

from courses.models import Paper, Reading

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)


def test_next_due_is_the_required_review_then_the_bonus_one(
    paper_review, course, session, reading, alice, login
):
    paper = Paper.objects.create(course=course, title="Mooncake: A KVCache-centric Design")
    Reading.objects.create(session=session, paper=paper, required=False, order=0)
    with time_machine.travel(DUE - timedelta(hours=5), tick=False):
        page = login(alice).get(f"/courses/{course.code}/reviews/").content.decode()
    alert = page.split('class="alert alert-primary"', 1)[1].split("<h2", 1)[0]
    required, bonus = alert.split("Then, if you like", 1)
    assert "Next due: <a" in required and f"{reading.paper.title}”</a> (required)" in required
    assert paper.title not in required
    assert f"{paper.title}”</a> (optional, bonus)" in bonus
    assert '<span class="badge text-bg-light">optional, bonus</span>' in page


def test_with_only_bonus_work_left_next_due_says_it_is_optional(
    paper_review, course, reading, optional_reading, alice, login
):
    from reviews.models import Review

    Review.objects.create(
        kind=paper_review, reading=reading, student=alice, submitted_at=DUE - timedelta(days=1)
    )
    with time_machine.travel(DUE - timedelta(hours=5), tick=False):
        page = login(alice).get(f"/courses/{course.code}/reviews/").content.decode()
    assert f"{optional_reading.paper.title}”</a> (optional, bonus)" in page
    assert "(required)" not in page

"""The admin's grading view: one review at a time, the text beside the points box
("/ max"), save-and-next through the queue of a reading or session.

The course: one session (Tue Nov 4) with a reading "FlashInfer" and n students who each
submitted a review; the instructor grades them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import Review
from tests import factories as f

pytestmark = pytest.mark.django_db

GRADE = "/admin/reviews/review/grade/"


def build(n, code="ecs289d-f25"):
    course = f.CourseFactory(code=code)
    instructor = f.MembershipFactory(
        course=course, instructor=True, user__email=f"yang@{code}.edu", user__name="Yang"
    ).user
    kind = f.ReviewKindFactory(
        course=course, max_points=Decimal("10"), prompts=[
            {"key": "summary", "label": "Summary", "required": True},
        ],
    )  # fmt: skip
    reading = f.ReadingFactory(
        session__course=course, paper__course=course, paper__title="FlashInfer"
    )
    reviews = [
        f.ReviewFactory(
            kind=kind,
            reading=reading,
            student=f.MembershipFactory(course=course, user__name=f"Student {i:02d}").user,
            answers={"summary": f"Review number {i} with **bold** words."},
        )
        for i in range(n)
    ]
    return course, instructor, reading, reviews


def queue_url(reading, review=None):
    url = f"{GRADE}?reading={reading.pk}"
    return url + (f"&review={review.pk}" if review else "")


def test_it_shows_the_first_review_awaiting_a_grade_with_its_maximum_and_position(client):
    course, instructor, reading, reviews = build(3)
    reviews[0].points = Decimal(7)
    reviews[0].save()
    client.force_login(instructor)
    html = client.get(queue_url(reading)).content.decode()
    assert "<strong>2 of 3</strong> · 2 await a grade" in html
    assert "Review number 1 with <strong>bold</strong> words." in html  # Markdown, sanitised
    assert '<span class="grade-max">/ 10</span>' in html
    assert 'max="10"' in html and "autofocus" in html


def test_save_and_next_grades_publishes_and_moves_on(client):
    course, instructor, reading, reviews = build(3)
    client.force_login(instructor)
    response = client.post(
        queue_url(reading, reviews[0]),
        {"points": "9.5", "feedback": "Clear.", "publish": "on", "save_next": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == queue_url(reading, reviews[1])
    reviews[0].refresh_from_db()
    assert (reviews[0].points, reviews[0].feedback, reviews[0].feedback_published) == (
        Decimal("9.5"), "Clear.", True,
    )  # fmt: skip
    assert reviews[0].graded_by == instructor and reviews[0].graded_at is not None


def test_points_over_the_maximum_are_refused_next_to_the_box_and_the_feedback_kept(client):
    course, instructor, reading, reviews = build(1)
    client.force_login(instructor)
    response = client.post(
        queue_url(reading, reviews[0]),
        {"points": "11", "feedback": "A long thought I typed.", "save_next": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 10." in html
    assert "A long thought I typed." in html
    reviews[0].refresh_from_db()
    assert reviews[0].points is None


def test_another_courses_review_or_reading_is_not_found(client):
    course, instructor, reading, reviews = build(1)
    other_course, _, other_reading, other_reviews = build(1, code="cse585-f25")
    client.force_login(instructor)
    assert client.get(queue_url(other_reading)).status_code == 404
    assert client.get(queue_url(reading, other_reviews[0])).status_code == 404
    assert client.get(f"{GRADE}").status_code == 404  # no reading or session chosen
    assert client.get(f"{GRADE}?reading=x").status_code == 404


def test_the_grading_view_runs_the_same_queries_for_5_and_25_reviews(client):
    counts = []
    for size in (5, 25):
        course, instructor, reading, reviews = build(size, code=f"q{size}")
        client.force_login(instructor)
        client.get(queue_url(reading, reviews[2]))  # the session's first use
        with CaptureQueriesContext(connection) as queries:
            assert client.get(queue_url(reading, reviews[2])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert reverse("admin:reviews_review_grade") == GRADE


def test_reviews_of_the_queue_are_all_reachable_in_order(client):
    course, instructor, reading, reviews = build(3)
    client.force_login(instructor)
    url = queue_url(reading)
    for _ in range(3):
        response = client.post(url, {"points": "5", "feedback": "", "save_next": "1"})
        url = response["Location"]
    seen = list(Review.objects.filter(reading=reading).values_list("points", flat=True))
    assert seen == [Decimal(5)] * 3

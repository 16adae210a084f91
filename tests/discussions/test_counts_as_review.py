"""A post that counts as the review (OMSCS): the first post in a reading's thread is the
student's review of the kind, with the post's time, so due times and the late policy apply
to it as to any review; the review form hands over to the thread."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from discussions.models import Post
from reviews.models import Review
from tests import factories as f
from tests.discussions.conftest import AFTER_DUE, BEFORE_DUE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("threads")]


def test_the_first_post_is_the_students_review_with_its_time(
    login, alice, at, kind, reading, thread_page
):
    at(BEFORE_DUE)
    client = login(alice)
    response = client.post(thread_page, {"body": "Attention is a dense matmul."})
    assert response.status_code == 302
    review = Review.objects.get(kind=kind, reading=reading, student=alice)
    assert review.answers == {"post": "Attention is a dense matmul."}
    assert (review.submitted_at, review.first_submitted_at) == (BEFORE_DUE, BEFORE_DUE)
    assert Post.objects.get(reading=reading).review == review
    page = client.get(thread_page).content.decode()
    assert "Your first post here is your <strong>Discussion post</strong>" in page
    assert "(on time)" in page


def test_a_second_post_and_a_reply_are_discussion_not_another_review(
    login, alice, bob, at, kind, reading, thread_page
):
    at(BEFORE_DUE)
    login(alice).post(thread_page, {"body": "First."})
    first = Post.objects.get(reading=reading)
    login(alice).post(thread_page, {"body": "Second thought."})
    login(bob).post(thread_page, {"body": "A reply.", "parent": first.pk})
    assert Review.objects.get(student=alice).answers == {"post": "First."}
    assert not Review.objects.filter(student=bob).exists()  # a reply is not a post
    assert Post.objects.filter(review__isnull=False).count() == 1


def test_a_first_post_after_the_due_time_is_a_late_review(
    login, alice, at, kind, reading, thread_page
):
    at(AFTER_DUE)
    client = login(alice)
    client.post(thread_page, {"body": "Sorry, late."})
    review = Review.objects.get(student=alice)
    assert review.submitted_at == AFTER_DUE
    page = client.get(thread_page).content.decode()
    assert "late (saved" in page  # the review's status line: "Submitted 9 h 1 min late"


def test_a_late_post_earns_what_the_late_policy_leaves_on_the_grades_page(
    login, alice, at, kind, reading, thread_page, course
):
    component = f.GradeComponentFactory(
        course=course, name="Discussion posts", weight=Decimal(100), source="reviews",
        published=True,
    )  # fmt: skip
    kind.component, kind.max_points = component, Decimal(10)
    kind.save()
    at(AFTER_DUE)
    login(alice).post(thread_page, {"body": "Sorry, late."})
    review = Review.objects.get(student=alice)
    review.points = Decimal(10)
    review.save()
    page = login(alice).get(f"/courses/{course.code}/grades/").content.decode()
    assert "9 / 10" in page or "9.00 / 10" in page  # 10% less for one started day


def test_editing_the_post_within_the_window_edits_the_review(
    login, alice, at, reading, course, thread_page
):
    at(BEFORE_DUE)
    client = login(alice)
    client.post(thread_page, {"body": "Draft."})
    mine = Post.objects.get(reading=reading)
    at(BEFORE_DUE + timedelta(minutes=10))
    client.post(reverse("discussions:post_edit", args=[course.code, mine.pk]), {"body": "Final."})
    review = Review.objects.get(student=alice)
    assert review.answers == {"post": "Final."}
    assert review.submitted_at == BEFORE_DUE + timedelta(minutes=10)


def test_a_graded_review_is_final_so_its_post_cannot_be_edited(
    login, alice, at, reading, course, thread_page
):
    at(BEFORE_DUE)
    client = login(alice)
    client.post(thread_page, {"body": "Draft."})
    Review.objects.filter(student=alice).update(points=Decimal(1))
    mine = Post.objects.get(reading=reading)
    response = client.post(
        reverse("discussions:post_edit", args=[course.code, mine.pk]), {"body": "Changed."}
    )
    assert response.status_code == 400
    assert "has been graded" in response.content.decode()
    assert "Changed." in response.content.decode()  # the text is kept
    mine.refresh_from_db()
    assert mine.body == "Draft."


def test_the_review_form_sends_the_student_to_the_thread(login, alice, kind, reading, course):
    write = reverse("reviews:write", args=[course.code, reading.pk]) + f"?kind={kind.slug}"
    response = login(alice).get(write)
    assert response.status_code == 302
    assert response["Location"] == f"/courses/{course.code}/readings/{reading.pk}/discussion/"


def test_a_review_written_before_the_thread_counted_is_kept(
    login, alice, at, kind, reading, thread_page
):
    at(BEFORE_DUE)
    earlier = f.ReviewFactory(kind=kind, reading=reading, student=alice, answers={"post": "Form."})
    login(alice).post(thread_page, {"body": "Now in the thread."})
    earlier.refresh_from_db()
    assert earlier.answers == {"post": "Form."}
    assert Post.objects.get(reading=reading).review is None


def test_staff_posts_are_never_reviews(login, ta, at, reading, thread_page):
    at(BEFORE_DUE)
    login(ta).post(thread_page, {"body": "Welcome, everyone."})
    assert not Review.objects.exists()
    assert Post.objects.get(reading=reading).review is None


def test_a_counting_rule_needs_a_kind_each_student_writes(course, kind):
    from django.core.exceptions import ValidationError

    from discussions.models import ThreadRule

    kind.written_by = "team"
    kind.save()
    rule = ThreadRule(course=course, kind=kind, counts_as_review=True)
    with pytest.raises(ValidationError, match="each student writes"):
        rule.clean()

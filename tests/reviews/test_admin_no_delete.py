"""Course staff are never offered "Delete selected" on graded work (reviews, milestone
grades, submissions, claims); they can still excuse a review. A superuser keeps it.

instructor: staff of the course; root: the site's superuser."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GRADED_WORK = [
    "admin:reviews_review_changelist",
    "admin:projects_milestonegrade_changelist",
    "admin:projects_submission_changelist",
    "admin:claims_claim_changelist",  # a claim may carry a presentation grade
]


def actions_offered(client, url_name) -> dict:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    form = response.context["action_form"]  # None: no action at all
    return dict(form.fields["action"].choices) if form else {}


@pytest.mark.parametrize("url_name", GRADED_WORK)
def test_course_staff_are_not_offered_delete_selected(login, instructor, url_name):
    assert "delete_selected" not in actions_offered(login(instructor), url_name)


def test_course_staff_can_still_excuse_reviews(login, instructor):
    offered = actions_offered(login(instructor), "admin:reviews_review_changelist")
    assert "excuse" in offered and "full_credit_on_time" in offered


@pytest.mark.parametrize(
    "url_name", ["admin:reviews_review_changelist", "admin:projects_milestonegrade_changelist"]
)
def test_a_superuser_may_still_delete(login, make_user, url_name):
    root = make_user("root@example.edu", is_staff=True, is_superuser=True)
    assert "delete_selected" in actions_offered(login(root), url_name)


def test_excusing_one_review_says_so_in_the_singular(
    login, instructor, paper_review, reading, alice
):
    from django.utils import timezone

    from reviews.models import Review

    review = Review.objects.create(
        kind=paper_review, reading=reading, student=alice, submitted_at=timezone.now()
    )
    response = login(instructor).post(
        reverse("admin:reviews_review_changelist"),
        {"action": "excuse", "_selected_action": [review.pk]},
        follow=True,
    )
    assert "Excused 1 review." in response.content.decode()
    review.refresh_from_db()
    assert review.is_excused

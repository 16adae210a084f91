"""Grading in the admin: filters, list-editable points within the kind's maximum, bulk actions.

instructor runs `course`; other_ta is staff of another course and sees none of its reviews.
alice's review is on time, bob's is 3 h late (due 07:59 UTC on 11-04).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from reviews.models import Review
from tests.reviews.conftest import ANSWERS

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)
URL = "/admin/reviews/review/"


@pytest.fixture
def two_reviews(paper_review, reading, alice, bob):
    on_time = Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=alice,
        answers=ANSWERS,
        submitted_at=DUE - timedelta(hours=1),
        first_submitted_at=DUE - timedelta(hours=1),
    )
    late = Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=bob,
        answers=ANSWERS,
        # 3 h after the first late instant (due 23:59 PST covers that minute: late from 00:00)
        submitted_at=DUE + timedelta(hours=3, minutes=1),
        first_submitted_at=DUE + timedelta(hours=3, minutes=1),
    )
    return on_time, late


def test_changelist_shows_lateness_and_filters_late_and_ungraded(two_reviews, instructor, login):
    client = login(instructor)
    page = client.get(URL).content.decode()
    assert "Alice Archer" in page and "Bob Baker" in page
    assert "3 h" in page and "on time" in page
    late_only = client.get(URL, {"late": "late"}).content.decode()
    assert "Bob Baker" in late_only and "Alice Archer" not in late_only
    Review.objects.filter(student__name="Alice Archer").update(points=1)
    ungraded = client.get(URL, {"graded": "no"}).content.decode()
    assert "Bob Baker" in ungraded and "Alice Archer" not in ungraded


def test_changelist_query_count_does_not_grow_with_rows(
    two_reviews, paper_review, reading, instructor, make_user, login, django_assert_max_num_queries
):
    client = login(instructor)
    with django_assert_max_num_queries(30) as small:
        client.get(URL)
    for i in range(10):
        user = make_user(f"g{i}@example.edu", f"G {i}")
        Review.objects.create(
            kind=paper_review,
            reading=reading,
            student=user,
            submitted_at=DUE,
            first_submitted_at=DUE,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)


def _bulk_post(two_reviews, **fields):
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, review in enumerate(sorted(two_reviews, key=lambda r: r.pk)):
        data[f"form-{i}-id"] = str(review.pk)
        data[f"form-{i}-points"] = fields.get("points", "")
        data[f"form-{i}-feedback"] = "Nice"
    return data


def test_points_above_the_kinds_maximum_are_refused_in_the_list(two_reviews, instructor, login):
    response = login(instructor).post(URL, _bulk_post(two_reviews, points="2"))
    assert response.status_code == 200
    assert "At most 1 point for a" in response.content.decode()
    assert not Review.objects.filter(points__isnull=False).exists()


def test_points_and_feedback_are_editable_in_the_list(two_reviews, instructor, login):
    response = login(instructor).post(URL, _bulk_post(two_reviews, points="0.5"))
    assert response.status_code == 302
    assert set(Review.objects.values_list("points", "feedback")) == {(Decimal("0.50"), "Nice")}


def test_full_credit_action_skips_late_reviews(two_reviews, instructor, login):
    on_time, late = two_reviews
    response = login(instructor).post(
        URL,
        {"action": "full_credit_on_time", "_selected_action": [on_time.pk, late.pk]},
        follow=True,
    )
    assert "1 late or excused left unchanged" in response.content.decode()
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.points == Decimal("1") and on_time.graded_by == instructor
    assert late.points is None


def test_excuse_action(two_reviews, instructor, login):
    login(instructor).post(URL, {"action": "excuse", "_selected_action": [two_reviews[1].pk]})
    assert list(Review.objects.filter(is_excused=True)) == [two_reviews[1]]


def test_staff_of_another_course_see_none_of_these_reviews(two_reviews, other_ta, login):
    client = login(other_ta)
    page = client.get(URL).content.decode()
    assert "Alice Archer" not in page
    assert client.get(f"{URL}{two_reviews[0].pk}/change/").status_code == 302


def test_kind_admin_pages_load(paper_review, instructor, login):
    client = login(instructor)
    assert client.get("/admin/reviews/reviewkind/").status_code == 200
    assert client.get(f"/admin/reviews/reviewkind/{paper_review.pk}/change/").status_code == 200
    assert client.get("/admin/reviews/extension/").status_code == 200
    assert client.get("/admin/reviews/extension/add/").status_code == 200


def test_staff_excuse_a_student_who_never_submitted_by_adding_an_excused_review(
    paper_review, course, reading, alice, instructor, login
):
    from grading.engine import score_component

    response = login(instructor).post(
        "/admin/reviews/review/add/",
        {
            "kind": paper_review.pk,
            "reading": reading.pk,
            "student": alice.pk,
            "answers": "{}",
            "is_excused": "on",
            "feedback": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    scores = score_component(paper_review.component, [alice], DUE + timedelta(days=1))
    assert [i.status for i in scores[alice.pk]] == ["excused"]


def test_change_page_shows_the_review_text_escaped_and_not_editable(
    paper_review, reading, alice, instructor, login
):
    review = Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=alice,
        submitted_at=DUE,
        first_submitted_at=DUE,
        answers={**ANSWERS, "pros_cons": "<script>alert(1)</script>\\nline two"},
    )
    page = login(instructor).get(f"{URL}{review.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert 'name="answers"' not in page
    assert "Mon Nov 3, 11:59 PM PST" in login(instructor).get(URL).content.decode()


def test_grading_one_review_records_the_grader_and_obeys_the_maximum(
    two_reviews, instructor, login
):
    on_time, _ = two_reviews
    client = login(instructor)
    url = f"{URL}{on_time.pk}/change/"
    page = client.post(url, {"points": "1.5", "feedback": "x"}).content.decode()
    assert "At most 1 point." in page
    assert client.post(url, {"points": "-1", "feedback": "x"}).status_code == 200
    assert (
        client.post(
            url, {"points": "0.75", "feedback": "Good", "feedback_published": "on"}
        ).status_code
        == 302
    )
    on_time.refresh_from_db()
    assert (on_time.points, on_time.graded_by, on_time.feedback_published) == (
        Decimal("0.75"),
        instructor,
        True,
    )
    assert on_time.answers == ANSWERS  # grading never touches what the student wrote


def test_staff_set_a_session_override_on_the_kind_page(
    paper_review, course, reading, alice, instructor, login
):
    from reviews.models import DueOverride

    client = login(instructor)
    url = f"/admin/reviews/reviewkind/{paper_review.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "course": course.pk,
            "component": paper_review.component_id,
            "prompts": __import__("json").dumps(paper_review.prompts),
            "counts_optional_as_bonus": "on",
            "overrides-TOTAL_FORMS": "1",
            "overrides-INITIAL_FORMS": "0",
            "overrides-MIN_NUM_FORMS": "0",
            "overrides-MAX_NUM_FORMS": "1000",
            "overrides-0-session": reading.session_id,
            "overrides-0-due_at_0": "2025-11-02",
            "overrides-0-due_at_1": "12:00:00",
            "overrides-0-reason": "Election day",
        }
    )
    data["due_time"] = "23:59"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    (override,) = DueOverride.objects.all()
    assert override.session == reading.session


def test_extensions_are_only_for_members_of_the_course(
    paper_review, course, alice, charlie, instructor, login
):
    from reviews.models import Extension

    client = login(instructor)
    data = {"course": course.pk, "due_at_0": "2025-11-05", "due_at_1": "12:00:00", "reason": "sick"}
    page = client.post(
        "/admin/reviews/extension/add/", {**data, "student": charlie.pk}
    ).content.decode()
    assert "This person is not in the course." in page
    response = client.post("/admin/reviews/extension/add/", {**data, "student": alice.pk})
    assert response.status_code == 302
    assert Extension.objects.get().student == alice

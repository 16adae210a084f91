"""The student's review list /courses/<code>/reviews/ and the staff overview.

alice owes reviews of `reading` (required), `optional_reading` and `october_reading`;
instructor sees counts per reading; charlie (other course) gets 404.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from courses.models import Membership, Paper, Reading, Role
from reviews.models import Review
from tests.reviews.conftest import review_url

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)


def list_url(course):
    return f"/courses/{course.code}/reviews/"


def test_student_sees_what_is_due_next_with_countdown(
    paper_review, course, reading, optional_reading, alice, login
):
    with time_machine.travel(DUE - timedelta(hours=5), tick=False):
        page = login(alice).get(list_url(course)).content.decode()
    assert "Next due:" in page
    assert reading.paper.title in page and optional_reading.paper.title in page
    assert "Monday, Nov 3, 11:59 PM PST" in page
    assert 'class="countdown"' in page
    assert "optional" in page


def test_student_sees_late_missing_graded_excused_and_published_feedback_only(
    paper_review, course, reading, optional_reading, october_reading, alice, login
):
    Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=alice,
        submitted_at=DUE + timedelta(hours=30),
        first_submitted_at=DUE,
        points=Decimal("1"),
        feedback="Good catch on the KV cache.",
        feedback_published=True,
    )
    Review.objects.create(
        kind=paper_review,
        reading=optional_reading,
        student=alice,
        submitted_at=DUE,
        first_submitted_at=DUE,
        is_excused=True,
        feedback="Draft note, not for students",
        feedback_published=False,
    )
    with time_machine.travel(DUE + timedelta(days=2), tick=False):
        page = login(alice).get(list_url(course)).content.decode()
    assert "missing" in page  # october_reading
    assert "late" in page and "graded" in page and "excused" in page
    assert "Good catch on the KV cache." in page
    assert "Draft note" not in page
    # Points show once the staff publish the component the reviews feed.
    assert "0.80 / 1" not in page and "not published yet" in page
    paper_review.component.published = True
    paper_review.component.save()
    with time_machine.travel(DUE + timedelta(days=2), tick=False):
        page = login(alice).get(list_url(course)).content.decode()
    assert "0.80 / 1" in page  # 10 % per started day, 2 started days late


def test_team_kind_asks_a_student_without_team_to_join_one(
    paper_review, course, reading, alice, login
):
    paper_review.written_by = "team"
    paper_review.save()
    assert "join or create a team first" in login(alice).get(list_url(course)).content.decode()


def test_staff_see_submission_counts_and_digest_links(
    paper_review, course, reading, alice, bob, instructor, login
):
    Review.objects.create(
        kind=paper_review, reading=reading, student=alice, submitted_at=DUE, first_submitted_at=DUE
    )
    page = login(instructor).get(list_url(course)).content.decode()
    assert "1 / 2" in page
    assert f"/readings/{reading.pk}/digest/" in page


def test_outsider_gets_404(paper_review, course, charlie, login):
    assert login(charlie).get(list_url(course)).status_code == 404


def test_nav_shows_reviews_only_in_courses_with_review_kinds(
    course, other_course, alice, charlie, login, paper_review
):
    assert (
        f'href="/courses/{course.code}/reviews/"'
        in login(alice).get(list_url(course)).content.decode()
    )
    page = login(charlie).get(f"/courses/{other_course.code}/").content.decode()
    assert f"/courses/{other_course.code}/reviews/" not in page


def _more(course, session, make_user, n):
    for i in range(n):
        paper = Paper.objects.create(course=course, title=f"Paper {i}")
        Reading.objects.create(session=session, paper=paper, required=i % 2 == 0, order=10 + i)
        user = make_user(f"x{i}@example.edu", f"X {i}")
        Membership.objects.create(user=user, course=course, role=Role.STUDENT)


@pytest.mark.parametrize("extra", [0, 12])
def test_student_list_runs_a_fixed_number_of_queries(
    paper_review, course, reading, alice, make_user, login, django_assert_max_num_queries, extra
):
    _more(course, reading.session, make_user, extra)
    for r in Reading.objects.all():
        Review.objects.create(
            kind=paper_review, reading=r, student=alice, submitted_at=DUE, first_submitted_at=DUE
        )
    client = login(alice)
    # 13, the unseen grade notices, and whether the course has discussion threads (menu)
    with django_assert_max_num_queries(15):
        assert client.get(list_url(course)).status_code == 200


@pytest.mark.parametrize("extra", [0, 12])
def test_staff_list_runs_a_fixed_number_of_queries(
    paper_review,
    course,
    reading,
    instructor,
    make_user,
    login,
    django_assert_max_num_queries,
    extra,
):
    _more(course, reading.session, make_user, extra)
    client = login(instructor)
    with django_assert_max_num_queries(14):
        assert client.get(list_url(course)).status_code == 200


@pytest.mark.parametrize(
    ("scope", "expected"),
    [("all", {"required", "optional"}), ("required", {"required"}), ("optional", {"optional"})],
)
def test_the_kinds_reading_scope_decides_what_is_owed(
    paper_review, course, session, alice, login, scope, expected
):
    paper_review.readings = scope
    paper_review.save()
    Reading.objects.create(
        session=session,
        paper=Paper.objects.create(course=course, title="The required one"),
        order=1,
    )
    Reading.objects.create(
        session=session,
        paper=Paper.objects.create(course=course, title="The optional one"),
        required=False,
        order=2,
    )
    page = login(alice).get(list_url(course)).content.decode()
    assert {kind for kind in ("required", "optional") if f"The {kind} one" in page} == expected


def test_placeholder_papers_and_holidays_ask_for_no_review(
    paper_review, course, session, alice, login
):
    from courses.models import Session, SessionKind

    Reading.objects.create(
        session=session,
        paper=Paper.objects.create(course=course, title="TBD topic", is_placeholder=True),
    )
    holiday = Session.objects.create(
        course=course, date=session.date + timedelta(days=2), kind=SessionKind.HOLIDAY
    )
    Reading.objects.create(
        session=holiday, paper=Paper.objects.create(course=course, title="Holiday paper")
    )
    page = login(alice).get(list_url(course)).content.decode()
    assert "TBD topic" not in page and "Holiday paper" not in page


def test_review_points_show_only_once_the_component_they_feed_is_published(
    paper_review, bonus_component, course, reading, optional_reading, alice, login
):
    for paper, points in ((reading, "1"), (optional_reading, "0.5")):
        Review.objects.create(
            kind=paper_review,
            reading=paper,
            student=alice,
            submitted_at=DUE - timedelta(hours=1),
            first_submitted_at=DUE - timedelta(hours=1),
            points=Decimal(points),
        )
    client = login(alice)

    def form(paper):
        with time_machine.travel(DUE + timedelta(days=1), tick=False):
            return client.get(review_url(course, paper)).content.decode()

    assert "Points:" not in form(reading) and "once the staff publish" in form(reading)
    paper_review.component.published = True
    paper_review.component.save()
    assert "Points: 1 / 1" in form(reading)
    # The optional reading's review feeds the bonus, which is still unpublished.
    assert "Points:" not in form(optional_reading)
    bonus_component.published = True
    bonus_component.save()
    assert "Points: 0.50 / 1" in form(optional_reading)

"""Who sees which reviews, before and after the due time, and the digest itself.

- alice wrote a review of `reading`; bob is a classmate (no review unless a test adds one).
- presenter holds the active claim on `reading`; instructor and ta are staff.
- charlie is a student of another course; other_ta is staff of another course only.
Due: Mon 2025-11-03 23:59 PST (07:59 UTC on 11-04).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from claims.models import Claim
from courses.models import Membership, Paper, Reading, Role, Session
from reviews.models import Review
from teams.models import Team, TeamMember
from tests.reviews.conftest import ANSWERS, digest_url, review_url

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)
BEFORE, AFTER = DUE - timedelta(hours=1), DUE + timedelta(hours=1)


@pytest.fixture
def alices_review(paper_review, reading, alice):
    at = DUE - timedelta(hours=3)
    answers = {**ANSWERS, "pros_cons": "Alice's secret opinion"}
    return Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=alice,
        answers=answers,
        submitted_at=at,
        first_submitted_at=at,
    )


def get(client, url, at):
    with time_machine.travel(at, tick=False):
        return client.get(url)


def test_before_due_author_sees_own_review_and_nobody_else_sees_it(
    alices_review, course, reading, alice, bob, presenter, instructor, login, client
):
    assert (
        "Alice&#x27;s secret opinion"
        in get(login(alice), review_url(course, reading), BEFORE).content.decode()
    )
    assert get(login(bob), digest_url(course, reading), BEFORE).status_code == 404
    assert "Alice" not in get(login(bob), review_url(course, reading), BEFORE).content.decode()
    for user in (presenter, instructor):
        page = get(login(user), digest_url(course, reading), BEFORE)
        assert page.status_code == 200
        assert "open here at the due time" in page.content.decode()
        assert "Alice&#x27;s secret opinion" not in page.content.decode()


def test_after_due_presenter_and_staff_see_every_review(
    alices_review, course, reading, presenter, instructor, ta, login
):
    for user in (presenter, instructor, ta):
        page = get(login(user), digest_url(course, reading), AFTER).content.decode()
        assert "Alice&#x27;s secret opinion" in page
        assert "Alice Archer" in page


def test_after_due_classmates_see_nothing_when_the_setting_is_nobody(
    alices_review, course, reading, bob, login
):
    assert get(login(bob), digest_url(course, reading), AFTER).status_code == 404


def test_after_due_only_students_who_submitted_see_classmates_when_set(
    alices_review, paper_review, course, reading, bob, login
):
    paper_review.peer_visibility = "submitted"
    paper_review.save()
    client = login(bob)
    assert get(client, digest_url(course, reading), AFTER).status_code == 404
    Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=bob,
        answers=ANSWERS,
        submitted_at=BEFORE,
        first_submitted_at=BEFORE,
    )
    page = get(client, digest_url(course, reading), AFTER).content.decode()
    assert "Alice&#x27;s secret opinion" in page
    assert "Alice Archer" not in page  # classmates read reviews without names
    assert get(client, digest_url(course, reading), BEFORE).status_code == 404


def test_after_due_every_student_sees_when_set_to_everyone(
    alices_review, paper_review, course, reading, bob, login
):
    paper_review.peer_visibility = "everyone"
    paper_review.save()
    assert get(login(bob), digest_url(course, reading), BEFORE).status_code == 404
    assert get(login(bob), digest_url(course, reading), AFTER).status_code == 200


def test_outsiders_and_guessed_ids_get_404(
    alices_review,
    paper_review,
    course,
    other_course,
    reading,
    charlie,
    other_ta,
    bob,
    login,
    client,
):
    paper_review.peer_visibility = "everyone"
    paper_review.save()
    for user in (charlie, other_ta):
        assert get(login(user), digest_url(course, reading), AFTER).status_code == 404
    other = Reading.objects.create(
        session=Session.objects.create(course=other_course, date=reading.session.date),
        paper=Paper.objects.create(course=other_course, title="Other course paper"),
    )
    assert get(login(bob), digest_url(course, other), AFTER).status_code == 404
    assert (
        get(login(bob), f"/courses/{course.code}/readings/987654/digest/", AFTER).status_code == 404
    )
    client.logout()
    assert get(client, digest_url(course, reading), AFTER).status_code == 302  # sign in first


def test_withdrawn_presenter_loses_access(alices_review, course, reading, presenter, login):
    Claim.objects.filter(student=presenter).update(withdrawn_at=BEFORE)
    assert get(login(presenter), digest_url(course, reading), AFTER).status_code == 404


def test_team_presenter_members_see_the_digest(alices_review, course, reading, make_user, login):
    member = make_user("tina@example.edu", "Tina Team")
    Membership.objects.create(user=member, course=course, role=Role.STUDENT)
    team = Team.objects.create(course=course, name="Presenters")
    TeamMember.objects.create(team=team, user=member)
    Claim.objects.create(course=course, reading=reading, team=team)
    assert (
        "Alice&#x27;s secret opinion"
        in get(login(member), digest_url(course, reading), AFTER).content.decode()
    )


def test_digest_gathers_questions_counts_submissions_and_marks_late(
    alices_review, paper_review, course, reading, bob, instructor, login
):
    Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=bob,
        submitted_at=AFTER,
        first_submitted_at=AFTER,
        answers={**ANSWERS, "questions": "<b>Why</b> not paged attention?"},
    )
    page = get(
        login(instructor), digest_url(course, reading), AFTER + timedelta(hours=1)
    ).content.decode()
    assert "2 of 2 submitted" in page
    questions = page.split('<ol class="questions">')[1].split("</ol>")[0]
    assert "Does it scale to 1M tokens?" in questions
    assert "&lt;b&gt;Why&lt;/b&gt; not paged attention?" in questions
    assert page.count('text-bg-warning">late') == 1


def _populate(course, kind, reading, make_user, n, offset):
    for i in range(n):
        user = make_user(f"s{offset + i}@example.edu", f"Student {offset + i}")
        Membership.objects.create(user=user, course=course, role=Role.STUDENT)
        if i % 3 == 0:
            continue  # some have not submitted
        Review.objects.create(
            kind=kind,
            reading=reading,
            student=user,
            answers=ANSWERS,
            submitted_at=BEFORE,
            first_submitted_at=BEFORE,
        )


@pytest.mark.parametrize("extra", [1, 15])
def test_digest_runs_a_fixed_number_of_queries(
    alices_review,
    paper_review,
    course,
    reading,
    instructor,
    make_user,
    login,
    django_assert_max_num_queries,
    extra,
):
    _populate(course, paper_review, reading, make_user, extra, 100)
    client = login(instructor)
    # 18: the page's reviews, the questions' count and the page's questions are queries of
    # their own (reviews.digest_pages), so the page reads 25 reviews, not the class's.
    with time_machine.travel(AFTER, tick=False), django_assert_max_num_queries(18):
        page = client.get(digest_url(course, reading)).content.decode()
    assert "Not submitted:" in page


def test_a_classmate_with_an_extension_sees_others_only_after_their_own_due_time(
    alices_review, paper_review, course, reading, bob, login
):
    from reviews.models import Extension

    paper_review.peer_visibility = "everyone"
    paper_review.save()
    Extension.objects.create(
        course=course, student=bob, reading=reading, due_at=DUE + timedelta(days=1)
    )
    assert get(login(bob), digest_url(course, reading), AFTER).status_code == 404
    assert (
        get(login(bob), digest_url(course, reading), DUE + timedelta(days=1, hours=1)).status_code
        == 200
    )


def test_staff_see_who_has_not_submitted_presenters_do_not(
    alices_review, course, reading, bob, presenter, instructor, login
):
    staff_page = get(login(instructor), digest_url(course, reading), AFTER).content.decode()
    assert "Not submitted: Bob Baker, Pat Presenter" in staff_page
    assert (
        "Not submitted"
        not in get(login(presenter), digest_url(course, reading), AFTER).content.decode()
    )

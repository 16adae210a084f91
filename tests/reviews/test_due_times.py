"""Due times: policies relative to sessions, in the course time zone, with overrides and extensions.

alice owes the review; bob is a classmate with an extension in one test.
"""

from datetime import UTC, date, datetime, time, timedelta

import time_machine

from courses.models import Session
from courses.timing import end_of_minute as eom
from reviews.models import DueOverride, Extension
from reviews.plan import ReviewPlan
from teams.models import Team, TeamMember
from tests.conftest import LA
from tests.reviews.conftest import ANSWERS, ECS_PROMPTS, review_url


def due_for(kind, reading, user):
    plan = ReviewPlan([kind.course], users=[user])
    kind = next(k for k in plan.kinds if k.pk == kind.pk)
    reading = plan.reading(reading.pk)
    return plan.owed(kind, reading, plan.author_for(kind, user.pk)).due_at


def test_night_before_after_dst_change_is_2359_pst(paper_review, reading, alice):
    # Tue 2025-11-04 -> Mon 11-03 23:59 PST = 07:59 UTC on 11-04.
    assert due_for(paper_review, reading, alice) == eom(datetime(2025, 11, 4, 7, 59, tzinfo=UTC))


def test_night_before_before_dst_change_is_2359_pdt(paper_review, october_reading, alice):
    # Tue 2025-10-28 -> Mon 10-27 23:59 PDT = 06:59 UTC on 10-28.
    assert due_for(paper_review, october_reading, alice) == eom(
        datetime(2025, 10, 28, 6, 59, tzinfo=UTC)
    )


def test_hours_after_class_start_counts_elapsed_hours_across_dst(
    paper_review, course, reading, alice
):
    # Class Sat 2025-11-01 10:30 PDT (17:30 UTC); 24 elapsed hours later is 17:30 UTC on 11-02,
    # which is 09:30 PST on the wall clock.
    paper_review.due_kind = "after"
    paper_review.due_hours_after = 24
    paper_review.save()
    Session.objects.filter(pk=reading.session_id).update(date=date(2025, 11, 1))
    due = due_for(paper_review, reading, alice)
    assert due == eom(datetime(2025, 11, 2, 17, 30, tzinfo=UTC))
    assert due.astimezone(LA).time() == time(9, 30, 59, 999999)


def test_hours_after_uses_session_start_time_in_pdt(paper_review, october_reading, alice):
    paper_review.due_kind = "after"
    paper_review.due_hours_after = 24
    paper_review.save()
    # Tue 10-28 10:30 PDT = 17:30 UTC, +24 h.
    assert due_for(paper_review, october_reading, alice) == eom(
        datetime(2025, 10, 29, 17, 30, tzinfo=UTC)
    )


def test_session_override_replaces_the_policy_for_that_session_only(
    paper_review, reading, october_reading, alice
):
    override = eom(datetime(2025, 11, 2, 12, 0, tzinfo=LA))
    DueOverride.objects.create(kind=paper_review, session=reading.session, due_at=override)
    assert due_for(paper_review, reading, alice) == override
    assert due_for(paper_review, october_reading, alice) == eom(
        datetime(2025, 10, 28, 6, 59, tzinfo=UTC)
    )


def test_extension_moves_the_due_time_for_that_student_only(paper_review, reading, alice, bob):
    later = eom(datetime(2025, 11, 6, 12, 0, tzinfo=LA))
    Extension.objects.create(course=paper_review.course, student=bob, reading=reading, due_at=later)
    assert due_for(paper_review, reading, bob) == later
    assert due_for(paper_review, reading, alice) == eom(datetime(2025, 11, 4, 7, 59, tzinfo=UTC))


def test_extension_never_makes_a_review_due_earlier(paper_review, reading, alice):
    Extension.objects.create(
        course=paper_review.course, student=alice, due_at=datetime(2025, 11, 1, tzinfo=UTC)
    )
    assert due_for(paper_review, reading, alice) == eom(datetime(2025, 11, 4, 7, 59, tzinfo=UTC))


def test_team_extension_applies_to_the_teams_review(paper_review, course, reading, alice, bob):
    paper_review.written_by = "team"
    paper_review.save()
    team = Team.objects.create(course=course, name="Kernels")
    TeamMember.objects.create(team=team, user=alice)
    later = eom(datetime(2025, 11, 5, 9, 0, tzinfo=UTC))
    Extension.objects.create(course=course, team=team, kind=paper_review, due_at=later)
    assert due_for(paper_review, reading, alice) == later


def test_extension_lets_the_student_submit_on_time(paper_review, course, reading, alice, login):
    Extension.objects.create(
        course=course,
        student=alice,
        reading=reading,
        due_at=datetime(2025, 11, 5, 9, 0, tzinfo=UTC),
    )
    client = login(alice)
    with time_machine.travel(datetime(2025, 11, 4, 20, 0, tzinfo=UTC), tick=False):
        response = client.post(review_url(course, reading), ANSWERS, follow=True)
    assert "(on time)" in response.content.decode()


def test_moving_the_session_moves_the_due_time_shown(paper_review, course, reading, alice, login):
    client = login(alice)
    with time_machine.travel(datetime(2025, 11, 1, 12, 0, tzinfo=UTC), tick=False):
        assert (
            "Monday, Nov 3, 2025, 11:59 PM PST"
            in client.get(review_url(course, reading)).content.decode()
        )
        session = reading.session
        session.date = session.date + timedelta(days=2)
        session.save()
        assert (
            "Wednesday, Nov 5, 2025, 11:59 PM PST"
            in client.get(review_url(course, reading)).content.decode()
        )


def test_moving_the_reading_to_another_session_moves_its_due_time(
    paper_review, course, reading, october_session, alice
):
    reading.session = october_session
    reading.order = 5
    reading.save()
    assert due_for(paper_review, reading, alice) == eom(datetime(2025, 10, 28, 6, 59, tzinfo=UTC))


def test_cloning_keeps_a_due_override_at_its_local_time_across_dst(db):
    """A session override of 23:59 PDT, cloned to a date after the DST change, is 23:59 PST:
    the course file carries it in the course's local time."""
    from django.core.management import call_command

    from courses.coursefile import import_course
    from courses.models import Course
    from reviews.models import DueOverride, ReviewKind
    from tests.courses.test_coursefile import SEED_001

    ecs = import_course(SEED_001).course
    kind = ReviewKind.objects.create(
        course=ecs, name="Paper review", slug="review", prompts=ECS_PROMPTS
    )
    session = ecs.sessions.get(date=date(2025, 10, 28))
    DueOverride.objects.create(
        kind=kind, session=session, due_at=datetime(2025, 10, 27, 23, 59, tzinfo=LA)
    )
    # Thu 9/25 -> Thu 10/30: 35 days later; Tue 10/28 becomes Tue 12/2, after the change.
    call_command("clone_course", ecs.code, "ecs289d-late", "--first-day", "2025-10-30")
    clone = Course.objects.get(code="ecs289d-late")
    override = DueOverride.objects.get(kind__course=clone)
    assert override.session.date == date(2025, 12, 2)
    assert override.due_at == eom(datetime(2025, 12, 1, 23, 59, tzinfo=LA))
    assert override.due_at.astimezone(LA).strftime("%H:%M %Z") == "23:59 PST"

"""Paper assignment by preference: ranking on /courses/<code>/preferences/, the allocation
run and published as claims (command and admin), and what students are told.

People (tests/conftest.py, tests/claims/conftest.py): alice, bob, dana and erin are
students of `course`, which assigns by preference here (the `by_preference` fixture);
instructor and ta run it; charlie is in another course and reaches nothing of it.
"""

from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Allocation, Claim, ClaimEvent, Preference
from claims.preferences import (
    PreferenceError,
    allocation_problem,
    allocation_publish,
    allocation_run,
    preferences_save,
)
from claims.services import ClaimError, claim_assign, claim_reading, claim_withdraw
from courses.models import ClaimsMode, PresentsBy
from teams.models import Team, TeamMember
from tests.claims.test_claims import add_reading
from tests.conftest import LA

OPENS = datetime(2025, 9, 25, 12, 0, tzinfo=LA)
RANKING = datetime(2025, 9, 26, 10, 0, tzinfo=LA)
CLOSED = datetime(2025, 10, 1, 9, 0, tzinfo=LA)


@pytest.fixture
def by_preference(course):
    course.claims_mode = ClaimsMode.PREFERENCES
    course.claims_open_at = course.claims_close_at = None
    course.preferences_open_at = OPENS
    course.preferences_close_at = datetime(2025, 9, 30, 23, 59, tzinfo=LA)
    course.preferences_min_ranked = 2
    course.full_clean()
    course.save()
    return course


@pytest.fixture
def four(session, reading):
    """Four claimable readings (FlashInfer, Orca, vLLM, Sarathi) and one the instructor
    presents."""
    more = [add_reading(session, t) for t in ("Orca", "vLLM", "Sarathi")]
    add_reading(session, "Welcome", presented_by_instructor=True)
    return [reading, *more]


def page(course):
    return reverse("claims:preferences", args=[course.code])


def ranked(course, user):
    return list(
        Preference.objects.filter(course=course, student=user)
        .order_by("rank")
        .values_list("reading_id", flat=True)
    )


def form_of(lines: dict, **extra):
    """POST data: {reading: rank text}."""
    return {**{f"rank-{r.pk}": value for r, value in lines.items()}, **extra}


# ----------------------------------------------------------------- the course setting


def test_preference_mode_needs_a_preference_window(course):
    from django.core.exceptions import ValidationError

    course.claims_mode = ClaimsMode.PREFERENCES
    with pytest.raises(ValidationError, match="needs a preference window"):
        course.full_clean()


def test_under_preferences_students_cannot_claim_or_withdraw_on_the_board(
    by_preference, alice, instructor, four
):
    with time_machine.travel(RANKING, tick=False):
        with pytest.raises(ClaimError, match="assigns papers by preference"):
            claim_reading(reading=four[0], user=alice)
        claim = claim_assign(reading=four[0], student=alice, actor=instructor, reason="swap day")
        with pytest.raises(ClaimError, match="assigned by preference"):
            claim_withdraw(claim=claim, user=alice)


def test_the_board_says_papers_are_assigned_by_preference(login, by_preference, alice, four):
    with time_machine.travel(RANKING, tick=False):
        body = login(alice).get(reverse("claims:board", args=[by_preference.code])).content
    assert b'id="by-preference"' in body and b">Claim<" not in body


# ----------------------------------------------------------------- ranking


def test_a_student_ranks_by_typing_numbers_and_can_save_again(login, by_preference, alice, four):
    client = login(alice)
    with time_machine.travel(RANKING, tick=False):
        response = client.post(page(by_preference), form_of({four[2]: "1", four[0]: "2"}))
        assert response.status_code == 302
        assert ranked(by_preference, alice) == [four[2].pk, four[0].pk]
        client.post(page(by_preference), form_of({four[2]: "2", four[0]: "1", four[3]: "3"}))
        assert ranked(by_preference, alice) == [four[0].pk, four[2].pk, four[3].pk]
        body = client.get(page(by_preference)).content.decode()
    assert f'name="rank-{four[0].pk}" value="1"' in body
    assert "What happens at the close:" in body


def test_up_and_down_buttons_post_and_save_without_javascript(login, by_preference, alice, four):
    client = login(alice)
    with time_machine.travel(RANKING, tick=False):
        client.post(page(by_preference), form_of({four[0]: "1", four[1]: "2", four[2]: "3"}))
        shown = {four[0]: "1", four[1]: "2", four[2]: "3"}
        was = {f"was-{r.pk}": v for r, v in shown.items()}
        client.post(page(by_preference), form_of(shown, move=f"down:{four[0].pk}", **was))
        assert ranked(by_preference, alice) == [four[1].pk, four[0].pk, four[2].pk]
        client.post(page(by_preference), form_of(shown, move=f"up:{four[2].pk}", **was))
        assert ranked(by_preference, alice) == [four[0].pk, four[2].pk, four[1].pk]
        client.post(page(by_preference), form_of(shown, move=f"add:{four[3].pk}", **was))
        assert ranked(by_preference, alice)[-1] == four[3].pk


def test_a_number_typed_anew_goes_before_the_one_that_kept_its_place(
    login, by_preference, alice, four
):
    client = login(alice)
    with time_machine.travel(RANKING, tick=False):
        # Shown as 1, 2, 3; the student types 1 for the third: it becomes the first choice.
        data = form_of({four[0]: "1", four[1]: "2", four[2]: "1"})
        data |= {f"was-{four[0].pk}": "1", f"was-{four[1].pk}": "2", f"was-{four[2].pk}": "3"}
        client.post(page(by_preference), data)
    assert ranked(by_preference, alice) == [four[2].pk, four[0].pk, four[1].pk]


def test_too_few_or_bad_numbers_are_refused_with_the_text_kept(login, by_preference, alice, four):
    client = login(alice)
    with time_machine.travel(RANKING, tick=False):
        response = client.post(page(by_preference), form_of({four[0]: "1"}))
        assert response.status_code == 400
        assert "Rank at least 2 readings (you ranked 1)" in response.content.decode()
        response = client.post(page(by_preference), form_of({four[0]: "1", four[1]: "two"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Type a whole number from 1" in body and 'value="two"' in body
    assert not Preference.objects.exists()


def test_ranking_is_refused_before_the_window_and_after_it(by_preference, alice, four):
    ids = [four[0].pk, four[1].pk]
    with pytest.raises(PreferenceError, match="Ranking opens"):
        preferences_save(
            course=by_preference, user=alice, reading_ids=ids, at=OPENS.replace(hour=11)
        )
    with pytest.raises(PreferenceError, match="Ranking has closed"):
        preferences_save(course=by_preference, user=alice, reading_ids=ids, at=CLOSED)


def test_only_claimable_readings_of_the_course_can_be_ranked(by_preference, alice, four, session):
    welcome = session.readings.get(presented_by_instructor=True)
    with pytest.raises(PreferenceError, match="Only readings of this course"):
        preferences_save(
            course=by_preference, user=alice, reading_ids=[four[0].pk, welcome.pk], at=RANKING
        )


def test_one_member_ranks_for_the_team_and_the_others_see_it(
    login, by_preference, alice, bob, dana, four
):
    by_preference.presents_by = PresentsBy.TEAM
    by_preference.save()
    team = Team.objects.create(course=by_preference, name="Flash")
    for user in (alice, bob):
        TeamMember.objects.create(team=team, user=user, course=by_preference)
    preferences_save(
        course=by_preference, user=alice, reading_ids=[four[1].pk, four[0].pk], at=RANKING
    )
    assert Preference.objects.filter(team=team).count() == 2
    with time_machine.travel(RANKING, tick=False):
        body = login(bob).get(page(by_preference)).content.decode()
        assert "Your team's ranking" in body and "by Alice Archer" in body
        body = login(dana).get(page(by_preference)).content.decode()
    assert "join or create a team" in body


def test_counts_of_classmates_show_only_where_the_course_says(
    login, by_preference, alice, bob, four
):
    preferences_save(
        course=by_preference, user=bob, reading_ids=[four[0].pk, four[1].pk], at=RANKING
    )
    with time_machine.travel(RANKING, tick=False):
        assert b"classmate" not in login(alice).get(page(by_preference)).content
        by_preference.preferences_show_counts = True
        by_preference.save()
        body = login(alice).get(page(by_preference)).content.decode()
    assert body.count("1 classmate ranked it") == 2


def test_the_page_is_not_found_in_a_first_come_course(login, course, alice, reading):
    assert login(alice).get(page(course)).status_code == 404


# ----------------------------------------------------------------- allocation and publishing


@pytest.fixture
def rankings(by_preference, alice, bob, dana, erin, four):
    """Alice and Bob both want FlashInfer first; Dana wants Orca; Erin ranks nothing."""
    for user, choice in ((alice, [0, 1]), (bob, [0, 2]), (dana, [1, 0])):
        preferences_save(
            course=by_preference,
            user=user,
            reading_ids=[four[i].pk for i in choice],
            at=RANKING,
        )
    return four


def test_the_problem_is_what_the_database_holds(by_preference, rankings, alice, erin):
    problem = allocation_problem(by_preference)
    assert problem.rankings[("student", alice.pk)] == (rankings[0].pk, rankings[1].pk)
    assert problem.rankings[("student", erin.pk)] == ()
    assert set(problem.seats) == {r.pk for r in rankings}  # not the instructor's reading


def test_the_same_seed_gives_the_same_allocation(by_preference, rankings):
    first = allocation_run(course=by_preference, seed=11)
    again = allocation_run(course=by_preference, seed=11)
    assert first.assignments == again.assignments and first.pk != again.pk


def test_publishing_makes_claims_through_the_trigger_with_events_and_one_email_each(
    by_preference, rankings, instructor, alice, bob, dana, erin
):
    allocation = allocation_run(course=by_preference, actor=instructor, seed=3)
    assert allocation.stats["by_rank"] == {"1": 2, "2": 1}  # Dana's Orca; one of A/B
    with time_machine.travel(CLOSED, tick=False):
        claims = allocation_publish(allocation=allocation, actor=instructor)
    assert len(claims) == 4 == Claim.objects.active().count()
    assert {c.student for c in claims} == {alice, bob, dana, erin}
    assert len({c.reading_id for c in claims}) == 4  # four readings: no second seat
    events = ClaimEvent.objects.filter(action=ClaimEvent.Action.ALLOCATE)
    assert events.count() == 4
    assert all(e.allocation_id == allocation.pk for e in events)
    assert all(e.reason == f"allocation {allocation.pk}, seed 3" for e in events)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (alice, bob, dana, erin))
    # Publishing again, this one or another, sends nothing and claims nothing.
    with pytest.raises(PreferenceError, match="already published"):
        allocation_publish(allocation=allocation, actor=instructor)
    other = allocation_run(course=by_preference, seed=4)
    with pytest.raises(PreferenceError, match="already published"):
        allocation_publish(allocation=other, actor=instructor)
    assert len(mail.outbox) == 4 and Claim.objects.count() == 4


def test_a_stale_allocation_is_refused_whole(by_preference, rankings, instructor, alice, erin):
    allocation = allocation_run(course=by_preference, seed=3)
    claim_assign(reading=rankings[3], student=alice, actor=instructor, reason="asked")
    with pytest.raises(PreferenceError, match="changed since this allocation ran"):
        allocation_publish(allocation=allocation, actor=instructor)
    assert Claim.objects.count() == 1 and not mail.outbox


def test_second_seats_are_inserted_after_every_first_seat(
    by_preference, instructor, make_user, session, reading
):
    """Five students, two readings of two seats: every first seat is inserted before a
    second one, so the trigger accepts each insert."""
    from courses.models import Membership, Role

    orca = add_reading(session, "Orca")
    for n in range(3):
        user = make_user(f"s{n}@example.edu", f"S {n}")
        Membership.objects.create(user=user, course=by_preference, role=Role.STUDENT)
        preferences_save(
            course=by_preference, user=user, reading_ids=[reading.pk, orca.pk], at=RANKING
        )
    allocation = allocation_run(course=by_preference, seed=1)
    claims = allocation_publish(allocation=allocation, actor=instructor)
    seats = sorted((c.reading_id, c.seat) for c in claims)
    assert seats == sorted([(reading.pk, 1), (reading.pk, 2), (orca.pk, 1)])


def test_publish_takes_the_course_lock(by_preference, rankings, instructor):
    allocation = allocation_run(course=by_preference, seed=3)
    with CaptureQueriesContext(connection) as queries:
        allocation_publish(allocation=allocation, actor=instructor)
    assert "FOR UPDATE" in queries.captured_queries[0]["sql"] or any(
        'FROM "courses_course"' in q["sql"] and "FOR UPDATE" in q["sql"]
        for q in queries.captured_queries
    )


def test_the_allocate_command_prints_statistics_and_publishes(
    by_preference, rankings, capsys, alice
):
    call_command("allocate", by_preference.code, "--seed", "5")
    out = capsys.readouterr().out
    assert "seed 5" in out and "1st: 2, 2nd: 1" in out and "not published" in out
    assert not Claim.objects.exists()
    call_command("allocate", by_preference.code, "--seed", "5", "--publish")
    assert "published: 4 claims" in capsys.readouterr().out
    assert Claim.objects.active().count() == 4
    assert Allocation.objects.filter(published_at__isnull=False).get().seed == 5


def test_the_allocate_command_refuses_a_first_come_course(course):
    with pytest.raises(CommandError, match="does not assign papers by preference"):
        call_command("allocate", course.code)


def test_after_publishing_each_student_sees_their_paper(
    login, by_preference, rankings, instructor, alice
):
    allocation_publish(allocation=allocation_run(course=by_preference, seed=3), actor=instructor)
    mine = Claim.objects.get(student=alice)
    with time_machine.travel(CLOSED, tick=False):
        body = login(alice).get(page(by_preference)).content.decode()
        board = login(alice).get(reverse("claims:board", args=[by_preference.code])).content
    assert 'id="my-paper"' in body and str(mine.reading.paper) in body
    assert b'id="my-claim"' in board


# ----------------------------------------------------------------- the admin


def test_staff_run_review_rerun_and_publish_in_the_admin(
    client, by_preference, rankings, instructor
):
    client.force_login(instructor)
    response = client.post(
        reverse("admin:claims_allocation_run"), {"course": by_preference.pk, "seed": "9"}
    )
    allocation = Allocation.objects.get()
    assert response.url == reverse("admin:claims_allocation_review", args=[allocation.pk])
    body = client.get(response.url).content.decode()
    assert "1st choice" in body and 'id="allocation-seed">9<' in body
    response = client.post(response.url, {"course": by_preference.pk, "seed": "10"})
    again = Allocation.objects.get(seed=10)
    assert response.url == reverse("admin:claims_allocation_review", args=[again.pk])
    client.post(reverse("admin:claims_allocation_publish", args=[again.pk]))
    assert Allocation.objects.get(pk=again.pk).is_published
    assert Claim.objects.active().count() == 4


def test_another_courses_staff_reach_no_allocation(client, by_preference, rankings, other_ta):
    allocation = allocation_run(course=by_preference, seed=1)
    client.force_login(other_ta)
    review = reverse("admin:claims_allocation_review", args=[allocation.pk])
    assert client.get(review).status_code == 404
    publish = reverse("admin:claims_allocation_publish", args=[allocation.pk])
    assert client.post(publish).status_code == 404
    assert not Claim.objects.exists()


def test_the_dashboard_says_rank_papers_until_the_close(login, by_preference, alice, four):
    with time_machine.travel(RANKING, tick=False):
        assert "Rank papers to present" in login(alice).get("/").content.decode()
    from courses.views.schedule import course_dates

    notes = [note.text for notes in course_dates(by_preference).values() for note in notes]
    assert notes[:2] == ["Paper preferences open", "Paper preferences due"]


def test_teams_rank_and_are_allocated_each_member_told(
    by_preference, alice, bob, dana, erin, instructor, four
):
    by_preference.presents_by = PresentsBy.TEAM
    by_preference.save()
    teams = []
    for name, users in (("Flash", (alice, bob)), ("Orcas", (dana, erin))):
        team = Team.objects.create(course=by_preference, name=name)
        for user in users:
            TeamMember.objects.create(team=team, user=user, course=by_preference)
        teams.append(team)
    for user in (alice, dana):  # both teams want Orca first
        preferences_save(
            course=by_preference, user=user, reading_ids=[four[1].pk, four[2].pk], at=RANKING
        )
    allocation = allocation_run(course=by_preference, seed=2)
    assert allocation.stats["by_rank"] == {"1": 1, "2": 1}
    claims = allocation_publish(allocation=allocation, actor=instructor)
    assert {c.team for c in claims} == set(teams) and not any(c.student for c in claims)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (alice, bob, dana, erin))


def test_cloning_moves_the_preference_window_with_the_dates(by_preference, four):
    from datetime import date

    from courses.services.schedule import clone_course

    result = clone_course(source=by_preference, new_code="ecs289d-f26", first_day=date(2026, 11, 3))
    copy = result.course
    assert copy.by_preference and copy.preferences_min_ranked == 2
    shift = copy.preferences_open_at - by_preference.preferences_open_at
    assert shift.days % 7 == 0 and shift.days > 0


def test_staff_see_how_the_class_ranked_each_reading(login, by_preference, rankings, ta):
    with time_machine.travel(RANKING, tick=False):
        body = login(ta).get(page(by_preference)).content.decode()
    assert "3 students ranked so far" in body
    assert 'id="demand"' in body and 'name="rank-' not in body

"""Paper claims: the board, the rules, the audit trail and the database's own guard.

People (see tests/conftest.py): alice and bob are students of `course`; dana and
erin are more students of it (made here); instructor and ta run it; charlie is
in another course and must reach nothing here.
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services as service
from claims.models import Claim, ClaimEvent
from claims.services import (
    ClaimError,
    claim_assign,
    claim_move,
    claim_reading,
    claim_reading_in,
    claim_remove,
    claim_withdraw,
)
from courses.models import (
    Course,
    Membership,
    Paper,
    PresentsBy,
    Reading,
    Session,
    SessionKind,
)
from teams.models import Team, TeamMember
from tests.conftest import LA

BEFORE_OPEN = datetime(2025, 9, 25, 11, 59, tzinfo=LA)
OPEN = datetime(2025, 9, 26, 10, 0, tzinfo=LA)
AFTER_CLOSE = datetime(2025, 10, 1, 9, 0, tzinfo=LA)


def add_reading(session, title, **extra):
    paper = Paper.objects.create(course=session.course, title=title)
    order = session.readings.count() + 1
    return Reading.objects.create(session=session, paper=paper, order=order, **extra)


def board(course):
    return reverse("claims:board", args=[course.code])


def claim_url(course, reading):
    return reverse("claims:claim_create", args=[course.code, reading.pk])


def test_before_the_window_opens_buttons_are_disabled_and_say_when(login, course, alice, readings):
    with time_machine.travel(BEFORE_OPEN, tick=False):
        client = login(alice)
        page = client.get(board(course)).content.decode()
        assert "Claiming opens <strong>Thu Sep 25, 12:00 PM PDT</strong>" in page
        assert "disabled" in page and ">Claim<" not in page
        response = client.post(claim_url(course, readings[0]), follow=True)
    assert "Claiming opens Thu Sep 25, 12:00 PM PDT" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_student_claims_a_free_reading_and_the_board_shows_it(
    login, course, alice, readings, window_open
):
    client = login(alice)
    response = client.post(claim_url(course, readings[0]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You present" in page and 'id="my-claim"' in page
    claim = Claim.objects.get()
    assert (claim.student, claim.reading, claim.seat, claim.claimed_by) == (
        alice,
        readings[0],
        1,
        alice,
    )
    assert "Sep 26, 10:00:00 AM" in page  # the claim's time, course time zone


def test_losing_a_race_names_the_holder_and_shows_what_is_free(
    login, course, alice, bob, readings, window_open
):
    claim_reading(reading=readings[0], user=alice)
    response = login(bob).post(claim_url(course, readings[0]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Alice Archer got “FlashInfer" in page
    assert f'<strong>Still free:</strong>\n        <a href="#reading-{readings[1].pk}">Orca' in page
    assert Claim.objects.active().count() == 1


def test_a_student_holds_at_most_the_course_limit(course, alice, readings, window_open):
    claim_reading(reading=readings[0], user=alice)
    with pytest.raises(ClaimError, match="already presents"):
        claim_reading(reading=readings[1], user=alice)
    course.claims_per_presenter = 2
    course.save()
    claim_reading(reading=readings[1], user=alice)
    assert Claim.objects.active().filter(student=alice).count() == 2


def test_second_seat_opens_only_when_all_readings_taken(
    login, course, alice, bob, dana, readings, window_open
):
    claim_reading(reading=readings[0], user=alice)
    with pytest.raises(ClaimError, match="only once every reading has a presenter"):
        claim_reading(reading=readings[0], user=bob)
    page = login(bob).get(board(course)).content.decode()
    assert "second seats are now open" not in page
    claim_reading(reading=readings[1], user=bob)
    second = claim_reading(reading=readings[0], user=dana)
    assert second.seat == 2
    page = login(dana).get(board(course)).content.decode()
    assert "second seats are now open" in page


def test_a_reading_never_takes_more_than_presenters_per_reading(
    course, alice, bob, dana, erin, readings, window_open
):
    claim_reading(reading=readings[0], user=alice)
    claim_reading(reading=readings[1], user=bob)
    claim_reading(reading=readings[0], user=dana)
    with pytest.raises(ClaimError, match="got “FlashInfer") as refused:
        claim_reading(reading=readings[0], user=erin)
    assert refused.value.holders == ["Alice Archer", "Dana Diaz"]


def test_instructor_readings_and_non_class_sessions_are_not_claimable(
    course, alice, session, readings, window_open
):
    own = session.readings.get(presented_by_instructor=True)
    holiday = Session.objects.create(
        course=course, date=date(2025, 11, 11), kind=SessionKind.HOLIDAY
    )
    off = add_reading(holiday, "Read over the break")
    for reading in (own, off):
        with pytest.raises(ClaimError, match="cannot be claimed"):
            claim_reading(reading=reading, user=alice)


def test_withdrawal_frees_the_seat_and_is_kept(login, course, alice, bob, readings, window_open):
    claim = claim_reading(reading=readings[0], user=alice)
    login(alice).post(reverse("claims:claim_withdraw", args=[course.code, claim.pk]))
    claim.refresh_from_db()
    assert claim.withdrawn_at is not None and claim.withdrawn_by == alice
    assert claim_reading(reading=readings[0], user=bob).seat == 1
    actions = list(ClaimEvent.objects.order_by("id").values_list("action", "actor__email"))
    assert actions == [
        ("claim", "alice@example.edu"),
        ("withdraw", "alice@example.edu"),
        ("claim", "bob@example.edu"),
    ]


def test_only_the_holder_withdraws(login, course, alice, bob, readings, window_open):
    claim = claim_reading(reading=readings[0], user=alice)
    response = login(bob).post(
        reverse("claims:claim_withdraw", args=[course.code, claim.pk]), follow=True
    )
    assert "Only the presenter can withdraw" in response.content.decode()
    assert Claim.objects.active().count() == 1


def test_after_close_students_cannot_claim_or_withdraw(login, course, alice, bob, readings):
    with time_machine.travel(OPEN, tick=False):
        claim = claim_reading(reading=readings[0], user=alice)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        page = login(bob).post(claim_url(course, readings[1]), follow=True).content.decode()
        assert "The claim window closed Tue Sep 30, 11:59 PM PDT" in page
        assert "final assignments" in page
        with pytest.raises(ClaimError, match="closed"):
            claim_withdraw(claim=claim, user=alice)
    assert Claim.objects.active().count() == 1


def test_staff_assign_after_close_with_a_reason(login, course, instructor, bob, readings):
    with time_machine.travel(AFTER_CLOSE, tick=False):
        client = login(instructor)
        url = reverse("claims:claim_assign", args=[course.code])
        data = {"reading": readings[1].pk, "holder": f"student:{bob.pk}"}
        page = client.post(url, data, follow=True).content.decode()
        assert "Give a reason" in page
        client.post(url, {**data, "reason": "missed the window, was ill"})
    claim = Claim.objects.get()
    assert (claim.student, claim.by_staff, claim.claimed_by) == (bob, True, instructor)
    event = ClaimEvent.objects.get()
    assert (event.action, event.actor, event.reason) == (
        "assign",
        instructor,
        "missed the window, was ill",
    )


def test_staff_move_and_remove_are_logged_with_reasons(
    login, course, ta, alice, readings, window_open
):
    claim = claim_reading(reading=readings[0], user=alice)
    client = login(ta)
    client.post(
        reverse("claims:claim_move", args=[course.code, claim.pk]),
        {"reading": readings[1].pk, "reason": "swap requested"},
    )
    claim.refresh_from_db()
    assert claim.reading == readings[1] and claim.withdrawn_at is None
    client.post(reverse("claims:claim_remove", args=[course.code, claim.pk]), {"reason": "dropped"})
    claim.refresh_from_db()
    assert claim.withdrawn_by == ta
    assert list(ClaimEvent.objects.order_by("id").values_list("action", "reason")) == [
        ("claim", ""),
        (
            "move",
            "from “FlashInfer: Efficient and Customizable Attention Engine for LLM Inference Serving”: swap requested",
        ),
        ("remove", "dropped"),
    ]


def test_staff_move_refuses_to_open_a_second_seat_while_a_reading_is_free(
    course, instructor, alice, bob, readings, window_open
):
    claim_reading(reading=readings[0], user=alice)
    mover = claim_reading(reading=readings[1], user=bob)
    # Moving bob onto FlashInfer would leave Orca free while FlashInfer has two.
    with pytest.raises(ClaimError, match="only once every reading"):
        claim_move(claim=mover, reading=readings[0], actor=instructor, reason="swap")


def test_students_cannot_use_staff_actions(login, course, alice, bob, readings, window_open):
    claim = claim_reading(reading=readings[0], user=bob)
    client = login(alice)
    assign = reverse("claims:claim_assign", args=[course.code])
    remove = reverse("claims:claim_remove", args=[course.code, claim.pk])
    assert (
        client.post(
            assign, {"reading": readings[1].pk, "holder": f"student:{alice.pk}", "reason": "x"}
        ).status_code
        == 404
    )
    assert client.post(remove, {"reason": "x"}).status_code == 404
    assert "Assign a presenter" not in client.get(board(course)).content.decode()
    assert Claim.objects.active().count() == 1


def test_a_course_without_a_window_has_no_claims_board(login, course, alice, readings):
    course.claims_open_at = course.claims_close_at = None
    course.save()
    assert login(alice).get(board(course)).status_code == 404
    with pytest.raises(ClaimError, match="no paper claims"):
        claim_reading(reading=readings[0], user=alice)


def test_outsiders_get_404_and_anonymous_visitors_sign_in(client, login, course, charlie, readings):
    assert client.get(board(course)).status_code == 302
    assert login(charlie).get(board(course)).status_code == 404
    assert login(charlie).post(claim_url(course, readings[0])).status_code == 404


def test_staff_cannot_claim_for_themselves(course, ta, readings, window_open):
    with pytest.raises(ClaimError, match="Only students"):
        claim_reading(reading=readings[0], user=ta)


def test_team_courses_claim_per_team(login, course, alice, bob, dana, readings, window_open):
    course.presents_by = PresentsBy.TEAM
    course.save()
    team = Team.objects.create(course=course, name="Kernels")
    TeamMember.objects.create(team=team, user=alice)
    TeamMember.objects.create(team=team, user=bob)
    page = login(dana).post(claim_url(course, readings[0]), follow=True).content.decode()
    assert "form or join a team first" in page
    claim = claim_reading(reading=readings[0], user=alice)
    assert (claim.team, claim.student, claim.claimed_by) == (team, None, alice)
    page = login(bob).get(board(course)).content.decode()
    assert "Your team (Kernels) presents" in page
    with pytest.raises(ClaimError, match="Kernels already presents"):
        claim_reading(reading=readings[1], user=bob)
    claim_withdraw(claim=claim, user=bob)  # any member may give it back
    assert not Claim.objects.active().exists()


def test_assign_without_reason_is_refused(course, instructor, alice, readings):
    with pytest.raises(ClaimError, match="reason"):
        claim_assign(reading=readings[0], student=alice, actor=instructor, reason="  ")
    claim = claim_assign(reading=readings[0], student=alice, actor=instructor, reason="ok")
    with pytest.raises(ClaimError, match="reason"):
        claim_remove(claim=claim, actor=instructor, reason="")


# The database's own guard: these bypass Python entirely.


def raw_claim(course, reading, student, seat=1):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO courses_claim (course_id, reading_id, student_id, seat, by_staff,"
            " reason, feedback) VALUES (%s, %s, %s, %s, false, '', '')",
            [course.pk, reading.pk, student.pk, seat],
        )


def sqlstate(excinfo):
    return excinfo.value.__cause__.pgcode


def test_the_database_refuses_a_raw_insert_over_capacity(course, alice, bob, dana, readings):
    course.presenters_per_reading = 1
    course.save()
    raw_claim(course, readings[0], alice)
    with pytest.raises(DatabaseError) as refused:
        raw_claim(course, readings[0], bob, seat=2)
    assert sqlstate(refused) == "SC001"
    assert Claim.objects.filter(reading=readings[0]).count() == 1


def test_the_database_refuses_a_second_seat_while_a_reading_is_free(course, alice, bob, readings):
    raw_claim(course, readings[0], alice)
    with pytest.raises(DatabaseError) as refused:
        raw_claim(course, readings[0], bob, seat=2)
    assert sqlstate(refused) == "SC003"


def test_a_freed_first_seat_is_not_a_way_around_the_second_seat_rule(
    login, course, alice, bob, dana, erin, readings, window_open
):
    """Seats free in any order: once X's first presenter and Y's presenter withdraw, X
    still has its second presenter, so X takes nobody else while Y is free."""
    x, y = readings
    first_on_x = claim_reading(reading=x, user=alice)
    on_y = claim_reading(reading=y, user=bob)
    assert claim_reading(reading=x, user=dana).seat == 2  # every reading taken: 2nd seat
    claim_withdraw(claim=first_on_x, user=alice)
    claim_withdraw(claim=on_y, user=bob)
    with pytest.raises(ClaimError, match="only once every reading has a presenter"):
        claim_reading(reading=x, user=erin)
    page = login(erin).post(claim_url(course, x), follow=True).content.decode()
    assert "Dana Diaz got “FlashInfer" in page and "only once every reading" in page
    assert claim_reading(reading=y, user=erin).seat == 1
    assert Claim.objects.active().filter(reading=x).count() == 1


def test_the_database_refuses_a_second_presenter_on_a_freed_first_seat(
    course, alice, bob, readings
):
    x, _ = readings
    raw_claim(course, x, alice, seat=2)  # bypassing the rule: the trigger still counts
    with pytest.raises(DatabaseError) as refused:
        raw_claim(course, x, bob, seat=1)
    assert sqlstate(refused) == "SC003"


def test_the_database_refuses_a_holder_over_the_limit(course, alice, readings):
    raw_claim(course, readings[0], alice)
    with pytest.raises(DatabaseError) as refused:
        raw_claim(course, readings[1], alice)
    assert sqlstate(refused) == "SC002"


def test_grading_a_claim_is_not_refused_by_the_guard(course, alice, readings):
    raw_claim(course, readings[0], alice)
    course.presenters_per_reading = 1
    course.claims_per_presenter = 1
    course.save()
    Claim.objects.update(points=9, feedback="clear and well paced")
    assert Claim.objects.get().points == 9


def _statements(queries):
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_claim_the_look_gave_a_seat_is_one_statement_that_locks_the_course_first(
    course, alice, readings, window_open
):
    reading = Reading.objects.select_related("course", "session", "paper").get(pk=readings[0].pk)
    with CaptureQueriesContext(connection) as queries:
        claim = claim_reading(reading=reading, user=alice)
    statements = _statements(queries)
    assert len(statements) == 2, statements
    assert statements[0].startswith("SELECT * FROM courses_claim_glance(")
    one = statements[1]
    # The course row is locked (FOR UPDATE) before the rows that decide: the claim and
    # its event are inserted from the locked row, so the trigger counts under the lock.
    assert one.lstrip().startswith("WITH course AS (")
    assert one.index("FOR UPDATE") < one.index("INSERT INTO courses_claim ")
    assert one.index("INSERT INTO courses_claim ") < one.index("INSERT INTO courses_claimevent")
    assert "FOR UPDATE" not in statements[0]
    event = ClaimEvent.objects.get()
    assert (claim.pk, claim.seat, claim.claimed_at) == (event.claim_id, 1, event.at)
    assert claim.claimed_at - OPEN < timedelta(seconds=1)  # the app's clock, not the database's


def test_the_one_statement_writes_what_the_locked_path_writes(
    course, alice, bob, readings, window_open
):
    """Every column of the claim and its event, but ids and instants, is what the locked
    path (a staff assignment's, here with the student's own fields) would have saved."""
    fast = claim_reading(reading=readings[0], user=alice)
    fast_row = Claim.objects.filter(pk=fast.pk).values().get()
    fast_event = ClaimEvent.objects.filter(claim=fast).values().get()
    locked = claim_assign(reading=readings[1], student=bob, actor=bob, reason="x")
    Claim.objects.filter(pk=locked.pk).update(by_staff=False, reason="")
    ClaimEvent.objects.filter(claim=locked).update(action="claim", reason="")
    locked_row = Claim.objects.filter(pk=locked.pk).values().get()
    locked_event = ClaimEvent.objects.filter(claim=locked).values().get()
    differ = {"id", "claim_id", "reading_id", "student_id", "claimed_by_id", "actor_id"}
    differ |= {"claimed_at", "at", "paper_title", "holder"}
    assert {k: v for k, v in fast_row.items() if k not in differ} == {
        k: v for k, v in locked_row.items() if k not in differ
    }
    assert {k: v for k, v in fast_event.items() if k not in differ} == {
        k: v for k, v in locked_event.items() if k not in differ
    }
    assert (fast_row["student_id"], fast_row["claimed_by_id"]) == (alice.pk, alice.pk)
    assert (fast_event["holder"], fast_event["paper_title"]) == (
        "Alice Archer",
        readings[0].paper.title,
    )
    assert fast_event["session_date"] == readings[0].session.date


def test_where_the_look_cannot_decide_the_claim_decides_under_the_lock(
    course, alice, readings, window_open
):
    """A student who already holds a reading (and may hold two): which one decides the
    answer, and only the locked path reads it."""
    course.claims_per_presenter = 2
    course.save()
    claim_reading(reading=readings[0], user=alice)
    with CaptureQueriesContext(connection) as queries:
        claim_reading(reading=readings[1], user=alice)
    statements = _statements(queries)
    lock = next(
        i
        for i, sql in enumerate(statements)
        if sql.startswith('SELECT "courses_course"') and sql.endswith("FOR UPDATE")
    )
    insert = next(
        i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "courses_claim"')
    )
    assert lock < insert
    # Everything the decision reads about claims is read while holding the lock.
    reads = [
        i
        for i, sql in enumerate(statements)
        if sql.startswith('SELECT "courses_claim"') and i > lock
    ]
    assert reads and all(lock < i < insert for i in reads)


def test_a_seat_taken_after_the_look_is_refused_with_who_took_it(
    course, alice, bob, readings, window_open
):
    """Bob's look saw FlashInfer free; Alice took it before his statement ran. The trigger
    refuses his statement and the locked path names her."""
    stale = service._at_a_glance(course, readings[0].pk, bob)
    claim_reading(reading=readings[0], user=alice)
    with pytest.raises(ClaimError, match="Alice Archer got “FlashInfer") as refused:
        service._claim(course, readings[0].pk, bob, glance=stale)
    assert refused.value.holders == ["Alice Archer"]
    assert Claim.objects.active().count() == 1 == ClaimEvent.objects.count()


def test_a_seat_number_taken_after_the_look_goes_to_the_next_seat(
    course, alice, bob, dana, readings, window_open
):
    """Second seats are open; Bob's look saw seat 1 of Orca free, Dana took it: the unique
    seat refuses his statement, and under the lock he gets seat 2."""
    x, y = readings
    claim_reading(reading=x, user=alice)
    stale = service._at_a_glance(course, y.pk, bob)
    claim_reading(reading=y, user=dana)  # now every reading has a presenter
    claim = service._claim(course, y.pk, bob, glance=stale)
    assert (claim.reading_id, claim.seat) == (y.pk, 2)


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"claims_open_at": OPEN + timedelta(hours=1)}, "Claiming opens"),
        ({"claims_close_at": OPEN - timedelta(minutes=1)}, "claim window closed"),
        (
            {"claims_mode": "preferences", "preferences_open_at": OPEN - timedelta(days=1)},
            "assigns papers by preference",
        ),
        ({"presenters_per_reading": 3}, None),
        ({"claims_per_presenter": 2}, None),
    ],
    ids=["opens-later", "closed", "by-preference", "seats", "claims-per-presenter"],
)
def test_claim_settings_changed_after_the_look_are_decided_on_under_the_lock(
    course, bob, readings, window_open, change, refused
):
    """The course in hand is the one the view read; staff saved new settings since. The one
    statement takes nothing (it locks the course only where the settings are still those
    the rule decided on), and the locked path decides on what it reads there: it refuses
    what the new window or mode refuses, and seats the others itself."""
    in_hand = Course.objects.get(pk=course.pk)
    Course.objects.filter(pk=course.pk).update(**change)
    with CaptureQueriesContext(connection) as queries:
        if refused:
            with pytest.raises(ClaimError, match=refused):
                claim_reading_in(course=in_hand, reading_id=readings[1].pk, user=bob)
        else:
            claim = claim_reading_in(course=in_hand, reading_id=readings[1].pk, user=bob)
            assert claim.seat == 1
    statements = _statements(queries)
    assert any(sql.startswith("\nWITH course AS (") for sql in statements)
    locked = service.LOCK_RULES_SQL.replace("%s", str(course.pk))
    assert locked in statements  # decided under the lock
    assert ClaimEvent.objects.count() == (0 if refused else 1)


def test_a_second_seat_is_decided_under_the_lock(course, alice, bob, dana, readings, window_open):
    """Every reading has a presenter, so Orca's second seat is open; the look gives Bob seat
    2. Seat 1 may be freed before his claim runs, and then the rule gives him seat 1: only
    the locked path, which reads the claims under the lock, takes a second seat."""
    x, y = readings
    claim_reading(reading=x, user=alice)
    first_on_y = claim_reading(reading=y, user=dana)
    stale = service._at_a_glance(course, y.pk, bob)  # sees seat 1 held
    claim_withdraw(claim=first_on_y, user=dana)
    with CaptureQueriesContext(connection) as queries:
        claim = service._claim(course, y.pk, bob, glance=stale)
    assert claim.seat == 1  # the lowest free seat, as the rule gives it
    assert not any(sql.lstrip().startswith("WITH course AS (") for sql in _statements(queries))


def test_a_dropped_student_cannot_claim_through_the_service(course, alice, readings, window_open):
    Membership.objects.filter(course=course, user=alice).update(dropped_at=OPEN)
    with pytest.raises(ClaimError, match="Only students of this course"):
        claim_reading(reading=readings[0], user=alice)
    assert not Claim.objects.exists()


def test_a_rush_loser_is_answered_without_waiting_for_the_lock(
    course, alice, bob, readings, window_open
):
    claim_reading(reading=readings[0], user=alice)
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(ClaimError, match="Alice Archer got"):
            claim_reading(reading=readings[0], user=bob)
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_a_rush_loser_clicking_the_board_costs_two_queries(
    login, course, alice, bob, readings, window_open
):
    """The session, and one statement: the user, the course with the membership and the
    look at the reading's claims (planned once per connection: claims/migrations/0008)."""
    claim_reading(reading=readings[0], user=alice)
    client = login(bob)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(claim_url(course, readings[0]))
    assert response.status_code == 302
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2, statements
    assert "django_session" in statements[0]
    assert " FROM courses_claim_access(" in statements[-1]
    assert not any("FOR UPDATE" in sql for sql in statements)
    page = client.get(board(course)).content.decode()
    assert "Alice Archer got “FlashInfer" in page


def test_a_winner_clicking_the_board_costs_three_queries(
    login, course, alice, readings, window_open
):
    client = login(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(claim_url(course, readings[0]))
    assert response.status_code == 302
    statements = _statements(queries)
    assert len(statements) == 3, statements
    assert " FROM courses_claim_access(" in statements[1]
    assert statements[-1].lstrip().startswith("WITH course AS (")
    page = client.get(board(course)).content.decode()
    assert "You present “FlashInfer" in page


def test_the_board_button_refuses_readings_of_other_courses_and_instructor_readings(
    login, course, other_course, alice, readings, window_open
):
    elsewhere = add_reading(
        Session.objects.create(course=other_course, date=date(2025, 11, 4)), "Elsewhere"
    )
    client = login(alice)
    assert client.post(claim_url(course, elsewhere)).status_code == 404
    own = Reading.objects.get(course=course, presented_by_instructor=True)
    page = client.post(claim_url(course, own), follow=True).content.decode()
    assert "presented by the instructor; it cannot be claimed" in page
    assert not Claim.objects.exists()


def test_the_board_button_claims_for_a_student_and_says_so(
    login, course, alice, readings, window_open
):
    page = login(alice).post(claim_url(course, readings[1]), follow=True).content.decode()
    assert "You present “Orca: A Distributed Serving System”" in page
    assert Claim.objects.active().get().student == alice


def test_withdrawing_locks_the_course_row(course, alice, readings, window_open):
    claim = claim_reading(reading=readings[0], user=alice)
    with CaptureQueriesContext(connection) as queries:
        claim_withdraw(claim=claim, user=alice)
    assert any(
        q["sql"].startswith('SELECT "courses_course"') and q["sql"].endswith("FOR UPDATE")
        for q in queries.captured_queries
    )


def _fill(course, session, count, students):
    for i in range(count):
        reading = add_reading(session, f"Paper {session.pk}-{i}")
        claim_assign(reading=reading, student=students[i], actor=None, reason="seed")


@pytest.mark.parametrize("size", [2, 12])
def test_board_runs_a_fixed_number_of_queries(
    login, course, instructor, student, django_assert_max_num_queries, size
):
    students = [student(f"s{size}-{i}@example.edu", f"S {i}") for i in range(size)]
    for day in (4, 6):
        session = Session.objects.create(course=course, date=date(2025, 11, day))
        _fill(course, session, size // 2, students[(day // 6) * (size // 2) :])
    client = login(instructor)
    with django_assert_max_num_queries(12):
        response = client.get(board(course))
    assert response.status_code == 200
    assert response.content.decode().count('class="list-group-item"') == size


def test_the_board_refreshes_itself_without_inline_script(login, course, alice, readings):
    page = login(alice).get(board(course)).content.decode()
    assert 'id="claims-board" data-refresh-url="/courses/ecs289d-f25/claims/"' in page
    assert "<script>" not in page and "onclick" not in page


@pytest.mark.parametrize("path", ["one statement", "locked"])
def test_a_claim_that_arrived_before_the_close_counts_though_it_waited_past_it(
    monkeypatch, login, course, alice, readings, path
):
    """SPEC: the server's clock decides at the moment the request arrives; a claim that
    queued for the course lock across the close is judged on its arrival, on either path
    (the locked one where Alice already holds a reading and may hold two)."""
    close = course.claims_close_at
    waits_in = "_claim_in_one_statement"
    if path == "locked":
        course.claims_per_presenter = 2
        course.save()
        claim_assign(reading=readings[1], student=alice, actor=None, reason="seed")
        waits_in = "_lock_course_rules"
    real = getattr(service, waits_in)
    client = login(alice)
    with time_machine.travel(close - timedelta(milliseconds=5), tick=False) as clock:

        def slow(*args):
            clock.move_to(close + timedelta(milliseconds=50))  # waited behind others
            return real(*args)

        monkeypatch.setattr(service, waits_in, slow)
        page = client.post(claim_url(course, readings[0]), follow=True).content.decode()
    assert "You present" in page
    assert Claim.objects.active().get(reading=readings[0]).student == alice


def test_the_boards_refresh_leaves_a_claims_answer_to_the_page_seen_next(
    login, course, alice, bob, readings, window_open
):
    """The board refreshes itself every 10 s with a fetch. One that lands between a claim's
    answer and the page showing it must not take the answer ("… got it first") away."""
    claim_reading(reading=readings[0], user=alice)
    client = login(bob)
    client.post(claim_url(course, readings[0]))  # the answer waits in the messages cookie
    refresh = client.get(board(course), headers={"X-Requested-With": "fetch"})
    assert "Alice Archer got" not in refresh.content.decode()
    assert 'id="claims-board"' in refresh.content.decode()  # the part the refresh swaps in
    assert "Alice Archer got “FlashInfer" in client.get(board(course)).content.decode()

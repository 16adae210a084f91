"""Real concurrency on real PostgreSQL: many students press "claim" in the same instant.

Each thread has its own database connection (its own session in PostgreSQL), so
the only thing ordering them is the database: the course-row lock and the trigger
of migration 0004. The people are 100 students of `course` made here, plus four
who already hold a reading and withdraw at the same instant.
"""

import threading
import time
from collections import Counter
from datetime import date

import pytest
import time_machine
from django.db import connection, connections, transaction

from claims.models import Claim, ClaimEvent
from claims.services import (
    ClaimError,
    claim_assign,
    claim_reading,
    claim_reading_in,
    claim_withdraw,
)
from courses.models import Course, Membership, Paper, Reading, Role, Session
from tests.claims.test_claims import OPEN

CLAIMERS = 100
READINGS = 8
WITHDRAWERS = 4


def free_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
            " WHERE backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def run_all(actions):
    """Run every action in its own thread, all released by one barrier; return outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def worker(index, action):
        try:
            connection.ensure_connection()  # connect before the start line, not after
            barrier.wait(timeout=60)
            outcomes[index] = action()
        except ClaimError as refused:
            outcomes[index] = refused
        except BaseException as unexpected:  # noqa: BLE001 - reported by the test
            outcomes[index] = unexpected
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return outcomes


def assert_invariants(course, readings):
    active = list(Claim.objects.active().filter(course=course))
    per_reading = Counter(c.reading_id for c in active)
    per_holder = Counter(c.student_id for c in active)
    assert max(per_reading.values()) <= course.presenters_per_reading
    assert max(per_holder.values()) <= course.claims_per_presenter
    assert len({(c.reading_id, c.seat) for c in active}) == len(active)
    # Replay the audit trail in commit order (events are written under the course
    # lock, so their ids follow it): a second presenter (a claim on a reading that
    # had one, whatever its seat number) only ever joined while every reading had one.
    holders: dict[int, set[int]] = {r.pk: set() for r in readings}
    for event in ClaimEvent.objects.filter(course=course).select_related("claim").order_by("id"):
        if event.action in ("claim", "assign"):
            if holders[event.reading_id]:
                assert all(holders[pk] for pk in holders), f"second seat opened early: {event}"
            holders[event.reading_id].add(event.claim_id)
        else:
            holders[event.reading_id].discard(event.claim_id)
    return active


@pytest.mark.django_db(transaction=True)
def test_simultaneous_claims_and_withdrawals_keep_every_invariant(course, make_user):
    session = Session.objects.create(course=course, date=date(2025, 11, 4))
    readings = [
        Reading.objects.create(
            session=session, paper=Paper.objects.create(course=course, title=f"P{i}"), order=i
        )
        for i in range(READINGS)
    ]
    users = []
    for i in range(CLAIMERS + WITHDRAWERS):
        user = make_user(f"rush{i}@example.edu", f"Rush {i}")
        Membership.objects.create(user=user, course=course, role=Role.STUDENT)
        users.append(user)
    claimers, withdrawers = users[:CLAIMERS], users[CLAIMERS:]
    held = [
        claim_assign(reading=readings[i], student=w, actor=None, reason="seed")
        for i, w in enumerate(withdrawers)
    ]

    needed = CLAIMERS + WITHDRAWERS + 2
    available = free_connections()
    if available < needed:
        pytest.fail(
            f"PostgreSQL has {available} free connections; this test needs {needed}. "
            "Raise max_connections (README: 'Running the concurrency test')."
        )
    connection.close()  # the main thread's connection is not needed during the rush

    with time_machine.travel(OPEN, tick=False):
        # Half claim through the service with a reading in hand, half as the board's
        # button does (the reading found by id in the course, in the look before the lock).
        actions = [
            (lambda u=u, r=readings[i % READINGS]: claim_reading(reading=r, user=u))
            if i % 2
            else (
                lambda u=u, r=readings[i % READINGS]: claim_reading_in(
                    course=Course.objects.get(pk=r.course_id), reading_id=r.pk, user=u
                )
            )
            for i, u in enumerate(claimers)
        ]
        actions += [
            (lambda c=c, u=u: claim_withdraw(claim=c, user=u))
            for c, u in zip(held, withdrawers, strict=True)
        ]
        outcomes = run_all(actions)

    unexpected = [o for o in outcomes if not isinstance(o, Claim | ClaimError)]
    assert not unexpected, f"requests without a definite answer: {unexpected[:3]}"
    claimed = [o for o in outcomes[:CLAIMERS] if isinstance(o, Claim)]
    withdrawn = [o for o in outcomes[CLAIMERS:] if isinstance(o, Claim)]
    assert len(withdrawn) == WITHDRAWERS
    active = assert_invariants(course, readings)
    assert {c.pk for c in active} == {c.pk for c in claimed}
    assert len(claimed) <= READINGS * course.presenters_per_reading
    # The readings nobody held are never refused to their first claimer.
    assert len({c.reading_id for c in claimed}) >= READINGS - WITHDRAWERS
    refused = [o for o in outcomes if isinstance(o, ClaimError)]
    assert all(o.holders or "first" in o.message for o in refused)
    assert ClaimEvent.objects.count() == WITHDRAWERS * 2 + len(claimed)


def _wait_until_blocked_on_a_lock(pattern: str, seconds: float = 30) -> None:
    """Return once a backend running ``pattern`` (SQL LIKE) waits for a lock."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE %s",
                [pattern],
            )
            if cursor.fetchone()[0]:
                return
    pytest.fail(f"no statement like {pattern!r} ever waited for a lock")


def _flashinfer_and_orca(course):
    session = Session.objects.create(course=course, date=date(2025, 11, 4))
    return [
        Reading.objects.create(
            session=session, paper=Paper.objects.create(course=course, title=title), order=i
        )
        for i, title in enumerate(["FlashInfer", "Orca"], start=1)
    ]


def _while_it_holds_the_lock(first, then):
    """Run ``first()`` in a transaction on its own connection and keep it open (the course
    lock held, its change uncommitted) until ``then()``, on another connection, waits for
    that lock in a claim's one statement; then commit. Return what ``then()`` returned or
    the ClaimError it raised."""
    done, release = threading.Event(), threading.Event()
    outcome = {}

    def holding():
        try:
            with transaction.atomic():
                first()
                done.set()
                release.wait(timeout=60)
        finally:
            connections.close_all()

    def waiting():
        try:
            outcome["then"] = then()
        except ClaimError as refused:
            outcome["then"] = refused
        finally:
            connections.close_all()

    with time_machine.travel(OPEN, tick=False):
        holder = threading.Thread(target=holding)
        holder.start()
        assert done.wait(timeout=60)
        waiter = threading.Thread(target=waiting)
        waiter.start()
        _wait_until_blocked_on_a_lock("%WITH course AS (%")
        release.set()
        holder.join(timeout=60)
        waiter.join(timeout=60)
    return outcome["then"]


@pytest.mark.django_db(transaction=True)
def test_a_claim_that_waited_for_the_lock_sees_the_claim_committed_before_it(course, make_user):
    """Alice's claim holds the course lock, uncommitted, when Bob's look sees FlashInfer
    free: his one statement waits for the lock, is refused once she commits (by the
    trigger or the seat's unique index), and the claim decides again under the lock, which
    answers him with her name. (The next test is the one only the trigger can refuse.)"""
    x, y = _flashinfer_and_orca(course)
    alice, bob = (make_user(f"{n}@example.edu", f"{n.title()} Archer") for n in ("alice", "bob"))
    for user in (alice, bob):
        Membership.objects.create(user=user, course=course, role=Role.STUDENT)
    refused = _while_it_holds_the_lock(
        lambda: claim_reading(reading=x, user=alice),
        lambda: claim_reading(reading=x, user=bob),
    )
    assert isinstance(refused, ClaimError), refused
    assert refused.holders == ["Alice Archer"]
    assert "got “FlashInfer” first" in refused.message
    assert list(Claim.objects.active().values_list("student", flat=True)) == [alice.pk]
    assert ClaimEvent.objects.count() == 1
    assert y.claims.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_trigger_counts_what_was_committed_while_the_claim_waited(course, make_user):
    """Staff assign Bob to Orca and hold the course lock, uncommitted, when Bob's look sees
    that he holds nothing and FlashInfer free: his one statement waits for the lock. Once
    the assignment commits, only the trigger can refuse him (no unique index spans two
    readings), and only if it counts on what is committed after the wait, not on the
    statement's older snapshot. He keeps Orca alone and is told so."""
    x, y = _flashinfer_and_orca(course)
    bob = make_user("bob@example.edu", "Bob Baker")
    Membership.objects.create(user=bob, course=course, role=Role.STUDENT)
    refused = _while_it_holds_the_lock(
        lambda: claim_assign(reading=y, student=bob, actor=None, reason="swap agreed"),
        lambda: claim_reading(reading=x, user=bob),
    )
    assert isinstance(refused, ClaimError), refused
    assert refused.code == "holder_full"
    assert "Bob Baker already presents “Orca”" in refused.message
    assert list(Claim.objects.active().values_list("reading", flat=True)) == [y.pk]

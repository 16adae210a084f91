"""Presenter swaps under first come (claims/swaps.py): offered, accepted in one
transaction that keeps every invariant, called off by either side, raced against claims.

People (tests/conftest.py, tests/claims/conftest.py): alice presents FlashInfer, bob
presents Orca; dana and erin are more students; charlie is in another course.
"""

from collections import Counter
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from claims.models import Claim, ClaimEvent, SwapProposal
from claims.services import ClaimError, claim_assign, claim_reading, claim_withdraw
from claims.swaps import swap_accept, swap_cancel, swap_propose
from courses.models import Membership, Paper, PresentsBy, Reading, Role, Session
from teams.models import Team, TeamMember
from tests.claims.test_claims import AFTER_CLOSE, OPEN
from tests.claims.test_claims_concurrency import free_connections, run_all


@pytest.fixture
def held(course, alice, bob, readings, window_open):
    """Alice holds FlashInfer, Bob holds Orca."""
    return claim_reading(reading=readings[0], user=alice), claim_reading(
        reading=readings[1], user=bob
    )


def holder_of(reading):
    return {c.student for c in Claim.objects.active().filter(reading=reading)}


def test_an_accepted_swap_changes_both_claims_with_an_audit_trail(held, alice, bob, readings):
    mine, theirs = held
    swap = swap_propose(offered=mine, wanted=theirs, user=alice)
    assert [m.to for m in mail.outbox] == [[bob.email]]
    new_bob, new_alice = swap_accept(swap=swap, user=bob)
    assert (new_bob.reading, new_bob.student) == (readings[0], bob)
    assert (new_alice.reading, new_alice.student) == (readings[1], alice)
    assert holder_of(readings[0]) == {bob} and holder_of(readings[1]) == {alice}
    swap.refresh_from_db()
    assert (swap.status, swap.decided_by) == ("accepted", bob)
    swaps = ClaimEvent.objects.filter(action=ClaimEvent.Action.SWAP)
    assert swaps.count() == 4  # each old claim let go, each new one taken
    assert all(e.actor == bob for e in swaps)
    assert Claim.objects.filter(withdrawn_at__isnull=False).count() == 2  # kept as history


def test_a_swap_works_when_a_reading_has_a_second_presenter(
    held, alice, bob, dana, readings, window_open
):
    """FlashInfer has Alice and Dana, Orca only Bob: the new claim on Orca (free for an
    instant inside the transaction) goes in first, or the trigger would refuse Bob as
    FlashInfer's second presenter while Orca is free."""
    mine, theirs = held
    claim_reading(reading=readings[0], user=dana)
    swap = swap_propose(offered=mine, wanted=theirs, user=alice)
    swap_accept(swap=swap, user=bob)
    assert holder_of(readings[0]) == {dana, bob} and holder_of(readings[1]) == {alice}


def test_either_side_can_call_it_off_before_and_then_it_cannot_be_accepted(held, alice, bob):
    mine, theirs = held
    swap = swap_cancel(swap=swap_propose(offered=mine, wanted=theirs, user=alice), user=bob)
    assert swap.status == "cancelled" and swap.decided_by == bob
    with pytest.raises(ClaimError, match="cancelled already"):
        swap_accept(swap=swap, user=bob)
    again = swap_propose(offered=mine, wanted=theirs, user=alice)
    swap_cancel(swap=again, user=alice)
    assert holder_of(mine.reading) == {alice}


def test_only_the_offered_presenter_accepts_and_only_presenters_offer(
    held, alice, bob, dana, readings
):
    mine, theirs = held
    with pytest.raises(ClaimError, match="only a reading you present"):
        swap_propose(offered=mine, wanted=theirs, user=dana)
    swap = swap_propose(offered=mine, wanted=theirs, user=alice)
    for user in (alice, dana):
        with pytest.raises(ClaimError, match="Only the presenter who was offered"):
            swap_accept(swap=swap, user=user)
    with pytest.raises(ClaimError, match="Only the two presenters"):
        swap_cancel(swap=swap, user=dana)
    with pytest.raises(ClaimError, match="already offered"):
        swap_propose(offered=mine, wanted=theirs, user=alice)


def test_no_swap_after_the_claim_window_closes(held, alice, bob):
    mine, theirs = held
    swap = swap_propose(offered=mine, wanted=theirs, user=alice)
    with pytest.raises(ClaimError, match="while the claim window is open"):
        swap_accept(swap=swap, user=bob, at=AFTER_CLOSE)
    assert holder_of(mine.reading) == {alice}


def test_a_withdrawn_claim_voids_the_swap(held, alice, bob):
    mine, theirs = held
    swap = swap_propose(offered=mine, wanted=theirs, user=alice)
    claim_withdraw(claim=mine, user=alice)
    with pytest.raises(ClaimError, match="no longer stands"):
        swap_accept(swap=swap, user=bob)
    assert holder_of(theirs.reading) == {bob}


def test_other_offers_about_a_swapped_claim_are_called_off(held, alice, bob, dana, readings):
    mine, theirs = held
    vllm = readings[0].session.readings.create(
        paper=Paper.objects.create(course=mine.course, title="vLLM"), order=9
    )
    dana_claim = claim_reading(reading=vllm, user=dana)
    first = swap_propose(offered=mine, wanted=theirs, user=alice)
    other = swap_propose(offered=dana_claim, wanted=mine, user=dana)
    swap_accept(swap=first, user=bob)
    other.refresh_from_db()
    assert other.status == "cancelled"


def test_a_team_member_accepts_for_the_team(course, alice, bob, dana, erin, readings, window_open):
    course.presents_by = PresentsBy.TEAM
    course.save()
    flash, orca = (Team.objects.create(course=course, name=n) for n in ("Flash", "Orca team"))
    for team, users in ((flash, (alice, bob)), (orca, (dana, erin))):
        for user in users:
            TeamMember.objects.create(team=team, user=user, course=course)
    mine = claim_reading(reading=readings[0], user=alice)
    theirs = claim_reading(reading=readings[1], user=dana)
    swap = swap_propose(offered=mine, wanted=theirs, user=bob)
    assert sorted(m.to[0] for m in mail.outbox) == [dana.email, erin.email]
    swap_accept(swap=swap, user=erin)
    assert Claim.objects.active().get(reading=readings[0]).team == orca


def test_the_board_offers_swaps_and_shows_them_to_both_sides(login, course, held, alice, bob):
    mine, theirs = held
    board = reverse("claims:board", args=[course.code])
    page = login(alice).get(board).content.decode()
    assert reverse("claims:swap_propose", args=[course.code, theirs.pk]) in page
    response = login(alice).post(
        reverse("claims:swap_propose", args=[course.code, theirs.pk]), {"offered": mine.pk}
    )
    assert response.status_code == 302
    swap = SwapProposal.objects.get()
    page = login(bob).get(board).content.decode()
    assert 'id="swaps"' in page and "Accept swap" in page
    login(bob).post(reverse("claims:swap_accept", args=[course.code, swap.pk]))
    assert holder_of(mine.reading) == {bob}


def test_staff_read_swaps_in_the_admin(client, held, alice, instructor):
    mine, theirs = held
    swap_propose(offered=mine, wanted=theirs, user=alice)
    client.force_login(instructor)
    page = client.get(reverse("admin:claims_swapproposal_changelist")).content.decode()
    assert "waiting for an answer" in page


# ------------------------------------------------------------------ real concurrency

ROUNDS = 6


@pytest.mark.django_db(transaction=True)
def test_a_swap_racing_claims_never_leaves_a_reading_free_or_over(course, make_user):
    """Each round: Alice holds P0 and Bob P1 (one seat each); P2 is free. In the same
    instant Bob accepts Alice's swap while three classmates claim P0, P1 and P2, each on
    its own connection. The swap's two halves commit together: nobody ever gets P0 or P1
    (they are held before and after), one classmate gets P2, and the audit trail replays
    without a second seat or a reading over capacity."""
    course.presenters_per_reading = 1
    course.save()
    session = Session.objects.create(course=course, date=date(2025, 11, 4))
    people = []
    for i in range(5):
        user = make_user(f"race{i}@example.edu", f"Race {i}")
        Membership.objects.create(user=user, course=course, role=Role.STUDENT)
        people.append(user)
    alice, bob, *classmates = people
    if free_connections() < len(classmates) + 3:
        pytest.fail("PostgreSQL has too few free connections for this test.")
    for round_ in range(ROUNDS):
        Claim.objects.filter(course=course, withdrawn_at__isnull=True).update(
            withdrawn_at=OPEN
        )  # a fresh start each round (the trigger lets withdrawals through)
        readings = [
            Reading.objects.create(
                session=session,
                paper=Paper.objects.create(course=course, title=f"R{round_}-P{i}"),
                order=round_ * 3 + i,
            )
            for i in range(3)
        ]
        Reading.objects.filter(session=session).exclude(pk__in=[r.pk for r in readings]).update(
            presented_by_instructor=True
        )  # earlier rounds' readings leave the game
        with time_machine.travel(OPEN, tick=False):
            mine = claim_assign(reading=readings[0], student=alice, actor=None, reason="seed")
            theirs = claim_assign(reading=readings[1], student=bob, actor=None, reason="seed")
            swap = swap_propose(offered=mine, wanted=theirs, user=alice)
            connection.close()
            actions = [lambda s=swap: swap_accept(swap=s, user=bob)] + [
                (lambda u=u, r=r: claim_reading(reading=r, user=u))
                for u, r in zip(classmates, readings, strict=True)
            ]
            outcomes = run_all(actions)
        unexpected = [o for o in outcomes if not isinstance(o, tuple | Claim | ClaimError)]
        assert not unexpected, unexpected
        assert isinstance(outcomes[0], tuple), outcomes[0]  # the swap always goes through
        assert [isinstance(o, Claim) for o in outcomes[1:]] == [False, False, True]
        assert holder_of(readings[0]) == {bob} and holder_of(readings[1]) == {alice}
        active = Claim.objects.active().filter(course=course)
        assert max(Counter(c.reading_id for c in active).values()) == 1
        assert max(Counter(c.student_id for c in active).values()) == 1
        # Every classmate's refusal named who held the reading at that instant: Alice or
        # Bob, never nobody (no instant between the swap's two halves).
        assert all(o.holders for o in outcomes[1:3]), outcomes[1:3]


def test_a_presenter_with_two_claims_chooses_which_to_offer(
    login, course, held, alice, dana, readings
):
    course.claims_per_presenter = 2
    course.presenters_per_reading = 1
    course.save()
    mine, theirs = held
    vllm = readings[0].session.readings.create(
        paper=Paper.objects.create(course=course, title="vLLM"), order=9
    )
    second = claim_reading(reading=vllm, user=alice)
    page = login(alice).get(reverse("claims:board", args=[course.code])).content.decode()
    assert f'id="offer-{theirs.pk}"' in page and f'<option value="{second.pk}">' in page
    login(alice).post(
        reverse("claims:swap_propose", args=[course.code, theirs.pk]), {"offered": second.pk}
    )
    assert SwapProposal.objects.get().offered == second

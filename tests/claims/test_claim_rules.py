"""The seat rule (claims/rules.py): one decision, one message per refusal, asked before the
lock, under it and by the board.

People (tests/conftest.py, tests/claims/conftest.py): alice, bob, dana and erin are
students of `course`, instructor runs it; in a course that presents by teams alice and bob form "Kernels".
"""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claims import rules
from claims.models import Claim
from claims.rules import BoardAction, Code, Refusal, Seat, SeatFacts, Window
from claims.services import ClaimError, claim_assign, claim_reading
from courses.models import PresentsBy
from teams.models import Team, TeamMember
from tests.claims.test_claims import board

ROOT = Path(__file__).resolve().parents[2]
COURSE = {"presenters_per_reading": 2, "claims_per_presenter": 1, "by_team": False}
OPENS = datetime(2025, 9, 25, 19, 0, tzinfo=UTC)


def facts(**extra) -> SeatFacts:
    return SeatFacts(**{**COURSE, "title": "Orca", "claimer": "Alice Archer", **extra})


def test_a_free_reading_gives_the_first_free_seat():
    assert rules.decide(facts()) == Seat(1, second=False)


def test_a_second_seat_is_given_only_once_no_reading_is_free():
    taken = {"seats": (1,), "holders": ("Bob Baker",)}
    refused = rules.decide(facts(**taken, free_readings=3))
    assert (refused.code, refused.holders) == (Code.SECOND_SEAT_CLOSED, ("Bob Baker",))
    assert rules.decide(facts(**taken, free_readings=0)) == Seat(2, second=True)


def test_a_seat_freed_first_is_taken_again_and_still_counts_as_a_second():
    assert rules.decide(facts(seats=(2,), holders=("Dana Diaz",))) == Seat(1, second=True)


def test_a_full_reading_names_its_holders():
    refused = rules.decide(facts(seats=(1, 2), holders=("Bob Baker", "Dana Diaz")))
    assert refused == Refusal(
        Code.TAKEN,
        "Bob Baker and Dana Diaz got “Orca” first. The board below shows what is still free.",
        ("Bob Baker", "Dana Diaz"),
    )


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"window": Window.NONE}, Code.NO_CLAIMS),
        ({"window": Window.BEFORE, "opens_at": OPENS}, Code.NOT_YET_OPEN),
        ({"window": Window.CLOSED, "closes_at": OPENS}, Code.CLOSED),
        ({"is_student": False}, Code.NOT_A_STUDENT),
        ({"by_team": True, "has_team": False}, Code.NEEDS_TEAM),
        ({"claimable": False}, Code.NOT_CLAIMABLE),
        ({"held": ("Orca",), "holds_it": True}, Code.HOLDS_IT),
        ({"held": ("FlashInfer",)}, Code.HOLDER_FULL),
    ],
)
def test_each_refusal_has_its_code(extra, code):
    assert rules.decide(facts(**extra)).code == code


def test_the_window_is_asked_before_anything_else():
    refused = rules.decide(facts(window=Window.BEFORE, opens_at=OPENS, is_student=False))
    assert refused.message == "Claiming opens Thu Sep 25, 7:00 PM UTC."


def test_what_the_claimer_holds_is_asked_before_whether_the_reading_is_free():
    """Nobody is told that they themselves "got it first"."""
    own = facts(held=("Orca",), holds_it=True, seats=(1, 2), holders=("Alice Archer", "Bob"))
    assert rules.decide(own).message == "Alice Archer already presents “Orca”."


def test_without_knowing_what_the_claimer_holds_the_rule_does_not_guess():
    assert rules.decide(facts(held=None, seats=(1, 2), holders=("Bob", "Dana"))) is None
    assert rules.decide(facts(held=None, claimable=False)).code == Code.NOT_CLAIMABLE


@pytest.mark.parametrize(
    ("extra", "action"),
    [
        ({}, BoardAction("claim", "Claim")),
        ({"seats": (1,), "holders": ("Bob",)}, BoardAction("claim", "Claim 2nd seat")),
        ({"seats": (1,), "holders": ("Bob",), "free_readings": 1}, BoardAction("taken", "Taken")),
        (
            {"window": Window.CLOSED, "closes_at": OPENS, "seats": (1, 2)},
            BoardAction("taken", "Taken"),
        ),
        (
            {"window": Window.BEFORE, "opens_at": OPENS},
            BoardAction(
                "opens", "Opens Sep 25, 7:00 PM", "Claiming opens Thu Sep 25, 7:00 PM UTC."
            ),
        ),
        ({"held": ("FlashInfer",)}, BoardAction("note", "Withdraw yours to switch")),
        ({"held": ("Orca",), "holds_it": True, "seats": (1,), "holders": ("Alice",)}, None),
        ({"window": Window.CLOSED, "closes_at": OPENS}, None),
        ({"by_team": True, "has_team": False}, None),
    ],
)
def test_the_board_shows_what_the_rule_decides(extra, action):
    assert rules.board_action(facts(**extra)) == action


# The rule in the places that use it.


def test_each_refusal_is_worded_once():
    """The seat rule's messages live in claims/rules.py only, not copied into the service,
    the views or the board's template (whose banner announces the window in its own words,
    with a countdown)."""
    refusals = [
        "got “",
        "Second presenters are allowed only once",
        "is presented by the instructor",
        "form or join a team first",
        "already presents",
        "Only students of this course",
    ]
    window = ["Claiming opens {", "The claim window closed {"]
    template = (ROOT / "templates/claims/claims_board.html").read_text()
    found = {
        (phrase, path.name)
        for path in sorted((ROOT / "claims").glob("*.py"))
        for phrase in refusals + window
        if phrase in path.read_text()
    } | {(phrase, "claims_board.html") for phrase in refusals if phrase in template}
    assert found == {(phrase, "rules.py") for phrase in refusals + window}


def test_a_student_who_holds_a_reading_is_not_told_they_got_it_first(
    course, alice, bob, readings, window_open
):
    course.claims_per_presenter = 2
    course.save()
    flashinfer, _ = readings
    claim_reading(reading=flashinfer, user=alice)
    with pytest.raises(ClaimError) as refused:
        claim_reading(reading=flashinfer, user=alice)
    assert refused.value.message.startswith("Alice Archer already presents “FlashInfer")
    assert refused.value.code == Code.HOLDS_IT


def test_holders_are_named_in_seat_order_also_under_the_lock(
    course, instructor, alice, bob, dana, erin, readings, window_open
):
    """The look before the lock reads a reading's holders in seat order, as the board
    shows them; the check under the lock (staff assigning here) names them the same."""
    flashinfer, orca = readings
    first = claim_reading(reading=flashinfer, user=bob)
    claim_reading(reading=orca, user=alice)
    claim_reading(reading=flashinfer, user=dana)  # seat 2
    Claim.objects.filter(pk=first.pk).update(claimed_at=datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(ClaimError) as refused:
        claim_assign(reading=flashinfer, student=erin, actor=instructor, reason="asked")
    assert refused.value.holders == ["Bob Baker", "Dana Diaz"]
    assert refused.value.code == Code.TAKEN


def test_the_board_offers_no_second_seat_on_the_students_own_reading(
    login, course, alice, bob, readings, window_open
):
    course.claims_per_presenter = 2
    course.save()
    flashinfer, orca = readings
    claim_reading(reading=flashinfer, user=alice)
    claim_reading(reading=orca, user=bob)  # every reading taken: second seats open
    page = login(alice).get(board(course)).content.decode()
    own = page[page.index(f'id="reading-{flashinfer.pk}"') : page.index(f'id="reading-{orca.pk}"')]
    assert "Claim 2nd seat" not in own
    assert "Claim 2nd seat" in page[page.index(f'id="reading-{orca.pk}"') :]


def test_the_board_asks_a_student_without_a_team_to_form_one_in_the_rules_words(
    login, course, alice, bob, dana, readings, window_open
):
    course.presents_by = PresentsBy.TEAM
    course.save()
    team = Team.objects.create(course=course, name="Kernels")
    TeamMember.objects.create(team=team, user=alice)
    page = login(dana).get(board(course)).content.decode()
    message = rules.decide(SeatFacts.of(course, has_team=False)).message
    assert f'<div class="alert alert-warning">{message}</div>' in page
    assert not re.search(r">\s*Claim\s*<", page)

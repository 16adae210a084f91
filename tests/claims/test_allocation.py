"""The allocation (claims/allocation.py) against brute force: on small problems every
possible assignment is enumerated, and the solver's rank statistics must equal the best of
them; on random larger ones, every claim rule holds. No database, no people: holders are
("student", n) keys.
"""

import itertools
import random

import pytest

from claims.allocation import Problem, Result, allocate, keeps_the_rules


def holder(n):
    return ("student", n)


def brute_force_best(problem: Problem, depth: int) -> tuple[int, ...]:
    """The lexicographically best (1st choices, 2nd, ..., placed) over every assignment
    of holders to readings (or to none) that keeps the claim rules."""
    holders = sorted(problem.rankings)
    options = [None, *sorted(problem.seats)]
    best = None
    for choice in itertools.product(options, repeat=len(holders)):
        reading_of = dict(zip(holders, choice, strict=True))
        if keeps_the_rules(problem, reading_of):
            continue
        rank_of = {
            h: (problem.rankings[h].index(r) + 1 if r in problem.rankings[h] else None)
            for h, r in reading_of.items()
        }
        signature = Result(0, reading_of, rank_of).signature(depth)
        best = signature if best is None or signature > best else best
    return best


def random_problem(rng, *, holders, readings, max_seats=2) -> Problem:
    ids = list(range(1, readings + 1))
    rankings = {}
    for n in range(holders):
        size = rng.choice([0, 1, 2, 3, readings])  # some rank nothing
        rankings[holder(n)] = tuple(rng.sample(ids, min(size, readings)))
    taken = frozenset(r for r in ids if rng.random() < 0.25)
    seats = {}
    for r in ids:
        capacity = rng.randint(1, max_seats)
        seats[r] = capacity - (1 if r in taken else 0)
    if any(seats[r] == 0 for r in ids if r not in taken):
        raise AssertionError("a free reading has a seat")
    return Problem(rankings=rankings, seats=seats, taken=taken)


@pytest.mark.parametrize("case", range(300))
def test_it_is_rank_maximal_against_brute_force(case):
    rng = random.Random(case)
    problem = random_problem(rng, holders=rng.randint(1, 5), readings=rng.randint(1, 4))
    depth = max(len(r) for r in problem.rankings.values())
    result = allocate(problem, seed=case)
    assert keeps_the_rules(problem, result.reading_of) == []
    assert result.signature(depth) == brute_force_best(problem, depth)


def test_one_more_first_choice_outweighs_any_number_of_second_choices():
    # Alice's 1st is A; Bob, Carol and Dan each rank A 2nd and want nothing else they can
    # get. Giving A to Alice makes one 1st choice; giving it to anyone else, a 2nd.
    problem = Problem(
        rankings={
            holder(1): (1,),
            holder(2): (2, 1),
            holder(3): (2, 1),
            holder(4): (2, 1),
        },
        seats={1: 1, 2: 1, 3: 1, 4: 1},
    )
    result = allocate(problem, seed=1)
    assert result.reading_of[holder(1)] == 1
    assert result.by_rank == {1: 2}  # Alice's A, and one of the others' B


def test_the_second_seat_waits_until_every_reading_has_a_presenter():
    # Three students all want A (two seats), three readings: A, B and C each get one.
    problem = Problem(rankings={holder(n): (1,) for n in range(3)}, seats={1: 2, 2: 2, 3: 2})
    result = allocate(problem, seed=3)
    assert sorted(result.reading_of.values()) == [1, 2, 3]
    # A fourth student: now a second seat opens, and it goes to a 1st choice.
    problem = Problem(rankings={holder(n): (1,) for n in range(4)}, seats={1: 2, 2: 2, 3: 2})
    result = allocate(problem, seed=3)
    assert sorted(result.reading_of.values()) == [1, 1, 2, 3]
    assert result.by_rank == {1: 2}


def test_those_who_ranked_nothing_are_placed_on_what_is_left():
    problem = Problem(
        rankings={holder(1): (1, 2), holder(2): (), holder(3): ()},
        seats={1: 1, 2: 1, 3: 1},
    )
    result = allocate(problem, seed=5)
    assert result.reading_of[holder(1)] == 1
    assert {result.reading_of[holder(2)], result.reading_of[holder(3)]} == {2, 3}
    assert result.stats()["ranked_nothing"] == 2
    assert result.none_of_theirs == []


def test_without_seats_for_everyone_some_are_not_placed_and_are_listed():
    problem = Problem(rankings={holder(n): (1,) for n in range(3)}, seats={1: 1})
    result = allocate(problem, seed=2)
    assert len(result.unplaced) == 2
    assert len(result.none_of_theirs) == 2


def test_the_same_seed_gives_the_same_allocation_and_another_seed_may_not():
    # Six students who all want the same paper first: who gets it is the seed's tie-break.
    problem = Problem(
        rankings={holder(n): (1, 2, 3, 4, 5, 6) for n in range(6)},
        seats=dict.fromkeys(range(1, 7), 1),
    )
    first = allocate(problem, seed=42).reading_of
    assert allocate(problem, seed=42).reading_of == first
    winners = {
        next(h for h, r in allocate(problem, seed=s).reading_of.items() if r == 1)
        for s in range(20)
    }
    assert len(winners) > 1


def test_a_reading_the_solver_does_not_know_is_never_assigned():
    # A ranking may still name a reading that left the problem (full, or not claimable).
    problem = Problem(rankings={holder(1): (99, 1)}, seats={1: 1})
    result = allocate(problem, seed=0)
    assert result.reading_of == {holder(1): 1}
    assert result.rank_of == {holder(1): 1}


@pytest.mark.parametrize("case", range(20))
def test_claim_rules_hold_on_random_larger_instances(case):
    rng = random.Random(1000 + case)
    n, m = rng.randint(20, 80), rng.randint(5, 40)
    ids = list(range(1, m + 1))
    rankings = {holder(h): tuple(rng.sample(ids, min(m, rng.randint(0, 10)))) for h in range(n)}
    taken = frozenset(rng.sample(ids, rng.randint(0, m // 3)))
    seats = {r: rng.randint(1, 3) - (1 if r in taken else 0) for r in ids}
    seats = {r: s for r, s in seats.items() if s > 0 or r in taken}
    problem = Problem(rankings=rankings, seats=seats, taken=taken)
    result = allocate(problem, seed=case)
    assert keeps_the_rules(problem, result.reading_of) == []
    placed = sum(1 for r in result.reading_of.values() if r is not None)
    free = len([r for r in seats if r not in taken])
    capacity = sum(seats.values()) if n > free else free
    assert placed == min(n, capacity)  # everyone who can have a seat gets one


def test_it_stays_exact_where_float64_costs_would_not():
    """60 disjoint gadgets: 3 students ranking all 10 of their own readings, 7 of which are
    full already (taken, no seat left), the 3 free ones anywhere in their lists: 180
    students over 600 readings, ten ranks deep, so the weights pass 601**10, far beyond
    the 2**53 that float64 holds exactly, and which choice each gets is decided as deep as
    the 10th rank. Gadgets share nothing (as many students as free readings: no second
    seats to couple them), so the best allocation's statistics are the sum of each
    gadget's best (a sum of lexicographic maxima is the maximum of the sums), found by
    brute force; the solver must match them at every rank."""
    rng = random.Random(2025)
    rankings, seats, taken, expected = {}, {}, set(), [0] * 11
    for g in range(60):
        ids = list(range(g * 10 + 1, g * 10 + 11))
        full = set(rng.sample(ids, 7))
        gadget = {holder(g * 3 + n): tuple(rng.sample(ids, 10)) for n in range(3)}
        gadget_seats = {r: 0 if r in full else 1 for r in ids}
        small = Problem(rankings=gadget, seats=gadget_seats, taken=frozenset(full))
        best = brute_force_best(small, 10)
        expected = [a + b for a, b in zip(expected, best, strict=True)]
        rankings |= gadget
        seats |= gadget_seats
        taken |= full
    problem = Problem(rankings=rankings, seats=seats, taken=frozenset(taken))
    assert (max(len(rankings), len(seats)) + 1) ** 10 > 2**53
    assert sum(expected[5:10]) > 0  # the lower ranks do decide here
    result = allocate(problem, seed=9)
    assert list(result.signature(10)) == expected
    assert keeps_the_rules(problem, result.reading_of) == []

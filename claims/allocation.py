"""Paper assignment by preference: a rank-maximal allocation that keeps every claim rule.

``allocate(problem, seed=...)`` is pure (no query, no clock): the facts in, the allocation
and its rank statistics out. claims/services.py builds the problem from the database and
publishes the result as claims, through the same trigger as first-come claims.

**What "best" means.** Rank-maximal: as many first choices as possible; among those, as
many second choices as possible; and so on; then as many holders placed as possible (those
who ranked nothing, or whose every choice is full, go on what is left). Ties are broken by
``seed``: the same problem and seed give the same allocation.

**The claim rules.** Each reading has ``seats[reading]`` free seats. Each holder gets at
most one reading. A reading takes a second presenter only once every claimable reading has
one: with more holders to place than free readings, every free reading gets a presenter
(that costs no rank: any allocation that leaves one free can place someone there instead
without losing a choice, so the rule is a top priority that never trades ranks away);
with fewer or as many, no reading gets two.

**How.** A min-cost flow (networkx ``network_simplex``) on source -> holder -> reading ->
sink, a holder reaching the readings they did not rank through one "anything" node. The
objective is lexicographic, written as one integer cost: level weights are powers of
``base = max(holders, readings) + 1``, so one more unit at a level outweighs every
possible change at all the levels below it (each level counts at most ``base - 1``
units, and ``(base - 1) * (base**l - 1) / (base - 1) < base**l``). With ten ranks and 600
holders the weights pass 10**33: that is why this is integer flow, whose arithmetic on
Python integers is exact, and not scipy's ``linear_sum_assignment``, whose float64 costs
hold 2**53 (about five levels at this size) and would silently lose the lower ranks.
The seed's tie-breaks are random integers scaled under the lowest level, so they only
choose among allocations that are equal on every level.
"""

import random
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

Holder = tuple[str, int]  # ("student", user id) or ("team", team id)


@dataclass(frozen=True)
class Problem:
    """Who is to be placed and where: ``rankings`` per holder (reading ids, first choice
    first; empty: ranked nothing), the free ``seats`` per claimable reading, and which of
    those readings already have a presenter (``taken``)."""

    rankings: dict[Holder, tuple[int, ...]]
    seats: dict[int, int]
    taken: frozenset[int] = frozenset()

    @property
    def free_readings(self) -> list[int]:
        return [r for r in self.seats if r not in self.taken]


@dataclass
class Result:
    """An allocation: each holder's reading (None: no seat left for them) and the rank it
    had in their list (None: not in it)."""

    seed: int
    reading_of: dict[Holder, int | None]
    rank_of: dict[Holder, int | None]
    ranked_anything: dict[Holder, bool] = field(default_factory=dict)

    @property
    def by_rank(self) -> dict[int, int]:
        """How many holders got their 1st, 2nd, ... choice: {rank: count}, ranks present."""
        return dict(sorted(Counter(r for r in self.rank_of.values() if r is not None).items()))

    @property
    def none_of_theirs(self) -> list[Holder]:
        """Holders who ranked readings and got none of them (placed elsewhere, or not)."""
        return [
            h
            for h, ranked in self.ranked_anything.items()
            if ranked and self.rank_of.get(h) is None
        ]

    @property
    def unplaced(self) -> list[Holder]:
        return [h for h, reading in self.reading_of.items() if reading is None]

    def signature(self, depth: int) -> tuple[int, ...]:
        """(1st choices, 2nd, ..., ``depth``-th, holders placed): what rank-maximality
        maximises, in its order."""
        counts = self.by_rank
        placed = sum(1 for r in self.reading_of.values() if r is not None)
        return (*(counts.get(k, 0) for k in range(1, depth + 1)), placed)

    def stats(self) -> dict:
        return {
            "by_rank": {str(k): v for k, v in self.by_rank.items()},
            "placed": sum(1 for r in self.reading_of.values() if r is not None),
            "holders": len(self.reading_of),
            "none_of_theirs": len(self.none_of_theirs),
            "unplaced": len(self.unplaced),
            "ranked_nothing": sum(1 for ranked in self.ranked_anything.values() if not ranked),
        }


TIE_RANGE = 1 << 16  # each edge's random tie-break is below this


def allocate(problem: Problem, *, seed: int) -> Result:
    """The rank-maximal allocation of ``problem`` under the claim rules, ties by ``seed``."""
    holders = sorted(problem.rankings)  # a fixed order: the result depends on seed alone
    readings = sorted(problem.seats)
    known = set(readings)
    rankings = {
        h: tuple(dict.fromkeys(r for r in problem.rankings[h] if r in known)) for h in holders
    }
    depth = max((len(ranked) for ranked in rankings.values()), default=0)
    free = [r for r in readings if r not in problem.taken]
    second_seats = len(holders) > len(free)  # else no reading may take two

    base = max(len(holders), len(readings)) + 1
    tie_scale = 2 * (len(holders) + len(readings)) * TIE_RANGE + 1

    def benefit(level: int) -> int:
        """Level 0 is the lowest (a holder placed); rank k is level depth + 1 - k; covering
        a free reading is level depth + 1."""
        return base**level * tie_scale

    rng = random.Random(seed)  # noqa: S311 - a repeatable tie-break, not a secret
    graph = nx.DiGraph()
    graph.add_node("s", demand=-len(holders))
    graph.add_node("t", demand=len(holders))
    graph.add_edge("s", "t", capacity=len(holders), weight=0)  # not placed: no benefit
    for h in holders:
        graph.add_edge("s", ("h", h), capacity=1, weight=0)
        for rank, reading in enumerate(rankings[h], start=1):
            gain = benefit(0) + benefit(depth + 1 - rank)
            graph.add_edge(("h", h), ("r", reading), capacity=1, weight=-gain + _tie(rng))
        graph.add_edge(("h", h), "any", capacity=1, weight=-benefit(0) + _tie(rng))
    for reading in readings:
        graph.add_edge("any", ("r", reading), capacity=len(holders), weight=_tie(rng))
        seats = problem.seats[reading]
        if reading in problem.taken:
            if second_seats and seats > 0:
                graph.add_edge(("r", reading), "t", capacity=seats, weight=0)
        elif seats > 0:
            cover = benefit(depth + 1) if second_seats else 0
            graph.add_edge(("r", reading), ("c", reading), capacity=1, weight=-cover)
            graph.add_edge(("c", reading), "t", capacity=1, weight=0)
            if second_seats and seats > 1:
                graph.add_edge(("r", reading), "t", capacity=seats - 1, weight=0)
    _, flow = nx.network_simplex(graph)

    reading_of: dict[Holder, int | None] = dict.fromkeys(holders)
    to_place: dict[int, int] = {}  # "anything" units per reading
    for reading in readings:
        if units := flow["any"].get(("r", reading), 0):
            to_place[reading] = units
    for h in holders:
        for node, units in flow[("h", h)].items():
            if units and node != "any":
                reading_of[h] = node[1]
    # Those who went through "anything" take its readings in holder order (which unit goes
    # where among them is the same cost whatever the order).
    spare = [reading for reading, units in sorted(to_place.items()) for _ in range(units)]
    for h in holders:
        if flow[("h", h)].get("any", 0):
            reading_of[h] = spare.pop()
    rank_of = {
        h: (rankings[h].index(r) + 1 if r is not None and r in rankings[h] else None)
        for h, r in reading_of.items()
    }
    return Result(
        seed=seed,
        reading_of=reading_of,
        rank_of=rank_of,
        ranked_anything={h: bool(rankings[h]) for h in holders},
    )


def _tie(rng: random.Random) -> int:
    return rng.randrange(TIE_RANGE)


def keeps_the_rules(problem: Problem, reading_of: dict[Holder, int | None]) -> list[str]:
    """What in ``reading_of`` breaks a claim rule (empty: nothing): a reading over its free
    seats, a reading outside the problem, or a second presenter while a reading is free."""
    broken = []
    count = Counter(r for r in reading_of.values() if r is not None)
    for reading, n in count.items():
        if reading not in problem.seats:
            broken.append(f"reading {reading} is not claimable")
        elif n > problem.seats[reading]:
            broken.append(f"reading {reading}: {n} presenters for {problem.seats[reading]} seats")
    presenters = {r: count.get(r, 0) + (1 if r in problem.taken else 0) for r in problem.seats}
    if any(n >= 2 for n in presenters.values()) and any(n == 0 for n in presenters.values()):
        broken.append("a second presenter while a reading is free")
    return broken

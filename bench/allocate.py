"""Allocation benchmark: the rank-maximal allocation by preference at three sizes.

Run:  .venv/bin/python bench/allocate.py [--runs 3] [--seed 1] [--seats 2]

For 60 x 25, 200 x 40 and 600 x 600 (students x readings), every student ranks 5 to 10
readings at random, popular papers picked more often (Zipf-like, as students do), and
each reading has ``--seats`` seats (ECS 289D: 2). Times ``claims.allocation.allocate``
(building the network and solving it: what ``allocate CODE`` and the admin's "Run
allocation" spend beyond the four queries that read the rankings), best and median of
``--runs``, checks every claim rule on the result and prints the rank statistics.
Target: 600 x 600 under 5 s on two cores. No database: the solver is pure.
Not a test: figures go to standard output and bench/results/allocate.txt.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claims.allocation import Problem, allocate, keeps_the_rules  # noqa: E402

SIZES = [(60, 25), (200, 40), (600, 600)]


def problem(students: int, readings: int, seats: int, rng: random.Random) -> Problem:
    ids = list(range(1, readings + 1))
    weights = [1 / (rank**0.8) for rank in range(1, readings + 1)]
    rng.shuffle(weights)  # which papers are popular is random too
    rankings = {}
    for n in range(students):
        want = min(rng.randint(5, 10), readings)
        chosen: list[int] = []
        while len(chosen) < want:
            pick = rng.choices(ids, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        rankings[("student", n)] = tuple(chosen)
    return Problem(rankings=rankings, seats=dict.fromkeys(ids, seats))


def ordinal(rank: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(rank, f"{rank}th")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1, help="instances and tie-breaks")
    parser.add_argument("--seats", type=int, default=2, help="seats per reading")
    args = parser.parse_args()
    lines = [
        f"allocate benchmark: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {args.seats} seat(s) per reading, best/median of {args.runs}"
    ]
    print(lines[0], flush=True)
    for students, readings in SIZES:
        instance = problem(students, readings, args.seats, random.Random(args.seed))
        times, result = [], None
        for _ in range(args.runs):
            started = time.perf_counter()
            result = allocate(instance, seed=args.seed)
            times.append(time.perf_counter() - started)
        broken = keeps_the_rules(instance, result.reading_of)
        stats = result.stats()
        ranks = ", ".join(f"{ordinal(int(k))} {n}" for k, n in stats["by_rank"].items())
        line = (
            f"{students:>4} x {readings:<4} best {min(times):6.3f} s, "
            f"median {statistics.median(times):6.3f} s | placed {stats['placed']}/{students} | "
            f"{ranks} | none of theirs {stats['none_of_theirs']} | "
            f"rules {'ok' if not broken else broken}"
        )
        print(line, flush=True)
        lines.append(line)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "allocate.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

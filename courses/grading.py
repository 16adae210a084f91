"""Grading: the one module that owns the computation of grades.

Apps that hold graded work (reviews, projects) supply scores through a small
interface: they register a *score provider* for a component source in their
AppConfig.ready(). courses never imports them.

A provider is ``provider(component, students, now) -> dict[student_id, list[ItemScore]]``
and must run a fixed number of queries whatever the number of students.
All arithmetic is Decimal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


class ItemStatus:
    GRADED = "graded"  # earned is set
    UNGRADED = "ungraded"  # submitted (or due) but staff have not graded it yet
    MISSING = "missing"  # due time passed, nothing submitted: scores 0
    UPCOMING = "upcoming"  # not due yet
    EXCUSED = "excused"  # left out of the mean entirely


@dataclass
class ItemScore:
    """One gradable item of one student within a component (a review, a milestone, …)."""

    label: str
    possible: Decimal
    status: str
    earned: Decimal | None = None  # after late penalties and per-student adjustments
    due_at: datetime | None = None
    url: str = ""
    note: str = ""  # e.g. "late 2 h 14 min: -10%"


ScoreProvider = Callable[..., dict[int, list[ItemScore]]]

_providers: dict[str, ScoreProvider] = {}


def register_provider(source: str, provider: ScoreProvider) -> None:
    """Register the provider for a ComponentSource value ("reviews", "milestone", …)."""
    _providers[source] = provider


def provider_for(source: str) -> ScoreProvider | None:
    return _providers.get(source)


ZERO = Decimal("0")

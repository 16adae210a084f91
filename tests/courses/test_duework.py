"""One late policy for all due work: reviews and milestones earn by the same arithmetic."""

from datetime import timedelta
from decimal import Decimal

import pytest

from courses.duework import LatePolicy, describe_late_policy, late_factor
from projects.models import Milestone
from reviews.models import ReviewKind

TEN = Decimal("10")


@pytest.mark.parametrize(
    ("policy", "lateness", "factor"),
    [
        (LatePolicy.PENALTY, None, Decimal("1")),
        (LatePolicy.PENALTY, timedelta(0), Decimal("0.9")),  # late from 00:00:00: day 1
        (LatePolicy.PENALTY, timedelta(days=1), Decimal("0.8")),
        (LatePolicy.PENALTY, timedelta(days=30), Decimal("0")),  # never below 0
        (LatePolicy.NO_CREDIT, timedelta(seconds=1), Decimal("0")),
        (LatePolicy.ACCEPT, timedelta(days=3), Decimal("1")),
    ],
)
def test_reviews_and_milestones_keep_the_same_fraction_when_late(policy, lateness, factor):
    kind = ReviewKind(late_policy=policy, late_penalty_percent=TEN)
    milestone = Milestone(late_policy=policy, late_penalty_pct=TEN)
    assert late_factor(policy, TEN, lateness) == factor
    assert milestone.late_factor(lateness) == factor
    assert kind.earned(Decimal("0.75"), lateness) == Decimal("0.75") * factor


def test_the_policy_reads_the_same_everywhere():
    assert describe_late_policy(LatePolicy.PENALTY, Decimal("10.00")) == "−10% per started day late"
    assert Milestone(late_policy=LatePolicy.NO_CREDIT).describe_late_policy() == "no credit"
    assert ReviewKind(late_policy=LatePolicy.ACCEPT).get_late_policy_display() == (
        "accept (full credit)"
    )

"""Due work: what every kind of work handed in by a due time shares (reviews, milestones).

One late policy and one late arithmetic: work saved after its due time is kept and marked
late; what it earns is the policy's (no credit, a penalty per started day, or accept), in
exact Decimals. Due instants come from ``courses.timing`` (policies, whole minutes, "N more
days"), lateness from ``timing.late_by``.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from courses import timing

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")


class LatePolicy(models.TextChoices):
    NO_CREDIT = "no_credit", "no credit"
    PENALTY = "penalty", "penalty per started day late"
    ACCEPT = "accept", "accept (full credit)"


def late_factor(policy: str, penalty_percent: Decimal, lateness: timedelta | None) -> Decimal:
    """The fraction of its points work this late keeps: 1 on time (``lateness`` None) or
    under ``accept``, 0 under ``no_credit``, and under ``penalty`` ``penalty_percent`` less
    per started day (day 1 starts at the first late instant), never below 0. Exact."""
    if lateness is None or policy == LatePolicy.ACCEPT:
        return ONE
    if policy == LatePolicy.NO_CREDIT:
        return ZERO
    days = timing.started_days(lateness)
    return max(ZERO, ONE - penalty_percent * days / HUNDRED)


def describe_late_policy(policy: str, penalty_percent: Decimal) -> str:
    """'−10% per started day late', 'no credit', 'accept (full credit)'."""
    if policy == LatePolicy.PENALTY:
        return f"−{penalty_percent.normalize():f}% per started day late"
    return LatePolicy(policy).label


def percent_check(field: str, name: str) -> models.CheckConstraint:
    """The database's guarantee that ``field`` is a percentage (0 to 100)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0}) & models.Q(**{f"{field}__lte": 100}),
        name=name,
    )


def positive_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__gt": 0}), name=name)


class SentReminder(models.Model):
    """One reminder per (what is due, recipient, due time): a subclass adds what is due and
    the unique constraint over it, ``user`` and ``due_at``, which makes send_reminders safe
    to run from cron (``courses.reminders.send_once``); a moved due time is a new row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ExtensionBase(models.Model):
    """A later due time for one holder, given by staff: a new due time (the subclass's
    ``due_at``, a DeadlineField) or ``extra_days``, the same local time N days later."""

    extra_days = models.PositiveSmallIntegerField(
        "or N more days",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="The same local time N days after the due time it extends (across DST).",
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    def extends(self, due: datetime, tz) -> datetime:
        """The due time this extension gives instead of ``due``: never earlier."""
        if self.due_at is None:
            return max(due, timing.shift_days(due, self.extra_days, tz))
        return max(due, self.due_at)

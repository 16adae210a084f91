"""Milestones, team submissions (every version kept) and per-team grades.

Teams themselves are the ``teams`` app (claims and group reviews are held by them);
this app adds the project work on top of them.
"""

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThan
from django.template.defaultfilters import pluralize

from courses import timing
from courses.duework import (
    ExtensionBase,
    LatePolicy,
    SentReminder,
    describe_late_policy,
    late_factor,
    percent_check,
    positive_check,
)
from courses.fields import DeadlineField
from courses.models import Course, Session
from courses.uploads import MILESTONE_FILES
from grading.models import FeedsComponent, GradedWork
from teams.models import Team

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class Deliverable(models.TextChoices):
    LINK = "link", "a link"
    FILE = "file", "a file (PDF or archive)"
    TEXT = "text", "text"
    NONE = "none", "nothing: a meeting staff mark as held"


class RelativeDue(models.TextChoices):
    BEFORE = timing.BEFORE, "N days before the session, at a time of day"
    AFTER = timing.AFTER, "N hours after the session starts"


class MilestoneQuerySet(models.QuerySet):
    def for_course(self, course):
        return (
            self.filter(course=course).select_related("session").order_by("due_at", "order", "id")
        )

    def sync_due_times(self) -> int:
        """Recompute ``due_at`` of the session-relative milestones here; returns how many moved."""
        moved = 0
        for milestone in self.filter(session__isnull=False).select_related("session__course"):
            before = milestone.due_at
            milestone.sync_due_at()
            if milestone.due_at != before:
                milestone.save(update_fields=["due_at"])
                milestone.restamp_lateness()
                moved += 1
        return moved


class Milestone(FeedsComponent):
    """A project deliverable with an absolute due instant (stored in UTC)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    due_at = DeadlineField(
        "due",
        blank=True,
        help_text="Entered and shown in the course's time zone. "
        "Computed from the session when one is chosen below.",
    )
    # Optional: a due time relative to a session (courses.timing), so that
    # moving the session moves the milestone.
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        help_text="Due relative to this session; it keeps its last due time if the session goes.",
    )
    relative_kind = models.CharField(
        "relative to the session",
        max_length=6,
        choices=RelativeDue,
        default=RelativeDue.AFTER,
    )
    days_before = models.PositiveSmallIntegerField(default=0)
    at_time = models.TimeField("at (course time)", default=time(23, 59))
    hours_after = models.IntegerField(
        default=0, help_text="0: due when class starts (e.g. presentation slides)."
    )
    deliverable = models.CharField(max_length=8, choices=Deliverable, default=Deliverable.FILE)
    late_policy = models.CharField(max_length=10, choices=LatePolicy, default=LatePolicy.NO_CREDIT)
    late_penalty_pct = models.DecimalField(
        "late penalty (% per started day)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
        help_text="Used by the 'penalty' late policy.",
    )
    max_points = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("100"))
    order = models.PositiveSmallIntegerField(default=0)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["course", "due_at", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="milestone_name_unique"),
            positive_check("max_points", "milestone_max_points_positive"),
            percent_check("late_penalty_pct", "milestone_penalty_is_percentage"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.session_id:
            if self.course_id and self.session.course_id != self.course_id:
                raise ValidationError({"session": "Pick a session of the same course."})
            self.sync_due_at()
        elif self.due_at is None:
            raise ValidationError({"due_at": "Give a due time, or a session it is relative to."})

    def due_policy(self) -> timing.DuePolicy:
        return timing.DuePolicy(
            kind=self.relative_kind,
            days_before=self.days_before,
            at=self.at_time,
            hours_after=self.hours_after,
        )

    def sync_due_at(self) -> None:
        """Set ``due_at`` from the session and the policy (no-op without a session)."""
        if self.session_id:
            self.due_at = timing.due_at(self.due_policy(), self.session)

    def describe_due(self) -> str:
        """'24 h after class starts on Thu Feb 11', '11:59 PM the day before class on Tue
        Nov 4', or '' for an absolute due time."""
        if not self.session_id:
            return ""
        return f"{self.due_policy().describe()} on {self.session.date:%a %b %-d}"

    @property
    def local_due(self):
        return self.due_at.astimezone(self.course.tz)

    @property
    def takes_submissions(self) -> bool:
        return self.deliverable != Deliverable.NONE

    def due_for(self, team) -> datetime:
        """The due time for ``team``: its extension's, else the milestone's (one query)."""
        return self.team_due(
            self.extensions.filter(team=team).values_list("due_at", flat=True).first()
        )

    def team_due(self, extended: datetime | None) -> datetime:
        """A team's due time given its extension (or None). An extension never makes a
        team due earlier: if the milestone later moves past it, the later time holds."""
        return max(extended, self.due_at) if extended else self.due_at

    def restamp_lateness(self) -> int:
        """Judge every version submitted for this milestone again on its current due time
        (each team's extension if it has one): late or not, and by how much, after a due
        time moved or an extension was given. One UPDATE."""
        base = Value(self.due_at, output_field=models.DateTimeField())
        due = Greatest(
            Coalesce(
                Subquery(
                    MilestoneExtension.objects.filter(milestone=self, team=OuterRef("team")).values(
                        "due_at"
                    )[:1]
                ),
                base,
            ),
            base,
        )
        late = GreaterThan(F("submitted_at"), due)
        return self.submissions.update(
            is_late=Case(When(late, then=Value(True)), default=Value(False)),
            lateness=Case(
                When(
                    late,
                    then=ExpressionWrapper(
                        # from the first late instant, as courses.timing.late_by counts
                        F("submitted_at") - due - Value(timedelta(microseconds=1)),
                        output_field=models.DurationField(),
                    ),
                ),
                default=None,
            ),
        )

    def late_factor(self, lateness: timedelta | None) -> Decimal:
        """The fraction of the points a submission this late keeps (1 when on time)."""
        return late_factor(self.late_policy, self.late_penalty_pct, lateness)

    def describe_late_policy(self) -> str:
        return describe_late_policy(self.late_policy, self.late_penalty_pct)


def submission_upload_to(instance, filename):
    # The stored name is never the user's: random, with the suffix of the type we detected.
    suffix = MILESTONE_FILES.suffix_for(instance.content_type)
    return f"submissions/{instance.milestone.course_id}/{uuid.uuid4().hex}{suffix}"


class SubmissionQuerySet(models.QuerySet):
    def for_team(self, team):
        return self.filter(team=team).select_related("submitted_by").order_by("-version")


class Submission(models.Model):
    """One version of a team's deliverable for a milestone. Versions are never overwritten."""

    milestone = models.ForeignKey(Milestone, on_delete=models.RESTRICT, related_name="submissions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="submissions")
    version = models.PositiveIntegerField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    link = models.URLField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    file = models.FileField(upload_to=submission_upload_to, blank=True, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    is_late = models.BooleanField(default=False)
    lateness = models.DurationField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["milestone", "team", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "team", "version"], name="submission_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="submission_version_positive"),
            models.CheckConstraint(
                condition=Q(is_late=False) | Q(lateness__isnull=False),
                name="submission_late_has_lateness",
            ),
        ]
        indexes = [models.Index(fields=["team", "milestone"])]

    def __str__(self):
        return f"{self.team} · {self.milestone} v{self.version}"


class MilestoneGrade(GradedWork):
    """Staff's grade for one team's milestone; students see it once published."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="grades")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="milestone_grades")
    points = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text="Before the late policy; blank while ungraded.",
    )
    feedback = models.TextField(blank=True)
    published = models.BooleanField(
        default=False, help_text="The team sees points and feedback; the grade counts."
    )
    held = models.BooleanField(default=False, help_text="For check-ins: the meeting took place.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["milestone", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "team"], name="milestonegrade_one_per_team"
            ),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0),
                name="milestonegrade_points_nonnegative",
            ),
        ]

    def __str__(self):
        return f"{self.team} · {self.milestone}"

    def clean(self):
        super().clean()
        if self.milestone_id and self.team_id:
            if self.team.course_id != self.milestone.course_id:
                raise ValidationError({"team": "Pick a team of the milestone's course."})
            if self.points is not None and self.points > self.milestone.max_points:
                raise ValidationError(
                    {
                        "points": f"At most {self.milestone.max_points.normalize():f} "
                        f"point{pluralize(self.milestone.max_points)} for this milestone."
                    }
                )

    def team_points(self, latest: Submission | None) -> Decimal | None:
        """Points after the milestone's late policy, judged on the latest version."""
        if self.points is None:
            return None
        lateness = latest.lateness if latest is not None and latest.is_late else None
        return self.points * self.milestone.late_factor(lateness)  # exact: rounded for display


class MilestoneAdjustment(models.Model):
    """A per-student change to a team grade: add (or subtract) points, or override them."""

    grade = models.ForeignKey(MilestoneGrade, on_delete=models.CASCADE, related_name="adjustments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="milestone_adjustments"
    )
    delta = models.DecimalField(
        "add points",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Negative to subtract; applied after the late policy.",
    )
    override = models.DecimalField(
        "override points",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text="This student's points instead of the team's.",
    )
    reason = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grade", "student"], name="milestoneadjustment_one_per_student"
            ),
            models.CheckConstraint(
                condition=(Q(delta__isnull=False) & Q(override__isnull=True))
                | (Q(delta__isnull=True) & Q(override__isnull=False)),
                name="milestoneadjustment_delta_xor_override",
            ),
        ]

    def __str__(self):
        return f"{self.student}: {self.describe()}"

    def clean(self):
        super().clean()
        if (self.delta is None) == (self.override is None):
            raise ValidationError("Give either points to add or override points, not both.")

    def apply(self, team_points: Decimal, max_points: Decimal) -> Decimal:
        """This student's points, kept within 0 … max_points."""
        points = self.override if self.override is not None else team_points + self.delta
        return min(max(points, ZERO), max_points)

    def describe(self) -> str:
        if self.override is not None:
            return f"set to {self.override}"
        sign = "+" if self.delta >= 0 else ""
        return f"{sign}{self.delta}"


class MilestoneReminderSent(SentReminder):
    """One reminder per (milestone, recipient, due time): the unique constraint makes
    send_reminders safe to run from cron; a moved due time is a new row."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "user", "due_at"], name="milestone_reminder_once_per_due"
            ),
        ]

    def __str__(self):
        when = timing.format_instant(self.due_at, self.milestone.course.tz)
        return f"reminder to {self.user} for {self.milestone} due {when}"


class MilestoneExtension(ExtensionBase):
    """A later due time for one team on one milestone, given by staff."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="extensions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="milestone_extensions")
    due_at = DeadlineField(
        "new due time",
        blank=True,
        help_text="In the course's time zone, like every time of a course. "
        "Or leave it blank and give more days.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "team"], name="milestone_extension_one_per_team"
            ),
        ]

    def __str__(self):
        when = timing.format_instant(self.due_at, self.milestone.course.tz)
        return f"{self.team} until {when} ({self.milestone})"

    def clean(self):
        super().clean()
        # On the milestone's own admin page the milestone may be new (no id yet).
        milestone = getattr(self, "milestone", None)  # None when not set at all
        if milestone is None:
            return
        if self.team_id and self.team.course_id != milestone.course_id:
            raise ValidationError({"team": "Pick a team of the milestone's course."})
        if self.extra_days and milestone.due_at:
            if self.due_at and self.due_at != self._days_later(milestone):
                raise ValidationError(
                    {"due_at": "Give either a new due time or a number of more days, not both."}
                )
            self.due_at = self._days_later(milestone)
        if self.due_at is None:
            raise ValidationError({"due_at": "Give a new due time, or a number of more days."})
        if self.due_at and milestone.due_at and self.due_at <= milestone.due_at:
            raise ValidationError({"due_at": "An extension ends after the milestone's due time."})

    def _days_later(self, milestone) -> datetime:
        # Counted from the milestone's due time when given; kept as a new due time.
        return timing.shift_days(milestone.due_at, self.extra_days, milestone.course.tz)

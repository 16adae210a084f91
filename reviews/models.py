"""Review kinds (the course's review forms and their rules) and the reviews written against them.

Due times are never stored on a review: they are computed from the kind's
policy and the reading's session through ``courses.timing.due_at`` (see
``reviews.plan``), so moving a session or a reading moves every deadline and
every lateness with it.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from courses import timing
from courses.duework import (
    ExtensionBase,
    LatePolicy,
    SentReminder,
    late_factor,
    percent_check,
    positive_check,
)
from courses.fields import DeadlineField
from courses.models import Course, Reading, Session
from courses.timing import AFTER, BEFORE, DuePolicy
from grading.models import FeedsComponent, GradedWork
from teams.models import HeldByStudentOrTeam


class WrittenBy(models.TextChoices):
    STUDENT = "student", "each student"
    TEAM = "team", "each team (group)"


class ReadingScope(models.TextChoices):
    ALL = "all", "every reading"
    REQUIRED = "required", "required readings"
    OPTIONAL = "optional", "optional readings"
    PRESENTED = "presented", "presented readings (with an active claim), except by their presenters"
    OWN = "own", "the readings the author presents"


class DueKind(models.TextChoices):
    BEFORE = BEFORE, "N days before class at a time of day"
    AFTER = AFTER, "N hours after class starts"


class PeerVisibility(models.TextChoices):
    NOBODY = "nobody", "nobody (only presenters and staff)"
    SUBMITTED = "submitted", "students who submitted their own review of that reading"
    EVERYONE = "everyone", "every student in the course"


def validate_prompts(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Prompts are a non-empty list of {key, label, …} objects.")
    keys = set()
    for i, prompt in enumerate(value):
        if not isinstance(prompt, dict) or not prompt.get("key") or not prompt.get("label"):
            raise ValidationError(f"Prompt {i + 1} needs a key and a label.")
        if prompt["key"] in keys:
            raise ValidationError(f"Prompt key {prompt['key']!r} is used twice.")
        keys.add(prompt["key"])
        for bound in ("min_words", "max_words", "min_chars"):
            if bound in prompt and (not isinstance(prompt[bound], int) or prompt[bound] < 0):
                raise ValidationError(f"Prompt {prompt['key']!r}: {bound} must be a whole number.")


class ReviewKind(FeedsComponent):
    """One review form of a course and its rules: who writes it, for which readings,
    when it is due, what lateness costs and which grade component it feeds.

    ECS 289D has one kind ("Paper review"); CSE 585 has two (a team summary of the
    reading it presented, and an individual question per presented reading).
    ``prompts`` is an ordered list of ``{"key", "label", "help", "required",
    "min_words", "max_words", "min_chars", "gather"}``; ``gather`` marks prompts
    whose answers the digest collects into one list of questions.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="review_kinds")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=40)
    order = models.PositiveSmallIntegerField(default=0)
    prompts = models.JSONField(validators=[validate_prompts])
    written_by = models.CharField(max_length=10, choices=WrittenBy, default=WrittenBy.STUDENT)
    readings = models.CharField(
        "which readings", max_length=10, choices=ReadingScope, default=ReadingScope.ALL
    )
    due_kind = models.CharField("due time", max_length=10, choices=DueKind, default=DueKind.BEFORE)
    due_days_before = models.PositiveSmallIntegerField(default=1)
    due_time = models.TimeField("at (course time zone)", default=time(23, 59))
    due_hours_after = models.PositiveSmallIntegerField(default=24)
    late_policy = models.CharField(max_length=10, choices=LatePolicy, default=LatePolicy.NO_CREDIT)
    late_penalty_percent = models.DecimalField(
        "penalty per started day (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_points = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    counts_optional_as_bonus = models.BooleanField(
        default=False,
        help_text="Reviews of optional readings feed the bonus component, not this one.",
    )
    peer_visibility = models.CharField(
        "students see classmates' reviews after the due time",
        max_length=10,
        choices=PeerVisibility,
        default=PeerVisibility.NOBODY,
    )

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="reviewkind_slug_per_course"),
            positive_check("max_points", "reviewkind_max_points_positive"),
            percent_check("late_penalty_percent", "reviewkind_penalty_percent_range"),
        ]

    def __str__(self):
        return self.name

    @property
    def policy(self) -> DuePolicy:
        return DuePolicy(
            self.due_kind,
            days_before=self.due_days_before,
            at=self.due_time,
            hours_after=self.due_hours_after,
        )

    @property
    def by_team(self) -> bool:
        return self.written_by == WrittenBy.TEAM

    def gathered_prompts(self) -> list[dict]:
        """Prompts whose answers the digest lists together (questions)."""
        marked = [p for p in self.prompts if p.get("gather")]
        return marked or [p for p in self.prompts if "question" in p["key"]]

    def earned(self, points: Decimal | None, late_by: timedelta | None) -> Decimal | None:
        """Points after the late policy: no credit -> 0, penalty -> minus the
        percentage per started day (floored at 0), accept -> unchanged."""
        if points is None:
            return None
        if late_by is None:
            return points
        # exact: rounded only for display
        return points * late_factor(self.late_policy, self.late_penalty_percent, late_by)


class DueOverride(models.Model):
    """A single session's due time for one review kind, instead of the policy's."""

    kind = models.ForeignKey(ReviewKind, on_delete=models.CASCADE, related_name="overrides")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    due_at = DeadlineField(
        help_text="In the course's time zone, like every time of a course in the admin; "
        "a time typed to the minute covers that whole minute."
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["session__date"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "session"], name="dueoverride_one_per_session"),
        ]

    def __str__(self):
        return f"{self.kind} for {self.session}: {timing.format_instant(self.due_at, self.kind.course.tz)}"

    def clean(self):
        super().clean()
        if self.kind_id and self.session_id and self.kind.course_id != self.session.course_id:
            raise ValidationError({"session": "Pick a session of the kind's course."})


class Extension(HeldByStudentOrTeam, ExtensionBase):
    """A later due time for one student (or team), for one kind and/or one reading
    (blank: all). The latest matching extension wins; it never makes a review due earlier."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    kind = models.ForeignKey(
        ReviewKind, on_delete=models.CASCADE, null=True, blank=True, related_name="extensions"
    )
    reading = models.ForeignKey(
        Reading, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_at = DeadlineField(
        "new due time",
        null=True,
        blank=True,
        help_text="In the course's time zone, like every time of a course in the admin. "
        "Or leave it blank and give more days below.",
    )

    class Meta:
        ordering = ["course", "due_at"]
        constraints = [
            HeldByStudentOrTeam.holder_check("extension_for_student_xor_team"),
            models.CheckConstraint(
                condition=Q(due_at__isnull=False, extra_days__isnull=True)
                | Q(due_at__isnull=True, extra_days__isnull=False),
                name="extension_new_time_xor_more_days",
            ),
        ]

    def __str__(self):
        return f"extension for {self.team or self.student}: {self.describe()}"

    def describe(self) -> str:
        """'until Mon Nov 3, 11:59 PM PST' or '2 more days', in the course's zone."""
        if self.due_at is None:
            return f"{self.extra_days} more day{'s' if self.extra_days != 1 else ''}"
        return f"until {timing.format_instant(self.due_at, self.course.tz)}"

    def clean(self):
        super().clean()
        if (self.due_at is None) == (self.extra_days is None):
            raise ValidationError(
                {"due_at": "Give either a new due time or a number of more days, not both."}
            )
        for field in ("kind", "reading", "team"):
            obj = getattr(self, field) if getattr(self, f"{field}_id") else None
            if obj is not None and self.course_id and obj.course_id != self.course_id:
                raise ValidationError({field: "Pick one of the same course."})
        if (
            self.student_id
            and self.course_id
            and not self.course.memberships.filter(user_id=self.student_id).exists()
        ):
            raise ValidationError({"student": "This person is not in the course."})


class ReviewQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "kind__course", "reading__paper", "reading__session__course", "student", "team"
        )


class Review(HeldByStudentOrTeam, GradedWork):
    """A student's (or team's) answers to a review kind for one reading.

    Lateness is computed against the due time that applies now (the policy, the
    session override, the author's extension), so it follows a moved session.
    """

    kind = models.ForeignKey(ReviewKind, on_delete=models.PROTECT, related_name="reviews")
    reading = models.ForeignKey(Reading, on_delete=models.PROTECT, related_name="reviews")
    answers = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(
        default=timezone.now, help_text="The last time the author saved it."
    )
    first_submitted_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_excused = models.BooleanField("excused", default=False)
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(blank=True)
    feedback_published = models.BooleanField(default=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["reading", "kind", "submitted_at", "id"]
        constraints = [
            HeldByStudentOrTeam.holder_check("review_by_student_xor_team"),
            models.UniqueConstraint(
                fields=["kind", "reading", "student"],
                condition=Q(student__isnull=False),
                name="review_one_per_student",
            ),
            models.UniqueConstraint(
                fields=["kind", "reading", "team"],
                condition=Q(team__isnull=False),
                name="review_one_per_team",
            ),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0),
                name="review_points_nonnegative",
            ),
        ]
        indexes = [models.Index(fields=["reading", "kind"])]

    def __str__(self):
        return f"{self.kind.name} of {self.reading} by {self.author}"

    @property
    def author(self):
        return self.holder

    @property
    def author_name(self) -> str:
        return self.holder_name

    def clean(self):
        super().clean()
        if self.kind_id and self.reading_id and self.kind.course_id != self.reading.course_id:
            raise ValidationError({"reading": "Pick a reading of the kind's course."})
        if self.kind_id and self.team_id and self.team.course_id != self.kind.course_id:
            raise ValidationError({"team": "Pick a team of the kind's course."})
        if self.points is not None and self.kind_id and self.points > self.kind.max_points:
            raise ValidationError(
                {
                    "points": f"At most {self.kind.max_points.normalize():f} "
                    f"point{pluralize(self.kind.max_points)} for a {self.kind.name}."
                }
            )

    def late_by(self, due: datetime) -> timedelta | None:
        """How late it was saved against ``due``; None when on time."""
        return timing.late_by(self.submitted_at, due)


class ReminderSent(SentReminder):
    """One reminder per (kind, reading, recipient, due time): the unique constraint
    makes send_reminders safe to run from cron; a moved due time is a new row."""

    kind = models.ForeignKey(ReviewKind, on_delete=models.CASCADE, related_name="+")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reading", "user", "due_at"], name="reminder_once_per_due_time"
            ),
        ]

    def __str__(self):
        return f"reminder to {self.user} for {self.reading} due {timing.format_instant(self.due_at, self.kind.course.tz)}"


class DigestSent(SentReminder):
    """One digest email per (kind, reading, recipient, due time): the questions gathered at
    the due time, sent once to each presenter and reviewer (reviews.digests); a moved due
    time is a new row, and a new email."""

    kind = models.ForeignKey(ReviewKind, on_delete=models.CASCADE, related_name="+")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "digest email sent"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reading", "user", "due_at"], name="digest_once_per_due_time"
            ),
        ]

    def __str__(self):
        return f"digest to {self.user} for {self.reading} due {timing.format_instant(self.due_at, self.kind.course.tz)}"

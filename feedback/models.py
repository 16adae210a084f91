"""Presenter feedback: after a presentation, classmates rate it on the course's rubric and
may leave a comment; the presenters read the aggregate and the comments, never who wrote
what, once the window has closed and enough classmates have answered.

A presentation is a reading that has presenters (claims, through the ``presenters`` hook);
in courses that present by teams, every member of the presenting team is a presenter. The
window is the course's ``FeedbackSettings``: it opens when class starts (or ends) and
closes ``closes_after_hours`` after class ends, through the last instant of that minute
(SPEC, Time: a time given to the minute covers that minute).
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from courses.models import Course, PerCourseSettings, Reading
from courses.timing import end_of_minute

MIN_RESPONSES = 3
CLOSES_AFTER_HOURS = 48
COMMENT_MAX_LENGTH = 1000
COMMENT_HARD_LIMIT = 5000  # what any course may allow; the database refuses more
SCALE_MIN, SCALE_MAX = 2, 10
CRITERIA_MAX = 10
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def default_rubric() -> list[dict]:
    return [
        {"key": "clarity", "label": "Clarity", "scale": 5,
         "description": "Was the talk easy to follow: the problem, the idea, the results?"},
        {"key": "depth", "label": "Depth", "scale": 5,
         "description": "Did it explain why the design works and where it falls short?"},
        {"key": "discussion", "label": "Discussion", "scale": 5,
         "description": "Did it raise good questions and lead the discussion well?"},
    ]  # fmt: skip


def validate_rubric(value) -> None:
    """A rubric is a list of 1 to 10 criteria, each ``{"key", "label", "scale"}`` (and an
    optional ``description``): a key of lower-case letters, digits and _ used once, a label,
    and a whole scale from 2 to 10 (ratings run from 1 to the scale)."""
    if not isinstance(value, list) or not value:
        raise ValidationError("The rubric needs at least one criterion.")
    if len(value) > CRITERIA_MAX:
        raise ValidationError(f"The rubric has {len(value)} criteria; at most {CRITERIA_MAX}.")
    seen = set()
    for i, criterion in enumerate(value, start=1):
        where = f"Criterion {i}"
        if not isinstance(criterion, dict):
            raise ValidationError(f'{where} must be {{"key": …, "label": …, "scale": …}}.')
        unknown = set(criterion) - {"key", "label", "scale", "description"}
        if unknown:
            raise ValidationError(f"{where} has unknown fields: {', '.join(sorted(unknown))}.")
        key = criterion.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise ValidationError(
                f"{where}'s key must be lower-case letters, digits and _ (up to 40), "
                f"starting with a letter; not {key!r}."
            )
        if key in seen:
            raise ValidationError(f"The key {key!r} appears twice.")
        seen.add(key)
        label = criterion.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            raise ValidationError(f"{where} ({key}) needs a label of up to 100 characters.")
        scale = criterion.get("scale")
        if isinstance(scale, bool) or not isinstance(scale, int):
            raise ValidationError(f"{where} ({key}): the scale must be a whole number.")
        if not SCALE_MIN <= scale <= SCALE_MAX:
            raise ValidationError(
                f"{where} ({key}): the scale must be {SCALE_MIN} to {SCALE_MAX} (ratings run "
                f"from 1 to it), not {scale}."
            )
        description = criterion.get("description", "")
        if not isinstance(description, str) or len(description) > 300:
            raise ValidationError(f"{where} ({key}): the description is text of up to 300.")


class Opens(models.TextChoices):
    START = "start", "when class starts"
    END = "end", "when class ends"


class FeedbackSettings(PerCourseSettings, models.Model):
    """A course's presenter feedback. A course without a row (or with ``enabled`` off)
    collects none."""

    cached_as = "_feedback_settings"  # PerCourseSettings.of keeps the row on the course
    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, related_name="feedback_settings"
    )
    enabled = models.BooleanField(
        default=True, help_text="Classmates give feedback on each presentation."
    )
    rubric = models.JSONField(
        default=default_rubric,
        validators=[validate_rubric],
        error_messages={"blank": "The rubric needs at least one criterion."},
        help_text='The criteria, as JSON: [{"key": "clarity", "label": "Clarity", "scale": 5, '
        '"description": "…"}, …]; ratings run from 1 to the scale (2 to 10).',
    )
    min_responses = models.PositiveSmallIntegerField(
        "responses needed",
        default=MIN_RESPONSES,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="The presenters see the feedback only once at least this many classmates "
        "answered (1 to 50).",
    )
    opens = models.CharField(
        "window opens", max_length=5, choices=Opens, default=Opens.START,
        help_text="When classmates can start giving feedback.",
    )  # fmt: skip
    closes_after_hours = models.PositiveSmallIntegerField(
        "window closes (hours after class ends)",
        default=CLOSES_AFTER_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text="1 to 720 (30 days). The presenters see the feedback after it closes.",
    )
    comment_max_length = models.PositiveSmallIntegerField(
        "comment length limit",
        default=COMMENT_MAX_LENGTH,
        validators=[MinValueValidator(100), MaxValueValidator(COMMENT_HARD_LIMIT)],
        help_text=f"Characters (100 to {COMMENT_HARD_LIMIT}).",
    )

    class Meta:
        verbose_name = "presenter feedback settings"
        verbose_name_plural = "presenter feedback settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_responses__gte=1, min_responses__lte=50),
                name="feedback_min_responses_range",
            ),
            models.CheckConstraint(
                condition=Q(closes_after_hours__gte=1, closes_after_hours__lte=720),
                name="feedback_window_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    comment_max_length__gte=100, comment_max_length__lte=COMMENT_HARD_LIMIT
                ),
                name="feedback_comment_limit_range",
            ),
            models.CheckConstraint(
                condition=Q(opens__in=Opens.values), name="feedback_opens_valid"
            ),
        ]

    def __str__(self):
        return f"Presenter feedback of {self.course.code}"

    @classmethod
    def defaults_for(cls, course) -> "FeedbackSettings":
        """A course without a row collects no feedback (unsaved, off)."""
        return cls(course=course, enabled=False)

    @property
    def is_on(self) -> bool:
        return bool(self.pk) and self.enabled

    @property
    def criteria(self) -> list[dict]:
        return list(self.rubric or [])

    def opens_at(self, session) -> datetime:
        """Needs ``session.course`` (loaded or cached)."""
        return session.starts_at() if self.opens == Opens.START else session.ends_at()

    def closes_at(self, session) -> datetime:
        return end_of_minute(session.ends_at() + timedelta(hours=self.closes_after_hours))

    def state(self, session, now) -> str:
        """'before' | 'open' | 'closed' for feedback on ``session``'s presentations."""
        if now < self.opens_at(session):
            return "before"
        if now > self.closes_at(session):
            return "closed"
        return "open"

    def describe_window(self) -> str:
        """'opens when class starts and closes 2 days after class ends'."""
        hours = self.closes_after_hours
        if hours % 24 == 0:
            after = "1 day" if hours == 24 else f"{hours // 24} days"
        else:
            after = "1 hour" if hours == 1 else f"{hours} hours"
        return f"opens {self.get_opens_display()} and closes {after} after class ends"


class FeedbackResponseQuerySet(models.QuerySet):
    def of_course(self, course):
        return self.filter(reading__course=course)


class FeedbackResponse(models.Model):
    """One classmate's feedback on one presentation (a reading and its presenters): a
    rating per rubric criterion (``{key: 1..scale}``) and an optional comment. Editable
    until the window closes; ``student`` is never shown to the presenters."""

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="feedback")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_given"
    )
    ratings = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(editable=False)
    updated_at = models.DateTimeField(editable=False)

    objects = FeedbackResponseQuerySet.as_manager()

    class Meta:
        verbose_name = "feedback response"
        ordering = ["reading", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading", "student"], name="feedback_one_response_per_student"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), COMMENT_HARD_LIMIT),
                name="feedback_comment_hard_limit",
            ),
        ]

    def __str__(self):
        return f"Feedback by {self.student} on {self.reading}"

    def ratings_for(self, criteria) -> list[tuple[dict, int | None]]:
        return [(c, self.ratings.get(c["key"])) for c in criteria]

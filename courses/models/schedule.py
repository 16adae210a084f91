from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Deferrable
from django.db.models.functions import Lower
from django.urls import reverse

from courses.models.course import Course


class SessionKind(models.TextChoices):
    REGULAR = "regular", "regular"
    HOLIDAY = "holiday", "holiday (no class)"
    PROJECT_PRESENTATIONS = "presentations", "project presentations"
    WRAP_UP = "wrapup", "wrap-up"
    DEADLINE = "deadline", "deadline only (no class)"


class SessionQuerySet(models.QuerySet):
    def meeting(self):
        """Sessions where class meets (not holidays or deadline-only rows)."""
        return self.exclude(kind__in=[SessionKind.HOLIDAY, SessionKind.DEADLINE])


class Session(models.Model):
    """One class meeting (or a holiday / deadline row of the schedule).

    Week numbers are derived from dates (see ``Course`` week helpers), never typed.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    start_time = models.TimeField(
        null=True, blank=True, help_text="Blank: the course's default start time."
    )
    kind = models.CharField(max_length=16, choices=SessionKind, default=SessionKind.REGULAR)
    topic = models.CharField("topic area", max_length=120, blank=True)
    title = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True, help_text="Shown in the schedule's notes column.")

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["course", "date", "start_time", "id"]
        indexes = [models.Index(fields=["course", "date"])]

    def __str__(self):
        label = self.title or self.topic or self.get_kind_display()
        return f"{self.date:%a %m/%d} {label}"

    def get_absolute_url(self):
        return reverse("courses:session", args=[self.course.code, self.pk])

    @property
    def is_holiday(self) -> bool:
        return self.kind == SessionKind.HOLIDAY

    @property
    def meets(self) -> bool:
        return self.kind not in (SessionKind.HOLIDAY, SessionKind.DEADLINE)

    def starts_at(self) -> datetime:
        """Class start as an aware datetime in the course time zone (needs ``course`` loaded)."""
        start = self.start_time or self.course.default_start_time
        return datetime.combine(self.date, start, tzinfo=self.course.tz)

    def ends_at(self) -> datetime:
        return self.starts_at() + timedelta(minutes=self.course.session_minutes)

    def week(self, first_day) -> int:
        """Week number counted from the week (Monday-based) of ``first_day``."""
        monday = first_day - timedelta(days=first_day.weekday())
        return (self.date - monday).days // 7 + 1


class Paper(models.Model):
    """A paper (or blog post, white paper) read in one course.

    Each course has its own row, so editing a paper in one course never changes what
    another course shows. Within a course the title (case-insensitive) names the paper,
    as the course file does; migration 0009 also makes the database refuse a reading
    whose paper belongs to another course.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=300)
    authors = models.CharField(max_length=500, blank=True)
    venue = models.CharField(max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField("link", max_length=500, blank=True)
    is_placeholder = models.BooleanField(
        default=False, help_text="Stands in for a paper not chosen yet (a topic only)."
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                "course",
                Lower("title"),
                name="paper_title_once_per_course",
                violation_error_message="This course has a paper with this title already.",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def citation(self) -> str:
        parts = [p for p in (self.authors, self.venue, str(self.year or "")) if p]
        return ", ".join(parts)


class ReadingQuerySet(models.QuerySet):
    def claimable(self):
        return self.filter(presented_by_instructor=False, session__kind=SessionKind.REGULAR)

    def required(self):
        return self.filter(required=True)

    def optional(self):
        return self.filter(required=False)


class Reading(models.Model):
    """A paper placed in a session. Claims, reviews and slides hang off the reading,
    so moving it to another session moves everything attached to it."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="readings", editable=False
    )
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="readings")
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="readings")
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    presented_by_instructor = models.BooleanField(
        default=False, help_text="The instructor presents it; students cannot claim it."
    )

    objects = ReadingQuerySet.as_manager()

    class Meta:
        ordering = ["session__date", "session__start_time", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "paper"], name="reading_paper_once_per_course"
            ),
            # Deferred so that staff can swap two readings' order in one save.
            models.UniqueConstraint(
                fields=["session", "order"],
                name="reading_order_unique_in_session",
                deferrable=Deferrable.DEFERRED,
            ),
        ]

    def __str__(self):
        return self.paper.title

    def save(self, *args, **kwargs):
        # course mirrors session.course so the database can enforce "a paper at most
        # once per course"; a composite foreign key (migration 0002) keeps them equal.
        self.course_id = self.session.course_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.paper_id and self.session_id and self.paper.course_id != self.session.course_id:
            raise ValidationError(
                {"paper": "This paper belongs to another course; choose one of this course's."}
            )

    @property
    def claimable(self) -> bool:
        return not self.presented_by_instructor and self.session.kind == SessionKind.REGULAR

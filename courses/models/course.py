import zoneinfo
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from courses import timing
from courses.fields import DeadlineField

DEFAULT_LETTER_SCALE = [
    ["A", "90"],
    ["B+", "87"],
    ["B", "83"],
    ["B-", "80"],
    ["C+", "77"],
    ["C", "73"],
    ["C-", "70"],
    ["D+", "67"],
    ["D", "63"],
    ["D-", "60"],
    ["F", "0"],
]


def default_letter_scale():
    return [list(row) for row in DEFAULT_LETTER_SCALE]


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "%(value)s is not an IANA time zone name (for example America/Los_Angeles).",
            params={"value": value},
        ) from None


def validate_letter_scale(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("The letter scale is a list of [letter, lower bound] pairs.")
    previous = None
    for row in value:
        if not (isinstance(row, list | tuple) and len(row) == 2):
            raise ValidationError(f"{row!r} is not a [letter, lower bound] pair.")
        try:
            bound = Decimal(str(row[1]))
        except ArithmeticError:
            raise ValidationError(f"{row[1]!r} is not a number.") from None
        if previous is not None and bound >= previous:
            raise ValidationError(
                "Lower bounds must go down from the top letter to the bottom one."
            )
        previous = bound


class PresentsBy(models.TextChoices):
    STUDENT = "student", "each student"
    TEAM = "team", "each team (group)"


class ClaimsMode(models.TextChoices):
    FIRST_COME = "first_come", "first come, first served"
    PREFERENCES = "preferences", "by preference (students rank, staff allocate)"


class CourseQuerySet(models.QuerySet):
    def for_staff(self, user):
        """Courses where ``user`` is instructor or TA (all courses for a superuser)."""
        if user.is_superuser:
            return self
        return self.filter(
            memberships__user=user,
            memberships__role__in=STAFF_ROLES,
            memberships__dropped_at__isnull=True,
        ).distinct()

    def for_member(self, user):
        return self.filter(memberships__user=user, memberships__dropped_at__isnull=True).distinct()


class Course(models.Model):
    """One offering of a seminar. Everything else belongs to exactly one course."""

    code = models.SlugField(
        max_length=40, unique=True, help_text="Used in URLs and commands, e.g. ecs289d-f25."
    )
    title = models.CharField(max_length=200)
    term = models.CharField(max_length=60, help_text="e.g. Fall 2025")
    institution = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/Los_Angeles", validators=[validate_time_zone]
    )
    default_start_time = models.TimeField(
        default=time(10, 30), help_text="Class start time for sessions that give none."
    )
    session_minutes = models.PositiveSmallIntegerField(default=80)
    location = models.CharField(
        max_length=120, blank=True, help_text="Room; blank for online courses."
    )

    # Paper claims. No window means the course does not use claims.
    claims_open_at = models.DateTimeField("claim window opens", null=True, blank=True)
    claims_close_at = DeadlineField("claim window closes", null=True, blank=True)
    presents_by = models.CharField(
        max_length=10,
        choices=PresentsBy,
        default=PresentsBy.STUDENT,
        help_text="Who claims and presents a reading.",
    )
    presenters_per_reading = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Seats per reading; seats after the first open only once every reading is taken.",
    )
    claims_per_presenter = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="How many readings one student (or team) may hold.",
    )
    claims_mode = models.CharField(
        "how papers are assigned",
        max_length=12,
        choices=ClaimsMode,
        default=ClaimsMode.FIRST_COME,
        help_text="By preference, students rank readings during the preference window "
        "(it replaces the claim window for them) and staff allocate and publish at its close.",
    )
    preferences_open_at = models.DateTimeField("preference window opens", null=True, blank=True)
    preferences_close_at = DeadlineField("preference window closes", null=True, blank=True)
    preferences_min_ranked = models.PositiveSmallIntegerField(
        "readings to rank (at least)",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="A ranking is saved only with at least this many readings (fewer when the "
        "course has fewer claimable readings).",
    )
    preferences_show_counts = models.BooleanField(
        "show how many classmates ranked each paper",
        default=False,
    )
    slides_due_hours = models.IntegerField(
        null=True,
        blank=True,
        help_text="Slides due this many hours after class start (negative: before). Blank: no due time.",
    )

    # Projects. No maximum team size means the course has no projects.
    team_min_size = models.PositiveSmallIntegerField(null=True, blank=True)
    team_max_size = models.PositiveSmallIntegerField(null=True, blank=True)
    team_deadline = DeadlineField(
        "team membership deadline",
        null=True,
        blank=True,
        help_text="After this instant only staff change teams.",
    )

    # Grading.
    email_grades = models.BooleanField(
        "email students when a grade is published",
        default=True,
        help_text="Each student (or team member) gets one email per published grade or "
        "feedback; either way it is marked new on their pages until they see it.",
    )
    letter_scale = models.JSONField(
        default=default_letter_scale,
        validators=[validate_letter_scale],
        help_text='Lower bounds, top letter first: [["A", "90"], ["B+", "87"], …].',
    )

    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claims_open_at__isnull=True)
                | Q(claims_close_at__isnull=True)
                | Q(claims_close_at__gt=models.F("claims_open_at")),
                name="course_claim_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(preferences_open_at__isnull=True)
                | Q(preferences_close_at__isnull=True)
                | Q(preferences_close_at__gt=models.F("preferences_open_at")),
                name="course_preference_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(team_min_size__isnull=True)
                | Q(team_max_size__isnull=True)
                | Q(team_max_size__gte=models.F("team_min_size")),
                name="course_team_size_range",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.title}"

    def get_absolute_url(self):
        return reverse("courses:schedule", args=[self.code])

    def clean(self):
        super().clean()
        if (
            self.claims_open_at
            and self.claims_close_at
            and self.claims_close_at <= self.claims_open_at
        ):
            raise ValidationError({"claims_close_at": "The window must close after it opens."})
        if self.claims_mode == ClaimsMode.PREFERENCES and not (
            self.preferences_open_at and self.preferences_close_at
        ):
            raise ValidationError(
                {"preferences_open_at": "Assigning by preference needs a preference window."}
            )
        if (
            self.preferences_open_at
            and self.preferences_close_at
            and self.preferences_close_at <= self.preferences_open_at
        ):
            raise ValidationError({"preferences_close_at": "The window must close after it opens."})
        if self.team_min_size and self.team_max_size and self.team_max_size < self.team_min_size:
            raise ValidationError({"team_max_size": "The maximum must be at least the minimum."})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def uses_claims(self) -> bool:
        return self.claims_open_at is not None or self.by_preference

    @property
    def by_preference(self) -> bool:
        """Papers are assigned by preference (claims_mode), with a preference window."""
        return self.claims_mode == ClaimsMode.PREFERENCES and self.preferences_open_at is not None

    def preferences_state(self, now=None) -> str:
        """'none' (not by preference) | 'before' | 'open' | 'closed' for the preference
        window at ``now`` (open through the closing minute)."""
        if not self.by_preference:
            return "none"
        now = now or timezone.now()
        if now < self.preferences_open_at:
            return "before"
        if self.preferences_close_at and now > self.preferences_close_at:
            return "closed"
        return "open"

    @property
    def uses_projects(self) -> bool:
        return self.team_max_size is not None

    @property
    def presents_by_team(self) -> bool:
        return self.presents_by == PresentsBy.TEAM

    def slides_due(self, session):
        """When a presenter's slides for ``session`` are due (None: no due time), through
        the one due-time function, so it is the end of its minute like every due time."""
        if self.slides_due_hours is None:
            return None
        session.course = self
        return timing.due_at(
            timing.DuePolicy(timing.AFTER, hours_after=self.slides_due_hours), session
        )

    def claims_state(self, now=None) -> str:
        """'before' | 'open' | 'closed' for the claim window at ``now`` (open through the
        closing minute). By preference, the preference window stands in for it: students
        never claim there (claims.rules), but what is "closed" follows it."""
        if self.by_preference:
            return {"none": "before"}.get(state := self.preferences_state(now), state)
        now = now or timezone.now()
        if not self.uses_claims or now < self.claims_open_at:
            return "before"
        if self.claims_close_at and now > self.claims_close_at:
            return "closed"
        return "open"

    def teams_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.team_deadline is not None and now > self.team_deadline

    def role_of(self, user) -> str | None:
        """The user's role in this course, or None. Costs one query."""
        if not user.is_authenticated:
            return None
        return self.memberships.active().filter(user=user).values_list("role", flat=True).first()


class Role(models.TextChoices):
    INSTRUCTOR = "instructor", "instructor"
    TA = "ta", "TA"
    STUDENT = "student", "student"


STAFF_ROLES = (Role.INSTRUCTOR, Role.TA)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        """Memberships that grant access: not dropped."""
        return self.filter(dropped_at__isnull=True)

    def dropped(self):
        return self.filter(dropped_at__isnull=False)

    def students(self):
        """The course's current students (dropped ones left out)."""
        return self.active().filter(role=Role.STUDENT)

    def staff(self):
        """The course's current instructors and TAs."""
        return self.active().filter(role__in=STAFF_ROLES)


class ActiveMembershipManager(models.Manager.from_queryset(MembershipQuerySet)):
    def get_queryset(self):
        return super().get_queryset().active()


class Membership(models.Model):
    """A user's role in one course.

    A dropped member (``dropped_at`` set, by ``import_roster --drop-missing`` or in the
    admin) keeps their work (claims, reviews, submissions) but reaches nothing: every
    access check asks ``Membership.objects``, which leaves them out. ``all_objects`` is
    every membership, and is the default manager, so the admin, uniqueness checks and
    reverse relations (``course.memberships``) see dropped members too.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role, default=Role.STUDENT)
    section = models.CharField(max_length=60, blank=True, help_text="Canvas section, if any.")
    joined_at = models.DateTimeField(auto_now_add=True)
    dropped_at = models.DateTimeField(
        "dropped",
        null=True,
        blank=True,
        help_text="Set when the person left the course: their work is kept, their access ends. "
        "Clear it to restore their access.",
    )

    all_objects = MembershipQuerySet.as_manager()
    objects = ActiveMembershipManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["course", "role", "user__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="membership_one_per_user_course"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.course.code})"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES and self.dropped_at is None


class PerCourseSettings:
    """Mixin for an app's settings model with at most one row per course (attendance,
    discussions, presenter feedback): ``of(course)`` gives that row, or the defaults unsaved
    when the course has none, in one query the first time; the row is then kept on the
    course as ``cached_as``, where a gradebook or an import may also put it."""

    cached_as: str  # e.g. "_attendance_settings"

    @classmethod
    def defaults_for(cls, course):
        """The settings of a course that has no row (unsaved)."""
        return cls(course=course)

    @classmethod
    def of(cls, course):
        if not hasattr(course, cls.cached_as):
            found = cls.objects.filter(course=course).first()
            setattr(course, cls.cached_as, found or cls.defaults_for(course))
        return getattr(course, cls.cached_as)

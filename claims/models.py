from django.conf import settings
from django.db import models
from django.db.models import Q

from courses import timing
from courses.models.course import Course
from courses.models.schedule import Reading
from teams.models import HeldByStudentOrTeam


class ClaimQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)

    def with_holders(self):
        """With each claim's student and team loaded, for ``claim.holder`` without a query."""
        return self.select_related("student", "team")

    def of_user(self, user):
        """The claims ``user`` presents: their own, and their team's."""
        return self.filter(Q(student=user) | Q(team__members__user=user))


class Claim(HeldByStudentOrTeam):
    """A student's (or team's) first-come hold on presenting a reading.

    A withdrawn claim is kept (``withdrawn_at`` set) as history. The invariants
    (capacity, per-holder limit, second seat only when every reading is taken)
    are enforced by the database (claims/migrations/0003); the rule and its messages
    are claims/rules.py, used by claims/services.py.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="claims")
    reading = models.ForeignKey(Reading, on_delete=models.PROTECT, related_name="claims")
    seat = models.PositiveSmallIntegerField(default=1)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    claimed_at = models.DateTimeField(db_default=models.functions.Now())
    by_staff = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The presentation grade, given by staff.
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        db_table = "courses_claim"  # moved from courses; the table stays
        ordering = ["claimed_at", "id"]
        constraints = [
            HeldByStudentOrTeam.holder_check("claim_held_by_student_xor_team"),
            models.CheckConstraint(condition=Q(seat__gte=1), name="claim_seat_positive"),
            models.UniqueConstraint(
                fields=["reading", "seat"],
                condition=Q(withdrawn_at__isnull=True),
                name="claim_one_holder_per_seat",
            ),
            models.UniqueConstraint(
                fields=["reading", "student"],
                condition=Q(withdrawn_at__isnull=True),
                name="claim_student_once_per_reading",
            ),
            models.UniqueConstraint(
                fields=["reading", "team"],
                condition=Q(withdrawn_at__isnull=True),
                name="claim_team_once_per_reading",
            ),
        ]
        indexes = [models.Index(fields=["course", "withdrawn_at"])]

    def __str__(self):
        return f"{self.holder} presents {self.reading}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class ClaimEvent(models.Model):
    """Audit trail: every claim, withdrawal and staff change, with time and actor.

    The paper's title and the session's date are kept as they were then, so the
    history stays readable after an import removes the reading (``reading`` is
    then empty).
    """

    class Action(models.TextChoices):
        CLAIM = "claim", "claimed"
        WITHDRAW = "withdraw", "withdrew"
        ASSIGN = "assign", "assigned by staff"
        REMOVE = "remove", "removed by staff"
        MOVE = "move", "moved by staff"
        REFUSED = "refused", "refused"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="claim_events")
    reading = models.ForeignKey(
        Reading, on_delete=models.SET_NULL, null=True, blank=True, related_name="claim_events"
    )
    paper_title = models.CharField("paper", max_length=300, blank=True)
    session_date = models.DateField("session", null=True, blank=True)
    claim = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    holder = models.CharField(
        max_length=200, help_text="Who holds (or held) the seat, as shown then."
    )
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        db_table = "courses_claimevent"  # moved from courses; the table stays
        ordering = ["-at", "-id"]

    def __str__(self):
        when = timing.format_instant(self.at, self.course.tz)
        return f"{when} {self.holder} {self.get_action_display()} {self.paper_title}"


def slides_upload_to(instance, filename):
    # The stored name is never the user's: no guessable or unsafe paths.
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"slides/{instance.reading.course_id}/{uuid.uuid4().hex}{suffix}"


class Slides(models.Model):
    """A presenter's slides for a reading; every upload is kept, the newest shown."""

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="slides")
    file = models.FileField(upload_to=slides_upload_to)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "courses_slides"  # moved from courses; the table stays
        ordering = ["-uploaded_at", "-id"]
        verbose_name_plural = "slides"

    def __str__(self):
        return f"slides for {self.reading}"

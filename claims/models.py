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
        ALLOCATE = "allocate", "assigned by preference"
        SWAP = "swap", "swapped"

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
    allocation = models.ForeignKey(
        "Allocation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        help_text="The published allocation that made this claim.",
    )

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


class Preference(HeldByStudentOrTeam):
    """One reading in a student's (or team's) ranking, where the course assigns papers by
    preference: rank 1 is the first choice. A ranking is saved whole (claims.services
    ``preferences_save``); the rows are replaced, never edited one by one."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="preferences")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField()
    ranked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ranked_at = models.DateTimeField()

    class Meta:
        ordering = ["course", "student", "team", "rank"]
        constraints = [
            HeldByStudentOrTeam.holder_check("preference_held_by_student_xor_team"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="preference_rank_positive"),
            models.UniqueConstraint(
                fields=["student", "reading"], name="preference_student_ranks_reading_once"
            ),
            models.UniqueConstraint(
                fields=["team", "reading"], name="preference_team_ranks_reading_once"
            ),
            models.UniqueConstraint(
                fields=["course", "student", "rank"], name="preference_student_rank_once"
            ),
            models.UniqueConstraint(
                fields=["course", "team", "rank"], name="preference_team_rank_once"
            ),
        ]

    def __str__(self):
        return f"{self.holder} ranks {self.reading} #{self.rank}"


class Allocation(models.Model):
    """One run of the allocation by preference (claims/allocation.py) for a course: its
    seed, what it proposes and its statistics. Staff review it, run again with another
    seed, and publish one: publishing turns it into claims (claims.services
    ``allocation_publish``), at most once per course.

    ``assignments``: ``[{"holder": "student:12" | "team:3", "reading": id | null,
    "rank": n | null}]`` (null rank: none of their choices, or they ranked nothing).
    ``stats``: claims.allocation ``Result.stats()``.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="allocations")
    seed = models.BigIntegerField()
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    run_at = models.DateTimeField(db_default=models.functions.Now())
    assignments = models.JSONField(default=list)
    stats = models.JSONField(default=dict)
    seconds = models.FloatField("solver time (s)", default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-run_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(published_at__isnull=False),
                name="allocation_published_once_per_course",
            )
        ]

    def __str__(self):
        return f"allocation {self.pk} of {self.course.code} (seed {self.seed})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SwapProposal(models.Model):
    """A presenter's offer to swap readings with another presenter, under first come.

    The other side accepts (claims.services ``swap_accept``: both claims change in one
    transaction under the course lock, through the trigger) before the claim window
    closes; either side can cancel before. Kept afterwards as the audit trail."""

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for an answer"
        ACCEPTED = "accepted", "accepted"
        CANCELLED = "cancelled", "cancelled"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="swaps")
    offered = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="swaps_offered", help_text="The proposer's."
    )
    wanted = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="swaps_wanted", help_text="The other's."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(db_default=models.functions.Now())
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offered", "wanted"],
                condition=Q(status="pending"),
                name="swap_one_pending_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(offered=models.F("wanted")), name="swap_two_different_claims"
            ),
        ]

    def __str__(self):
        return f"swap {self.offered} <-> {self.wanted} ({self.get_status_display()})"

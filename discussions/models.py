"""Discussion threads: one thread per reading, where the course turns them on.

A course turns threads on with ``ThreadRule`` rows: for every reading a review kind asks
for (and then, if the rule says so, a student's first post is their review of that kind
for that reading), or for every reading of one session. The thread itself is not a row:
it is the reading's ``Post`` rows (posts, and replies to them). ``DiscussionSettings``
holds the course's rules (see others only after posting, the edit window, the length
limit, anonymous posting); a course without a row has the defaults below.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from courses.models import Course, PerCourseSettings, Reading, Session, SessionKind
from reviews.models import ReadingScope, Review, ReviewKind, WrittenBy

EDIT_MINUTES = 30
MAX_LENGTH = 5000
LONGEST = 50000  # the database's bound on any post; a course's limit is at most this


class DiscussionSettings(PerCourseSettings, models.Model):
    """A course's thread rules; a course without a row has the defaults."""

    cached_as = "_discussion_settings"  # PerCourseSettings.of keeps the row on the course
    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, related_name="discussion_settings"
    )
    see_after_posting = models.BooleanField(
        "see others only after posting",
        default=False,
        help_text="A student reads classmates' posts in a thread only once they have posted "
        "there themselves (staff always see everything).",
    )
    edit_minutes = models.PositiveSmallIntegerField(
        "edit window (minutes)",
        default=EDIT_MINUTES,
        validators=[MaxValueValidator(1440)],
        help_text="Authors can change a post for this many minutes after posting it "
        "(0: never; at most 1440, a day).",
    )
    max_length = models.PositiveIntegerField(
        "longest post (characters)",
        default=MAX_LENGTH,
        validators=[MinValueValidator(100), MaxValueValidator(LONGEST)],
        help_text=f"100 to {LONGEST:,} characters.",
    )
    allow_anonymous = models.BooleanField(
        "students may post anonymously",
        default=True,
        help_text="A student may hide their name from classmates; staff always see it.",
    )

    class Meta:
        verbose_name = "discussion settings"
        verbose_name_plural = "discussion settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(edit_minutes__lte=1440), name="discussion_edit_at_most_a_day"
            ),
            models.CheckConstraint(
                condition=Q(max_length__gte=100, max_length__lte=LONGEST),
                name="discussion_max_length_range",
            ),
        ]

    def __str__(self):
        return f"Discussion settings of {self.course.code}"

    @property
    def edit_window(self) -> timedelta:
        return timedelta(minutes=self.edit_minutes)


class ThreadRule(models.Model):
    """Which readings of a course have a thread: those a review kind asks for, or those of
    one session. A rule on a kind may make a student's first post their review of it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="thread_rules")
    kind = models.OneToOneField(
        ReviewKind,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thread_rule",
        help_text="A thread on every reading this review kind asks for.",
    )
    session = models.OneToOneField(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thread_rule",
        help_text="Or a thread on every reading of this session.",
    )
    counts_as_review = models.BooleanField(
        "a post counts as the review",
        default=False,
        help_text="A student's first post in the thread is their review of this kind for "
        "that reading, with its time: due times and the late policy apply as to any review.",
    )

    class Meta:
        verbose_name = "threads on"
        verbose_name_plural = "threads on"
        ordering = ["course", "kind__order", "session__date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__isnull=False, session__isnull=True)
                | Q(kind__isnull=True, session__isnull=False),
                name="threadrule_kind_xor_session",
            ),
            models.CheckConstraint(
                condition=Q(counts_as_review=False) | Q(kind__isnull=False),
                name="threadrule_counts_only_for_a_kind",
            ),
        ]

    def __str__(self):
        if self.kind_id:
            counts = " (a post is the review)" if self.counts_as_review else ""
            return f"Threads on every {self.kind.name}{counts}"
        return f"Threads on {self.session}"

    def clean(self):
        if (self.kind_id is None) == (self.session_id is None):
            raise ValidationError("Choose a review kind or a session, not both.")
        target = self.kind if self.kind_id else self.session
        if self.course_id and target.course_id != self.course_id:
            field = "kind" if self.kind_id else "session"
            raise ValidationError({field: "Pick one of the same course."})
        if self.counts_as_review:
            if not self.kind_id:
                raise ValidationError(
                    {"counts_as_review": "Only a thread on a review kind can count as its review."}
                )
            if self.kind.written_by != WrittenBy.STUDENT:
                raise ValidationError(
                    {
                        "counts_as_review": "A post is one student's: it can count only for a "
                        "review kind each student writes."
                    }
                )

    def covers(self, reading: Reading, presented: set[int]) -> bool:
        """Whether this rule gives ``reading`` a thread (``presented``: ids of readings with
        an active claim, for kinds of presented readings)."""
        if self.session_id:
            return reading.session_id == self.session_id
        scope = self.kind.readings
        if scope == ReadingScope.REQUIRED:
            return reading.required
        if scope == ReadingScope.OPTIONAL:
            return not reading.required
        if scope in (ReadingScope.PRESENTED, ReadingScope.OWN):
            return reading.pk in presented
        return True


NO_THREAD_SESSIONS = (SessionKind.HOLIDAY, SessionKind.DEADLINE)


class PostQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def of_course(self, course):
        return self.filter(reading__course=course)


class Post(models.Model):
    """A post in a reading's thread, or (``parent`` set) a reply to one. Replies are one
    level deep: a reply to a reply is a reply to the same post."""

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_posts"
    )
    body = models.TextField(help_text="Markdown; shown sanitised.")
    anonymous = models.BooleanField(
        "anonymous to classmates",
        default=False,
        help_text="Classmates see “Anonymous” and a number; staff always see the name.",
    )
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False, help_text="Shown first in the thread.")
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    endorsed_at = models.DateTimeField(null=True, blank=True)
    review = models.ForeignKey(
        Review,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The review this post is, where the thread counts posts as reviews.",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["reading", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(body__regex=r"\S"), name="post_body_not_blank"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), LONGEST), name="post_body_length"
            ),
            models.CheckConstraint(
                condition=Q(pinned=False) | Q(parent__isnull=True),
                name="post_only_top_level_pinned",
            ),
            models.CheckConstraint(
                condition=Q(endorsed_by__isnull=True) | Q(endorsed_at__isnull=False),
                name="post_endorsed_with_time",
            ),
            models.UniqueConstraint(
                fields=["review"], condition=Q(review__isnull=False), name="post_one_per_review"
            ),
        ]
        indexes = [models.Index(fields=["reading", "created_at"])]

    def __str__(self):
        what = "reply" if self.parent_id else "post"
        return f"{what} #{self.pk} on {self.reading}"

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    def editable_until(self, window: timedelta):
        return self.created_at + window

    def editable_by(self, user, now, window: timedelta) -> bool:
        """Its author, within the course's edit window."""
        return self.author_id == user.pk and now <= self.editable_until(window)


class ThreadVisit(models.Model):
    """When a person last read a reading's thread: posts after it are "new" to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "reading"], name="threadvisit_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user} read {self.reading} at {self.seen_at}"


class ReplyNotice(models.Model):
    """One email per (reply, recipient): the unique constraint makes the notice send once
    (courses.reminders.send_once), however often the reply is saved."""

    reply = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reply", "user"], name="replynotice_once_per_user"),
        ]

    def __str__(self):
        return f"reply notice to {self.user} for {self.reply}"

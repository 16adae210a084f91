"""Attendance: a check-in per session (the code shown in class) and one record per student.

The check-in is valid from class start to class end, with ``GRACE`` on either side (a
student who walks in a few minutes early or scans the code at the last minute still
counts). Wrong codes are counted per student and check-in (``CheckInAttempt``): after
``WRONG_CODE_LIMIT`` of them the check-in is locked for that student; staff can still
mark them present.
"""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from courses.models import Membership, Session

GRACE = timedelta(minutes=10)
WRONG_CODE_LIMIT = 5
# Capital letters and digits nobody misreads on a projector: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
CODE_LENGTH = 5


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    """What a student typed, as codes are stored: capitals, no spaces or dashes."""
    return "".join(ch for ch in str(value).upper() if ch.isalnum())


class CheckInQuerySet(models.QuerySet):
    def of_course(self, course):
        return self.filter(session__course=course)


class CheckIn(models.Model):
    """A session's check-in, opened by staff: the code students type (or scan) in class."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="checkin")
    code = models.CharField(
        max_length=12,
        default=new_code,
        help_text="Shown in class; students type it. Made up when the check-in is opened.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = "check-in"
        ordering = ["-session__date", "-session__start_time", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="checkin_code_not_blank"),
        ]

    def __str__(self):
        return f"Check-in {self.session}"

    def clean(self):
        if self.session_id and not self.session.meets:
            raise ValidationError({"session": "Class does not meet that day: no check-in."})
        self.code = normalize_code(self.code)
        if not self.code:
            raise ValidationError({"code": "A code needs letters or digits."})

    def opens_at(self):
        """Needs ``session.course`` (loaded or cached)."""
        return self.session.starts_at() - GRACE

    def closes_at(self):
        return self.session.ends_at() + GRACE

    def state(self, now) -> str:
        """'before' | 'open' | 'closed' at ``now``."""
        if now < self.opens_at():
            return "before"
        if now > self.closes_at():
            return "closed"
        return "open"

    def matches(self, guess: str) -> bool:
        return hmac.compare_digest(normalize_code(guess), self.code)


class Status(models.TextChoices):
    PRESENT = "present", "present"
    EXCUSED = "excused", "excused"
    ABSENT = "absent", "absent"


class Attendance(models.Model):
    """One student at one check-in. A student without a row was not there: absent once
    the check-in's window closed. ``corrected_by`` is set when staff decided the status."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="records")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PRESENT)
    checked_in_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the student checked in."
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "attendance record"
        ordering = ["checkin", "student__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "student"], name="attendance_one_per_student_checkin"
            ),
        ]

    def __str__(self):
        return f"{self.student}: {self.get_status_display()} at {self.checkin.session}"

    def clean(self):
        if (
            self.checkin_id
            and self.student_id
            and not Membership.objects.students()
            .filter(course_id=self.checkin.session.course_id, user_id=self.student_id)
            .exists()
        ):
            raise ValidationError({"student": "Not a student of this session's course."})


class CheckInAttempt(models.Model):
    """A student's wrong codes at one check-in; the row is locked while a guess is judged."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    wrong = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "student"], name="checkinattempt_one_per_student"
            ),
        ]

    def __str__(self):
        return f"{self.student}: {self.wrong} wrong at {self.checkin}"

    @property
    def locked(self) -> bool:
        return self.wrong >= WRONG_CODE_LIMIT

    @property
    def left(self) -> int:
        return max(WRONG_CODE_LIMIT - self.wrong, 0)

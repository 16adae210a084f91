"""Attendance: a check-in per session (the code shown in class) and one record per student.

The check-in is valid from class start to class end, with the course's grace minutes on
either side (a student who walks in a few minutes early or scans the code at the last
minute still counts). Wrong codes are counted per student and check-in
(``CheckInAttempt``): after the course's limit the check-in is locked for that student;
staff can still mark them present. Both are ``AttendanceSettings`` of the course (the
course file's ``attendance`` section), ``GRACE_MINUTES`` and ``WRONG_CODE_LIMIT`` without.
"""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from courses.models import Course, Membership, PerCourseSettings, Session

GRACE_MINUTES = 10
WRONG_CODE_LIMIT = 5
# Capital letters and digits nobody misreads on a projector: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
CODE_LENGTH = 5


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    """What a student typed, as codes are stored: capitals, no spaces or dashes."""
    return "".join(ch for ch in str(value).upper() if ch.isalnum())


class AttendanceSettings(PerCourseSettings, models.Model):
    """A course's attendance rules; a course without a row has the defaults."""

    cached_as = "_attendance_settings"  # PerCourseSettings.of keeps the row on the course
    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, related_name="attendance_settings"
    )
    grace_minutes = models.PositiveSmallIntegerField(
        default=GRACE_MINUTES,
        validators=[MaxValueValidator(60)],
        help_text="A check-in opens this many minutes before class starts and closes this "
        "many after it ends (at most 60).",
    )
    wrong_code_limit = models.PositiveSmallIntegerField(
        "wrong codes allowed",
        default=WRONG_CODE_LIMIT,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="After this many wrong codes a check-in is locked for that student for the "
        "session (1 to 20).",
    )

    class Meta:
        verbose_name = "attendance settings"
        verbose_name_plural = "attendance settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(grace_minutes__lte=60), name="attendance_grace_at_most_an_hour"
            ),
            models.CheckConstraint(
                condition=Q(wrong_code_limit__gte=1, wrong_code_limit__lte=20),
                name="attendance_wrong_code_limit_range",
            ),
        ]

    def __str__(self):
        return f"Attendance settings of {self.course.code}"

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.grace_minutes)


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
        """Needs ``session.course`` (loaded or cached); its settings cost one query the
        first time (``AttendanceSettings.of``)."""
        return self.session.starts_at() - AttendanceSettings.of(self.session.course).grace

    def closes_at(self):
        return self.session.ends_at() + AttendanceSettings.of(self.session.course).grace

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

    def locked(self, limit: int) -> bool:
        return self.wrong >= limit

    def left(self, limit: int) -> int:
        return max(limit - self.wrong, 0)

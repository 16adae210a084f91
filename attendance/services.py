"""Attendance workflows: opening a check-in, a student checking in, staff correcting."""

from django.db import IntegrityError, transaction
from django.db.models import F

from attendance.models import Attendance, AttendanceSettings, CheckIn, CheckInAttempt, Status
from courses.models import Membership
from courses.timing import format_instant


class AttendanceError(Exception):
    """A refusal a person can read; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def checkin_open(*, session, by) -> CheckIn:
    """The session's check-in, opened now if it was not (opening twice keeps the code)."""
    if not session.meets:
        raise AttendanceError("Class does not meet that day: there is nothing to check in to.")
    try:
        with transaction.atomic():
            checkin, _ = CheckIn.objects.get_or_create(session=session, defaults={"opened_by": by})
    except IntegrityError:  # opened at the same moment by another staff member
        checkin = CheckIn.objects.get(session=session)
    return checkin


def check_in(*, checkin, student, code: str, now) -> Attendance:
    """``student`` checks in to ``checkin`` with ``code`` at ``now``.

    Refused (AttendanceError) outside the window, when staff already recorded the student,
    after the course's limit of wrong codes (locked for this check-in), and for a wrong code,
    which is counted. The student's attempt row is locked (FOR UPDATE) while the guess is
    judged, so parallel guesses cannot get past the limit.
    """
    tz = checkin.session.course.tz
    limit = AttendanceSettings.of(checkin.session.course).wrong_code_limit
    state = checkin.state(now)
    if state == "before":
        raise AttendanceError(
            f"Check-in opens at {format_instant(checkin.opens_at(), tz)}.", field="code"
        )
    if state == "closed":
        raise AttendanceError(
            f"Check-in closed at {format_instant(checkin.closes_at(), tz)}.", field="code"
        )
    problem = None
    with transaction.atomic():
        attempt, _ = CheckInAttempt.objects.select_for_update().get_or_create(
            checkin=checkin, student=student
        )
        record = Attendance.objects.filter(checkin=checkin, student=student).first()
        if record is not None:
            if record.status != Status.PRESENT:
                problem = (
                    f"The staff recorded you as {record.get_status_display()} for this "
                    "session; ask them if that is wrong."
                )
        elif attempt.locked(limit):
            problem = (
                "Too many wrong codes: check-in is locked for you for this session. "
                "Ask the staff to mark you present."
            )
        elif not checkin.matches(code):
            CheckInAttempt.objects.filter(pk=attempt.pk).update(wrong=F("wrong") + 1)
            attempt.refresh_from_db(fields=["wrong"])
            if attempt.locked(limit):
                problem = (
                    "That is not the code shown in class, and that was the last try: "
                    "check-in is locked for you for this session. Ask the staff to mark "
                    "you present."
                )
            else:
                left = attempt.left(limit)
                tries = "try" if left == 1 else "tries"
                problem = f"That is not the code shown in class ({left} {tries} left)."
        else:
            # get_or_create: staff may record the student at this very moment.
            record, _ = Attendance.objects.get_or_create(
                checkin=checkin,
                student=student,
                defaults={"status": Status.PRESENT, "checked_in_at": now},
            )
    if problem:  # after the block: the wrong guess stays counted
        raise AttendanceError(problem, field="code")
    return record


def attendance_correct(*, checkin, changes: dict[int, str], by, now) -> int:
    """Staff set students' statuses at ``checkin``: ``changes`` maps a student id to a
    Status value, or "" to clear the record (not recorded: absent once the window closed).
    Ids that are not students of the course are ignored. Returns how many changed."""
    students = set(
        Membership.objects.students()
        .filter(course_id=checkin.session.course_id, user_id__in=list(changes))
        .values_list("user_id", flat=True)
    )
    changed = 0
    with transaction.atomic():
        current = {
            r.student_id: r
            for r in Attendance.objects.select_for_update().filter(
                checkin=checkin, student_id__in=students
            )
        }
        for student_id, status in changes.items():
            if student_id not in students:
                continue
            record = current.get(student_id)
            if status == "":
                if record is not None:
                    record.delete()
                    changed += 1
                continue
            if status not in Status.values:
                raise AttendanceError(f"{status!r} is not one of: {', '.join(Status.values)}.")
            if record is not None and record.status == status:
                continue
            if record is None:
                record = Attendance(checkin=checkin, student_id=student_id)
            record.status, record.corrected_by, record.corrected_at = status, by, now
            record.save()
            changed += 1
    return changed

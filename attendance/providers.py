"""Attendance as a grade source ("attendance"): every session that had a check-in is an item."""

from decimal import Decimal

from django.urls import reverse

from attendance.models import Attendance, CheckIn, Status
from courses.timing import format_day
from grading.engine import GradeContext, ItemScore, ItemStatus

ONE = Decimal(1)


def attendance_scores(component, context: GradeContext) -> dict[int, list[ItemScore]]:
    """One item per check-in of the course, out of 1: present 1/1, absent 0/1 (graded),
    excused left out; not recorded is missing (0) once the check-in's window closed and
    upcoming before. Three queries (check-ins, records, the course's settings) whatever the number of students or sessions."""
    course = component.course
    checkins = list(
        CheckIn.objects.of_course(course)
        .select_related("session")
        .order_by("session__date", "session__start_time", "id")
    )
    if not checkins:
        return {}
    records = Attendance.objects.filter(checkin__in=checkins)
    if context.for_students:  # a student's own page: their records only
        records = records.filter(student__in=context.students)
    status = {
        (r.checkin_id, r.student_id): r.status for r in records.only("checkin", "student", "status")
    }
    url = reverse("attendance:attendance", args=[course.code])
    closed = {}
    for checkin in checkins:
        checkin.session.course = course
        closed[checkin.pk] = checkin.state(context.now) == "closed"
    result = {}
    for student in context.students:
        items = []
        for checkin in checkins:
            label = f"Attendance {format_day(checkin.session.date)}"
            found = status.get((checkin.pk, student.pk))
            if found == Status.PRESENT:
                item = ItemScore(label, ONE, ItemStatus.GRADED, ONE, url=url, note="present")
            elif found == Status.ABSENT:
                item = ItemScore(label, ONE, ItemStatus.GRADED, Decimal(0), url=url, note="absent")
            elif found == Status.EXCUSED:
                item = ItemScore(label, ONE, ItemStatus.EXCUSED, url=url, note="excused")
            elif closed[checkin.pk]:
                item = ItemScore(label, ONE, ItemStatus.MISSING, url=url, note="not checked in")
            else:
                item = ItemScore(label, ONE, ItemStatus.UPCOMING, url=url)
            items.append(item)
        result[student.pk] = items
    return result

"""Attendance as a grade source ("attendance"): each session that had a check-in is an
item, present 1/1, absent 0/1, excused left out, not recorded 0 once the window closed.
People: see conftest.py."""

import re
from decimal import Decimal

import pytest

from attendance.models import Attendance, CheckIn, Status
from tests.attendance.conftest import AFTER, IN_CLASS
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def component(course):
    from tests.factories import GradeComponentFactory

    return GradeComponentFactory(
        course=course, name="Attendance", weight=Decimal(100), source="attendance", published=True
    )


def items_of(course, student, now):
    from grading.engine import compute_gradebook

    book = compute_gradebook(course, now=now, student_ids=[student.pk])
    return book.rows[0].components[0]


def test_each_session_with_a_check_in_is_an_item(
    course, component, alice, bob, checkin, instructor
):
    Attendance.objects.create(checkin=checkin, student=alice, checked_in_at=IN_CLASS)
    thursday = SessionFactory(course=course, date=checkin.session.date.replace(day=6))
    later = CheckIn.objects.create(session=thursday, code="MMMMM")
    Attendance.objects.create(
        checkin=later, student=alice, status=Status.EXCUSED, corrected_by=instructor
    )
    SessionFactory(course=course, date=checkin.session.date.replace(day=11))  # no check-in: no item

    score = items_of(course, alice, AFTER.replace(day=7))
    assert [(i.label, i.status, i.earned) for i in score.items] == [
        ("Attendance Tue Nov 4", "graded", Decimal(1)),
        ("Attendance Thu Nov 6", "excused", None),
    ]
    assert score.current_fraction == 1  # excused is left out

    bobs = items_of(course, bob, AFTER.replace(day=7))
    assert [i.status for i in bobs.items] == ["missing", "missing"]  # 0 once closed
    assert bobs.current_fraction == 0


def test_not_checked_in_is_upcoming_until_the_window_closes(course, component, bob, checkin):
    assert [i.status for i in items_of(course, bob, IN_CLASS).items] == ["upcoming"]
    assert [i.status for i in items_of(course, bob, AFTER).items] == ["missing"]


def test_absent_counts_zero(course, component, alice, checkin, instructor):
    Attendance.objects.create(
        checkin=checkin, student=alice, status=Status.ABSENT, corrected_by=instructor
    )
    score = items_of(course, alice, IN_CLASS)
    assert score.current_fraction == 0 and score.items[0].note == "absent"


def test_a_student_sees_their_attendance_on_the_grades_page(
    client, course, component, alice, bob, checkin, at
):
    Attendance.objects.create(checkin=checkin, student=alice, checked_in_at=IN_CLASS)
    at(AFTER)
    client.force_login(alice)
    html = text_of(client.get(f"/courses/{course.code}/grades/"))
    assert "Attendance Tue Nov 4" in html and "1 / 1" in html
    client.force_login(bob)
    assert "missing</em> (0 / 1)" in text_of(client.get(f"/courses/{course.code}/grades/"))


def test_the_provider_runs_the_same_queries_for_any_number_of_students(
    course, component, checkin, django_assert_num_queries
):
    from attendance.providers import attendance_scores
    from grading.engine import GradeContext
    from tests.factories import StudentFactory

    students = StudentFactory.create_batch(3, course=course)
    for more in (0, 10):
        students += StudentFactory.create_batch(more, course=course)
        component.course = type(course).objects.get(pk=course.pk)  # settings not read yet
        with django_assert_num_queries(3):
            attendance_scores(component, GradeContext(component.course, students, AFTER))


def test_the_course_file_accepts_an_attendance_component():
    from courses.coursefile import export_course, import_course
    from tests.courses.test_coursefile import SEED_001

    text = SEED_001.replace(
        "{name: Class participation, weight: '10', source: participation}",
        "{name: Class participation, weight: '10', source: attendance}",
    )
    assert text != SEED_001
    result = import_course(text)
    assert result.course.components.get(name="Class participation").source == "attendance"
    assert "source: attendance" in export_course(result.course)

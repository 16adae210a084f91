"""A course's attendance settings (grace minutes, wrong codes allowed): the course file's
"attendance" section, the course's admin page, and the rules they change. People: see
conftest.py."""

import pytest

from attendance.models import Attendance, AttendanceSettings, CheckInAttempt
from courses.coursefile import CourseFileError, export_data, import_course
from tests.attendance.conftest import IN_CLASS
from tests.courses.test_coursefile import EXAMPLES

pytestmark = pytest.mark.django_db

ECS289D = (EXAMPLES / "ecs289d-f25.yaml").read_text()
SECTION = "attendance:\n  grace_minutes: 10\n  wrong_code_limit: 5\n"


def with_section(text):
    assert ECS289D.count(SECTION) == 1
    return ECS289D.replace(SECTION, text)


def test_the_example_sets_them_and_exports_them_back():
    course = import_course(ECS289D).course
    assert export_data(course)["attendance"] == {"grace_minutes": 10, "wrong_code_limit": 5}
    import_course(with_section("attendance:\n  grace_minutes: 0\n  wrong_code_limit: 3\n"))
    assert AttendanceSettings.objects.get(course=course).grace_minutes == 0
    assert export_data(course)["attendance"] == {"grace_minutes": 0, "wrong_code_limit": 3}


def test_a_course_without_the_section_has_the_defaults_and_exports_none():
    course = import_course(with_section("")).course
    assert "attendance" not in export_data(course)
    rules = AttendanceSettings.of(course)
    assert (rules.grace_minutes, rules.wrong_code_limit, rules.pk) == (10, 5, None)


@pytest.mark.parametrize(
    ("section", "path", "message"),
    [
        (
            "attendance:\n  grace_minutes: 90\n",
            "attendance.grace_minutes",
            "less than or equal to 60",
        ),
        ("attendance:\n  grace_minutes: -1\n", "attendance.grace_minutes", "at least 0"),
        ("attendance:\n  wrong_code_limit: 0\n", "attendance.wrong_code_limit", "at least 1"),
        ("attendance:\n  grace: 5\n", "attendance.grace", "unknown field"),
        ("attendance:\n  grace_minutes: ten\n", "attendance.grace_minutes", "whole number"),
    ],
)
def test_bad_values_are_refused_at_their_key(section, path, message):
    with pytest.raises(CourseFileError) as caught:
        import_course(with_section(section))
    assert caught.value.path == path and message in caught.value.message
    assert caught.value.line is not None


def test_no_grace_takes_codes_in_class_time_only(client, course, alice, checkin, page, at):
    AttendanceSettings.objects.create(course=course, grace_minutes=0)
    at(IN_CLASS.replace(hour=10, minute=29))
    client.force_login(alice)
    response = client.post(page, {"code": "HX7KP"})
    assert "Check-in opens at Tue Nov 4, 10:30 AM PST." in response.content.decode()
    at(IN_CLASS.replace(hour=10, minute=30))
    assert client.post(page, {"code": "HX7KP"}).status_code == 302
    assert Attendance.objects.filter(student=alice).exists()


def test_the_course_sets_how_many_wrong_codes_lock_a_check_in(
    client, course, alice, checkin, page, at
):
    AttendanceSettings.objects.create(course=course, wrong_code_limit=2)
    at(IN_CLASS)
    client.force_login(alice)
    assert "(1 try left)" in client.post(page, {"code": "AAAAA"}).content.decode()
    assert "that was the last try" in client.post(page, {"code": "AAAAA"}).content.decode()
    assert "locked for you" in client.post(page, {"code": "HX7KP"}).content.decode()
    assert CheckInAttempt.objects.get(student=alice).wrong == 2


def test_staff_set_them_in_the_admin_for_their_own_courses_only(
    client, course, other_course, instructor
):
    client.force_login(instructor)
    add = "/admin/attendance/attendancesettings/add/"
    form = client.get(add).context["adminform"].form
    assert list(form.fields["course"].queryset) == [course]
    response = client.post(add, {"course": course.pk, "grace_minutes": 7, "wrong_code_limit": 3})
    assert response.status_code == 302
    assert AttendanceSettings.objects.get(course=course).grace_minutes == 7
    refused = client.post(
        add, {"course": other_course.pk, "grace_minutes": 7, "wrong_code_limit": 3}
    )
    assert refused.status_code == 200  # "select a valid choice"
    assert not AttendanceSettings.objects.filter(course=other_course).exists()
    too_long = client.post(
        f"/admin/attendance/attendancesettings/{AttendanceSettings.objects.get().pk}/change/",
        {"grace_minutes": 90, "wrong_code_limit": 3},
    )
    assert too_long.status_code == 200
    assert AttendanceSettings.objects.get().grace_minutes == 7

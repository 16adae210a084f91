"""`manage.py demo`: the ECS 289D demo course, its instructor and 24 students."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from claims.models import Claim
from courses.models import Course, Membership, Reading, Role, Session, SessionKind
from courses.services.schedule import DEMO_PASSWORD
from courses.timing import end_of_minute as eom

LA = ZoneInfo("America/Los_Angeles")
# A Wednesday in the middle of a later term: the demo must make it week 1.
TODAY = datetime(2026, 4, 8, 9, 15, tzinfo=LA)


def run_demo(*args, capsys=None):
    call_command("demo", *args)


def test_demo_builds_the_course_people_and_prints_how_to_sign_in(db, capsys):
    with time_machine.travel(TODAY, tick=False):
        call_command("demo")
    out = capsys.readouterr().out
    assert "instructor@example.edu" in out and DEMO_PASSWORD in out
    assert "student01@example.edu" in out and "student24@example.edu" in out
    course = Course.objects.get(code="ecs289d-f25")
    assert course.sessions.count() == 22
    assert Reading.objects.filter(course=course).count() == 34
    assert Membership.objects.filter(course=course, role=Role.STUDENT).count() == 24
    instructor = get_user_model().objects.get(email="instructor@example.edu")
    assert instructor.is_staff and instructor.check_password(DEMO_PASSWORD)
    assert course.role_of(instructor) == Role.INSTRUCTOR
    student = get_user_model().objects.get(email="student07@example.edu")
    assert student.name and student.check_password(DEMO_PASSWORD)


def test_demo_dates_put_today_in_week_1_with_the_claim_window_open(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("demo")
        course = Course.objects.get(code="ecs289d-f25")
        assert course.claims_state() == "open"
    first = course.sessions.first()
    assert first.week(first.date) == 1
    assert first.date == date(2026, 4, 9)  # Thursday of today's week, as Thu 9/25 was
    assert course.claims_open_at <= TODAY < course.claims_close_at
    assert (course.claims_close_at - TODAY).days >= 2
    # Weekdays line up: holidays stay on Tuesday and Thursday, 7 and 9 weeks on.
    holidays = list(course.sessions.filter(kind=SessionKind.HOLIDAY))
    assert [h.date.strftime("%a") for h in holidays] == ["Tue", "Thu"]
    assert holidays[0].week(first.date) == 8
    # Team deadline moved by the same whole weeks, same local wall-clock time.
    assert course.team_deadline.astimezone(LA).strftime("%a %H:%M") == "Tue 23:59"


def test_demo_as_seeded_keeps_the_fall_2025_dates(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("demo", "--as-seeded")
    course = Course.objects.get(code="ecs289d-f25")
    assert course.sessions.first().date == date(2025, 9, 25)
    assert course.claims_open_at == datetime(2025, 9, 25, 12, 0, tzinfo=LA)
    assert course.claims_close_at == eom(datetime(2025, 9, 30, 23, 59, tzinfo=LA))


def test_running_the_demo_again_changes_nothing(db, capsys, django_assert_max_num_queries):
    with time_machine.travel(TODAY, tick=False):
        call_command("demo")
    course = Course.objects.get(code="ecs289d-f25")
    before = (
        list(course.sessions.values_list("id", "date")),
        list(Reading.objects.values_list("id", "session_id", "order")),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )
    capsys.readouterr()
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=LA), tick=False):
        with django_assert_max_num_queries(2):
            call_command("demo")
    assert "exists already" in capsys.readouterr().out
    after = (
        list(course.sessions.values_list("id", "date")),
        list(Reading.objects.values_list("id", "session_id", "order")),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )
    assert after == before


def test_demo_reset_rebuilds_it(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("demo")
    old = Course.objects.get(code="ecs289d-f25")
    # Work attached to a reading does not block the rebuild.
    student = get_user_model().objects.get(email="student01@example.edu")
    Claim.objects.create(
        course=old, reading=Reading.objects.filter(course=old).last(), student=student
    )
    with time_machine.travel(TODAY, tick=False):
        call_command("demo", "--reset", "--as-seeded")
    new = Course.objects.get(code="ecs289d-f25")
    assert new.pk != old.pk
    assert new.sessions.first().date == date(2025, 9, 25)
    assert Membership.objects.filter(course=new).count() == 25
    assert get_user_model().objects.filter(email__endswith="@example.edu").count() == 25


def holiday_rows(course):
    return [(s.date, s.title, s.notes) for s in course.sessions.filter(kind=SessionKind.HOLIDAY)]


def test_demo_shows_holidays_the_shift_moved_off_their_day_as_no_class(db, capsys):
    with time_machine.travel(TODAY, tick=False):
        call_command("demo")
    course = Course.objects.get(code="ecs289d-f25")
    # Veterans Day would be Tue 5/26 and Thanksgiving Thu 6/11: neither label may show.
    assert holiday_rows(course) == [
        (date(2026, 5, 26), "No class", ""),
        (date(2026, 6, 11), "No class", ""),
    ]
    named = Session.objects.filter(course=course).values_list("title", "notes")
    assert not [
        row for row in named if "Veterans" in "".join(row) or "Thanksgiving" in "".join(row)
    ]
    out = capsys.readouterr().out
    assert "Veterans Day was Tue 2025-11-11; now Tue 2026-05-26: shown as “No class”" in out


def test_demo_keeps_holiday_names_that_still_fit(db):
    with time_machine.travel(datetime(2026, 9, 23, 9, 0, tzinfo=LA), tick=False):
        call_command("demo")
    course = Course.objects.get(code="ecs289d-f25")
    assert holiday_rows(course) == [
        (date(2026, 11, 10), "Veterans Day", "Skipped for Veterans Day Holiday"),
        (date(2026, 11, 26), "Thanksgiving", "Skipped for Thanksgiving Holiday"),
    ]

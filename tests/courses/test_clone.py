"""`manage.py clone_course`: a course copied to a new term, weekdays aligned."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim
from courses.coursefile import import_course
from courses.models import Course, Reading, SessionKind
from courses.timing import end_of_minute as eom
from teams.models import Team
from tests.courses.test_coursefile import SEED_001

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def ecs(db):
    return import_course(SEED_001).course


def test_tue_thu_schedule_keeps_its_weekdays_in_a_term_starting_on_a_wednesday(ecs, capsys):
    call_command("clone_course", ecs.code, "ecs289d-w26", "--first-day", "2026-01-07")
    new = Course.objects.get(code="ecs289d-w26")
    old_days = [s.date for s in ecs.sessions.all()]
    new_days = [s.date for s in new.sessions.all()]
    assert len(new_days) == len(old_days) == 22
    assert [d.strftime("%a") for d in new_days] == [d.strftime("%a") for d in old_days]
    # Thu 9/25 was the first class; the first Thursday on or after Wed 1/7 is 1/8.
    assert new_days[0] == date(2026, 1, 8)
    assert all(d >= date(2026, 1, 7) for d in new_days)
    assert {(n - o).days for n, o in zip(new_days, old_days, strict=True)} == {105}
    # Course-level instants keep their local wall-clock times.
    assert new.claims_open_at == datetime(2026, 1, 8, 12, 0, tzinfo=LA)
    assert new.claims_close_at == eom(datetime(2026, 1, 13, 23, 59, tzinfo=LA))
    assert new.team_deadline == eom(datetime(2026, 1, 20, 23, 59, tzinfo=LA))
    out = capsys.readouterr().out
    assert "Tue 2026-02-24  Veterans Day" in out
    assert "Thu 2026-03-12  Thanksgiving" in out
    assert "check them" in out


def test_clone_copies_readings_but_no_students_claims_or_teams(ecs, make_user):
    # alice is a student of the old term only.
    alice = make_user("alice@example.edu", "Alice Archer")
    ecs.memberships.create(user=alice, role="student")
    reading = Reading.objects.get(course=ecs, paper__title="The Tail at Scale")
    Claim.objects.create(course=ecs, reading=reading, student=alice)
    Team.objects.create(course=ecs, name="Team A")
    call_command("clone_course", ecs.code, "ecs289d-f26", "--first-day", "2026-09-24")
    new = Course.objects.get(code="ecs289d-f26")
    assert Reading.objects.filter(course=new).count() == 34
    assert Reading.objects.get(course=new, paper__title="The Tail at Scale").presented_by_instructor
    assert not new.memberships.exists()
    assert not Claim.objects.filter(course=new).exists()
    assert not Team.objects.filter(course=new).exists()
    assert new.sessions.filter(kind=SessionKind.HOLIDAY).count() == 2
    assert new.sessions.first().date == date(2026, 9, 24)


def test_clone_refuses_an_existing_code_and_a_bad_date(ecs, other_course):
    with pytest.raises(CommandError, match="exists already"):
        call_command("clone_course", ecs.code, other_course.code, "--first-day", "2026-01-07")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("clone_course", ecs.code, "new", "--first-day", "Jan 7")
    with pytest.raises(CommandError, match="No course"):
        call_command("clone_course", "nope", "new", "--first-day", "2026-01-07")


def test_clone_shifts_dates_in_other_apps_sections_too(ecs, monkeypatch):
    from courses import coursefile
    from courses.coursefile import Section

    loaded = {}
    apps_sections = coursefile.sections
    extra = Section(
        key="zz_milestones",
        order=99,
        export=lambda course: [{"name": "Proposal", "due": "2025-10-16 23:59"}],
        load=lambda course, data: loaded.setdefault(course.code, data),
    )
    monkeypatch.setattr(coursefile, "sections", lambda: [*apps_sections(), extra])
    call_command("clone_course", ecs.code, "ecs289d-w26", "--first-day", "2026-01-07")
    # Thu 10/16 + 105 days = Thu 2026-01-29, same wall-clock time.
    assert loaded["ecs289d-w26"] == [{"name": "Proposal", "due": "2026-01-29 23:59"}]


def test_clone_flags_holidays_that_no_longer_fall_on_the_holiday_they_name(ecs, capsys):
    call_command("clone_course", ecs.code, "ecs289d-w26", "--first-day", "2026-01-07")
    out = capsys.readouterr().out
    assert "Veterans Day was Tue 2025-11-11; now Tue 2026-02-24: check it" in out
    assert "Thanksgiving was Thu 2025-11-27; now Thu 2026-03-12: check it" in out


def test_clone_to_next_fall_leaves_holidays_that_still_fit_unflagged(ecs, capsys):
    call_command("clone_course", ecs.code, "ecs289d-f26", "--first-day", "2026-09-24")
    out = capsys.readouterr().out
    # Veterans Day 2026 is Wed 11/11, the day after the Tuesday class; Thanksgiving is Thu 11/26.
    assert "Tue 2026-11-10  Veterans Day" in out and "Thu 2026-11-26  Thanksgiving" in out
    assert "no longer fall" not in out

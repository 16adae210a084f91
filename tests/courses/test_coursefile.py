"""The one-file course format: import, export, revisions in place.

People: alice and bob are students of the course; they hold claims on
readings so that a revision has work to keep or lose.
"""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.core.management import CommandError, call_command

from courses.coursefile import (
    CourseFileError,
    Section,
    _sections,
    export_course,
    import_course,
    register_section,
    shift_dates,
)
from courses.models import Claim, Course, Paper, Reading, Session, SessionKind, Slides

LA = ZoneInfo("America/Los_Angeles")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED_001 = (EXAMPLES / "ecs289d-f25.yaml").read_text()
SEED_002 = (EXAMPLES / "seed002-ecs289d.yaml").read_text()


def reading_titled(course, prefix):
    return Reading.objects.select_related("session").get(
        course=course, paper__title__startswith=prefix
    )


@pytest.fixture
def registry():
    """The section registry, restored after the test (other apps' sections stay)."""
    saved = dict(_sections)
    yield _sections
    _sections.clear()
    _sections.update(saved)


@pytest.fixture
def imported(db):
    return import_course(SEED_001).course


def test_example_builds_the_whole_ecs289d_schedule(imported):
    course = imported
    assert course.title.startswith("ECS 289D")
    assert course.claims_open_at == datetime(2025, 9, 25, 12, 0, tzinfo=LA)
    assert course.claims_close_at == datetime(2025, 9, 30, 23, 59, tzinfo=LA)
    assert course.team_deadline == datetime(2025, 10, 7, 23, 59, tzinfo=LA)
    assert (course.team_min_size, course.team_max_size) == (3, 5)
    assert (course.presenters_per_reading, course.claims_per_presenter) == (2, 1)
    assert course.default_start_time == time(10, 30)
    assert course.sessions.count() == 22
    holidays = course.sessions.filter(kind=SessionKind.HOLIDAY)
    assert [s.date for s in holidays] == [date(2025, 11, 11), date(2025, 11, 27)]
    assert course.sessions.get(date=date(2025, 12, 9)).kind == SessionKind.DEADLINE
    assert course.sessions.get(date=date(2025, 12, 2)).kind == SessionKind.WRAP_UP
    assert course.sessions.get(date=date(2025, 12, 4)).kind == SessionKind.PROJECT_PRESENTATIONS
    assert Reading.objects.filter(course=course).required().count() == 16
    assert Reading.objects.filter(course=course).optional().count() == 18
    tail = reading_titled(course, "The Tail at Scale")
    assert tail.presented_by_instructor and tail.session.date == date(2025, 9, 30)
    assert tail.paper.year == 2013 and "Dean" in tail.paper.authors
    assert set(course.sessions.exclude(topic="").values_list("topic", flat=True)) == {
        "Datacenter networking",
        "Host networking",
        "LLM Inference",
        "LLM Training",
    }


def test_export_then_import_is_a_fixed_point(imported):
    text = export_course(imported)
    again = import_course(text)
    assert not again.created
    assert (again.readings_added, again.readings_removed, again.readings_moved) == (0, 0, 0)
    assert export_course(imported) == text


def test_import_creates_the_same_course_under_a_new_code(imported):
    data = yaml.safe_load(export_course(imported))
    data["course"]["code"] = "copy-f25"
    copy = import_course(yaml.safe_dump(data)).course
    assert copy.sessions.count() == imported.sessions.count()
    # Papers are shared between the two courses, not duplicated.
    assert Paper.objects.filter(title__iexact="the tail at scale").count() == 1


def test_seed_002_to_seed_001_revision_keeps_claims_on_moved_readings(db, make_user):
    # alice and bob hold claims on readings that the revision moves between sessions.
    course = import_course(SEED_002).course
    alice = make_user("alice@example.edu", "Alice Archer")
    bob = make_user("bob@example.edu", "Bob Baker")
    sarathi = reading_titled(course, "Taming Throughput")
    zero = reading_titled(course, "ZeRO")
    assert (sarathi.session.date, sarathi.required) == (date(2025, 11, 4), True)
    assert zero.session.date == date(2025, 11, 13)
    claim_a = Claim.objects.create(course=course, reading=sarathi, student=alice)
    claim_b = Claim.objects.create(course=course, reading=zero, student=bob)
    Slides.objects.create(reading=zero, file="x.pdf", original_name="zero.pdf", content_type="x")

    result = import_course(SEED_001)

    sarathi.refresh_from_db()
    zero.refresh_from_db()
    assert sarathi.session.date == date(2025, 11, 6) and not sarathi.required
    assert zero.session.date == date(2025, 11, 18)
    assert Claim.objects.get(pk=claim_a.pk).reading == sarathi
    assert Claim.objects.get(pk=claim_b.pk).reading == zero
    assert zero.slides.count() == 1
    assert result.readings_moved == 4  # Sarathi-Serve, ZeRO, Everything about…, Alpa
    assert result.readings_removed == 1  # MCCS, which nobody had claimed
    assert not Reading.objects.filter(paper__title__startswith="MCCS").exists()


def test_import_refuses_to_drop_a_claimed_reading_and_names_it(db, make_user):
    course = import_course(SEED_002).course
    mccs = reading_titled(course, "MCCS")
    Claim.objects.create(course=course, reading=mccs, student=make_user("a@example.edu"))
    before = export_course(course)

    with pytest.raises(CourseFileError) as caught:
        import_course(SEED_001)

    assert "MCCS: A Service-based Approach" in str(caught.value)
    assert "1 claim" in str(caught.value)
    assert export_course(Course.objects.get(pk=course.pk)) == before


def test_import_refuses_to_drop_a_reading_with_slides(imported):
    reading = reading_titled(imported, "IX:")
    Slides.objects.create(reading=reading, file="x.pdf", original_name="ix.pdf", content_type="x")
    data = yaml.safe_load(SEED_001)
    for row in data["sessions"]:
        row["readings"] = [r for r in row.get("readings", []) if not r["title"].startswith("IX")]
    with pytest.raises(CourseFileError, match="IX: A Protected Dataplane"):
        import_course(yaml.safe_dump(data))
    assert Reading.objects.filter(pk=reading.pk).exists()


def test_errors_name_the_line_and_field_and_change_nothing(imported):
    text = SEED_001.replace("year: 2013", "year: twenty-thirteen").replace(
        "title: Veterans Day", "title: Veterans Day (observed)"
    )
    bad_line = next(i for i, line in enumerate(text.splitlines(), 1) if "twenty-thirteen" in line)
    with pytest.raises(CourseFileError) as caught:
        import_course(text)
    assert caught.value.line == bad_line
    assert caught.value.path == "sessions[1].readings[0].year"
    assert f"line {bad_line}" in str(caught.value)
    assert imported.sessions.get(date=date(2025, 11, 11)).title == "Veterans Day"


def test_a_later_error_rolls_back_earlier_changes(imported):
    text = SEED_001.replace("term: Fall 2025", "term: Fall 2026").replace(
        "kind: wrapup", "kind: party"
    )
    with pytest.raises(CourseFileError, match="kind"):
        import_course(text)
    assert Course.objects.get(pk=imported.pk).term == "Fall 2025"


def test_a_paper_twice_in_the_file_is_refused(db):
    text = SEED_001.replace("title: Attack of the Killer Microseconds", "title: the tail at scale")
    with pytest.raises(CourseFileError, match="already read at sessions\\[1\\].readings\\[0\\]"):
        import_course(text)
    assert not Course.objects.exists()


def test_yaml_syntax_errors_give_the_line(db):
    with pytest.raises(CourseFileError) as caught:
        import_course("course:\n  code: x\n  title: [unclosed\n")
    assert caught.value.line is not None


def test_unknown_fields_are_refused(db):
    with pytest.raises(CourseFileError, match="sessions\\[0\\].topik: unknown field"):
        import_course(SEED_001.replace("  title: Course Introduction", "  topik: Intro"))


def test_reading_order_swaps_in_place(imported):
    data = yaml.safe_load(SEED_001)
    row = next(r for r in data["sessions"] if str(r["date"]) == "2025-11-13")
    row["readings"].reverse()
    import_course(yaml.safe_dump(data))
    session = imported.sessions.get(date=date(2025, 11, 13))
    titles = [r.paper.title for r in session.readings.order_by("order")]
    assert titles[0].startswith("FlashAttention-3")


def test_registered_sections_are_exported_and_loaded_in_order(imported, registry):
    calls = []
    register_section(
        Section(
            key="zz_later",
            order=90,
            export=lambda course: {"due": "2025-10-16 23:59"},
            load=lambda course, data: calls.append(("later", data)),
        )
    )
    register_section(
        Section(
            key="aa_first",
            order=15,
            export=lambda course: None,
            load=lambda course, data: calls.append(("first", data)),
        )
    )
    text = export_course(imported)
    data = yaml.safe_load(text)
    assert data["zz_later"] == {"due": "2025-10-16 23:59"}
    assert "aa_first" not in data
    data["aa_first"] = [1]
    import_course(yaml.safe_dump(data, sort_keys=False))
    assert calls == [("first", [1]), ("later", {"due": "2025-10-16 23:59"})]


def test_a_section_error_is_located_in_its_section(imported, registry):
    def load(course, data):
        raise CourseFileError("[0].weight", "must be a number.")

    register_section(Section(key="zz_broken", order=95, export=lambda c: None, load=load))
    text = SEED_001 + "zz_broken:\n- name: Reviews\n  weight: lots\n"
    with pytest.raises(CourseFileError) as caught:
        import_course(text.replace("term: Fall 2025", "term: Changed"))
    assert caught.value.path == "zz_broken[0].weight"
    assert caught.value.line == len(text.splitlines())
    assert Course.objects.get(pk=imported.pk).term == "Fall 2025"


def test_shift_dates_moves_dates_and_local_times_but_not_other_text():
    data = {
        "a": date(2025, 9, 25),
        "b": "2025-09-30 23:59",
        "c": ["2025-10-07T10:30:00-07:00", "not a date", "10:30", 3],
        "d": {"e": datetime(2025, 10, 1, 9, 0)},  # noqa: DTZ001 (YAML gives naive datetimes)
    }
    shifted = shift_dates(data, 7)
    assert shifted["a"] == date(2025, 10, 2)
    assert shifted["b"] == "2025-10-07 23:59"
    assert shifted["c"] == ["2025-10-14T10:30:00-07:00", "not a date", "10:30", 3]
    assert shifted["d"]["e"] == datetime(2025, 10, 8, 9, 0)  # noqa: DTZ001


def test_import_and_export_commands(db, tmp_path, capsys):
    path = tmp_path / "course.yaml"
    path.write_text(SEED_001)
    call_command("import_course", str(path))
    assert "ecs289d-f25 created" in capsys.readouterr().out
    call_command("export_course", "ecs289d-f25")
    out = capsys.readouterr().out
    assert yaml.safe_load(out)["course"]["code"] == "ecs289d-f25"
    path.write_text(SEED_001.replace("year: 2013", "year: soon"))
    with pytest.raises(CommandError, match="(?s)line 49, sessions.*year.*Nothing was changed"):
        call_command("import_course", str(path))


def test_session_start_time_and_session_match_by_date(imported):
    text = SEED_001.replace("- date: 2025-10-02\n", "- date: 2025-10-02\n  start: '12:10'\n", 1)
    session = imported.sessions.get(date=date(2025, 10, 2))
    import_course(text)
    again = Session.objects.get(pk=session.pk)
    assert again.start_time == time(12, 10)
    assert again.starts_at() == datetime(2025, 10, 2, 12, 10, tzinfo=LA)

"""The one-file course format: import, export, revisions in place.

People: alice and bob are students of the course; they hold claims on
readings so that a revision has work to keep or lose. carol is bob's teammate.
The instructor reads the claims audit in the admin.
"""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.formats import date_format

from claims.models import Claim, ClaimEvent, Slides
from claims.services import claim_reading, claim_withdraw
from courses import coursefile
from courses.coursefile import (
    CourseFileError,
    Section,
    export_course,
    import_course,
    shift_dates,
)
from courses.models import Course, Paper, Reading, Role, Session, SessionKind
from courses.timing import end_of_minute as eom
from reviews.models import Review, ReviewKind
from teams.models import Team, TeamMember

LA = ZoneInfo("America/Los_Angeles")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED_001 = (EXAMPLES / "ecs289d-f25.yaml").read_text()
SEED_002 = (EXAMPLES / "seed002-ecs289d.yaml").read_text()


def reading_titled(course, prefix):
    return Reading.objects.select_related("session").get(
        course=course, paper__title__startswith=prefix
    )


@pytest.fixture
def registry(monkeypatch):
    """Sections a test adds beside the apps' own (courses.plugins), for this test only."""
    extra = []
    apps_sections = coursefile.sections
    monkeypatch.setattr(
        coursefile, "sections", lambda: sorted([*apps_sections(), *extra], key=lambda s: s.order)
    )
    return extra


@pytest.fixture
def imported(db):
    return import_course(SEED_001).course


def test_example_builds_the_whole_ecs289d_schedule(imported):
    course = imported
    assert course.title.startswith("ECS 289D")
    assert course.claims_open_at == datetime(2025, 9, 25, 12, 0, tzinfo=LA)
    assert course.claims_close_at == eom(datetime(2025, 9, 30, 23, 59, tzinfo=LA))
    assert course.team_deadline == eom(datetime(2025, 10, 7, 23, 59, tzinfo=LA))
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
    # Each course has its own paper, with the same details.
    tails = Paper.objects.filter(title__iexact="the tail at scale")
    assert sorted(tails.values_list("course__code", flat=True)) == ["copy-f25", "ecs289d-f25"]
    assert len(set(tails.values_list("title", "authors", "venue", "year", "url"))) == 1


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
    registry.append(
        Section(
            key="zz_later",
            order=90,
            export=lambda course: {"due": "2025-10-16 23:59"},
            load=lambda course, data: calls.append(("later", data)),
        )
    )
    registry.append(
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

    registry.append(Section(key="zz_broken", order=95, export=lambda c: None, load=load))
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
    with pytest.raises(CommandError, match="(?s)line 50, sessions.*year.*Nothing was changed"):
        call_command("import_course", str(path))


def test_session_start_time_and_session_match_by_date(imported):
    text = SEED_001.replace("- date: 2025-10-02\n", "- date: 2025-10-02\n  start: '12:10'\n", 1)
    session = imported.sessions.get(date=date(2025, 10, 2))
    import_course(text)
    again = Session.objects.get(pk=session.pk)
    assert again.start_time == time(12, 10)
    assert again.starts_at() == datetime(2025, 10, 2, 12, 10, tzinfo=LA)


# ------------------------------------------------- impossible dates and YAML syntax errors


def line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("2025-02-30", "day is out of range for month"),
        ("2025-13-02", "month must be in 1..12"),
    ],
)
def test_an_impossible_unquoted_date_is_refused_with_its_line_and_field(db, typed, why):
    text = SEED_001.replace("- date: 2025-10-02\n", f"- date: {typed}\n", 1)
    with pytest.raises(CourseFileError) as caught:
        import_course(text)
    assert caught.value.line == line_of(text, f"date: {typed}")
    assert caught.value.path == "sessions[2].date"
    assert why in caught.value.message
    assert not Course.objects.exists()


def test_an_impossible_unquoted_date_and_time_is_refused_with_its_line_and_field(db):
    # With seconds, YAML reads it as a timestamp of its own.
    text = SEED_001.replace("opens: '2025-09-25 12:00'", "opens: 2025-09-31 12:00:00")
    with pytest.raises(CourseFileError) as caught:
        import_course(text)
    assert caught.value.line == line_of(text, "opens: 2025-09-31")
    assert caught.value.path == "course.claims.opens"
    assert "day is out of range for month" in caught.value.message


def test_the_command_reports_an_impossible_date_without_a_traceback(db, tmp_path):
    path = tmp_path / "course.yaml"
    path.write_text(SEED_001.replace("- date: 2025-10-02\n", "- date: 2025-02-30\n", 1))
    line = line_of(path.read_text(), "2025-02-30")
    with pytest.raises(CommandError, match=rf"line {line}, sessions\[2\]\.date: .*2025-02-30"):
        call_command("import_course", str(path))


@pytest.mark.parametrize(
    ("typed", "broken", "needle", "words"),
    [
        pytest.param(
            "  institution: UC Davis\n",
            "    institution: UC Davis\n",
            "    institution",
            "this line is indented more than the one before it.",
            id="indented-more",
        ),
        pytest.param(
            "    venue: Communications of the ACM\n    year: 2013",
            "   venue: Communications of the ACM\n    year: 2013",
            "   venue: Communications of the ACM",
            "this line is not indented like the lines above it.",
            id="indented-less",
        ),
        pytest.param(
            "default_start_time: '10:30'",
            "default_start_time: '10:30",
            "default_start_time",
            "a quote is not closed",
            id="unclosed-quote",  # PyYAML stops four lines later, at the next quote
        ),
        pytest.param(
            "  session_minutes: 80",
            "\tsession_minutes: 80",
            "session_minutes",
            "this line is indented with a tab: indent with spaces only.",
            id="tab",
        ),
        pytest.param(
            "  topic: Datacenter networking\n  notes: Presentation by Yang",
            "  topic Datacenter networking\n  notes: Presentation by Yang",
            "topic Datacenter networking",
            "a ':' is missing",
            id="missing-colon",  # PyYAML points at the line after it
        ),
        pytest.param(
            "  term: Fall 2025\n  institution: UC Davis\n",
            "  term Fall 2025\n  institution: UC Davis\n",
            "term Fall 2025",
            "a ':' is missing",
            id="missing-colon-before-a-key",  # PyYAML: "mapping values are not allowed"
        ),
        pytest.param(
            "title: Course Introduction",
            "title: Course Introduction: the plan",
            "Course Introduction: the plan",
            "a value that contains ': ' must be put in quotes.",
            id="colon-in-a-value",
        ),
    ],
)
def test_a_yaml_syntax_error_is_told_in_plain_words_at_the_line_it_starts(
    db, typed, broken, needle, words
):
    assert SEED_001.count(typed) == 1
    text = SEED_001.replace(typed, broken)
    with pytest.raises(CourseFileError) as caught:
        import_course(text)
    line = line_of(text, needle)
    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"line {line}: ")
    assert "mapping values" not in str(caught.value)  # PyYAML's own words are not shown
    assert not Course.objects.exists()


def test_a_nul_character_in_the_file_is_refused_with_its_line(db):
    text = SEED_001.replace("term: Fall 2025", "term: Fall\x002025")
    with pytest.raises(CourseFileError) as caught:
        import_course(text)
    assert caught.value.line == line_of(text, "term: Fall")
    assert "NUL character" in caught.value.message


def test_a_refusal_says_nothing_was_changed_once(db, make_user, tmp_path):
    course = import_course(SEED_002).course
    mccs = reading_titled(course, "MCCS")
    Claim.objects.create(course=course, reading=mccs, student=make_user("a@example.edu"))
    path = tmp_path / "course.yaml"
    path.write_text(SEED_001)  # drops MCCS, which has a claim
    with pytest.raises(CommandError) as caught:
        call_command("import_course", str(path))
    assert "MCCS" in str(caught.value)
    assert str(caught.value).count("Nothing was changed.") == 1


def test_a_bad_value_says_nothing_was_changed_once(db, tmp_path):
    path = tmp_path / "course.yaml"
    path.write_text(SEED_001.replace("year: 2013", "year: soon"))
    with pytest.raises(CommandError) as caught:
        call_command("import_course", str(path))
    assert str(caught.value).count("Nothing was changed.") == 1


# ------------------------------------------------ removing, previewing and telling


CLAIMS_OPEN = datetime(2025, 9, 26, 9, 0, tzinfo=LA)
MCCS = "MCCS: A Service-based Approach to Collective Communication for Multi-Tenant Cloud"
SARATHI = "Taming Throughput-Latency Tradeoff in LLM Inference with Sarathi-Serve"
ZERO = "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models"


@pytest.fixture
def seed_002(db):
    return import_course(SEED_002).course


@pytest.fixture
def students(seed_002, make_user):
    people = {}
    for key, name in (("alice", "Alice Archer"), ("bob", "Bob Baker"), ("carol", "Carol Cho")):
        people[key] = make_user(f"{key}@example.edu", name)
        seed_002.memberships.create(user=people[key], role=Role.STUDENT)
    return people


def review(course, reading, student):
    kind, _ = ReviewKind.objects.get_or_create(
        course=course, slug="paper-review", defaults={"name": "Paper review", "prompts": PROMPTS}
    )
    return Review.objects.create(kind=kind, reading=reading, student=student, answers={"s": "ok"})


PROMPTS = [{"key": "s", "label": "Summary", "required": True}]


def claimed_and_withdrawn(reading, student):
    with time_machine.travel(CLAIMS_OPEN, tick=False):
        claim = claim_reading(reading=reading, user=student)
        claim_withdraw(claim=claim, user=student)
    return claim


def test_import_removes_a_reading_whose_claims_were_all_withdrawn_and_keeps_its_history(
    seed_002, students, make_user, login
):
    mccs = reading_titled(seed_002, "MCCS")
    claim = claimed_and_withdrawn(mccs, students["alice"])

    result = import_course(SEED_001)

    assert result.readings_removed == 1
    assert not Reading.objects.filter(pk=mccs.pk).exists()
    assert not Claim.objects.filter(pk=claim.pk).exists()
    events = ClaimEvent.objects.filter(course=seed_002).order_by("id")
    assert [(e.action, e.holder, e.paper_title, e.session_date, e.reading) for e in events] == [
        ("claim", "Alice Archer", MCCS, date(2025, 10, 23), None),
        ("withdraw", "Alice Archer", MCCS, date(2025, 10, 23), None),
    ]
    # The claims audit still names the paper and the session.
    instructor = make_user("yang@example.edu", "Yang Zhou", is_staff=True)
    seed_002.memberships.create(user=instructor, role=Role.INSTRUCTOR)
    page = login(instructor).get(reverse("admin:claims_claimevent_changelist")).content.decode()
    assert page.count(MCCS) == 2
    assert page.count(date_format(date(2025, 10, 23))) == 2


def test_import_refuses_to_drop_a_reading_with_a_review_even_if_its_claim_was_withdrawn(
    seed_002, students
):
    mccs = reading_titled(seed_002, "MCCS")
    claim = claimed_and_withdrawn(mccs, students["alice"])
    review(seed_002, mccs, students["bob"])

    with pytest.raises(CourseFileError) as caught:
        import_course(SEED_001)

    assert f'"{MCCS}" (1 review)' in str(caught.value)
    assert Reading.objects.filter(pk=mccs.pk).exists()
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_import_refuses_to_drop_a_reading_with_an_active_claim_after_a_withdrawn_one(
    seed_002, students
):
    mccs = reading_titled(seed_002, "MCCS")
    claimed_and_withdrawn(mccs, students["alice"])
    Claim.objects.create(course=seed_002, reading=mccs, student=students["bob"])

    with pytest.raises(CourseFileError) as caught:
        import_course(SEED_001)

    assert f'"{MCCS}" (1 claim)' in str(caught.value)
    assert Reading.objects.filter(pk=mccs.pk).exists()


def snapshot():
    return (
        sorted(Session.objects.values_list("id", "date", "title")),
        sorted(Reading.objects.values_list("id", "session_id", "paper_id", "order", "required")),
        sorted(Paper.objects.values_list("id", "title", "url")),
        sorted(Claim.objects.values_list("id", "reading_id", "withdrawn_at")),
        sorted(ClaimEvent.objects.values_list("id", "reading_id")),
        sorted(Review.objects.values_list("id", "reading_id")),
    )


def test_dry_run_lists_what_would_change_and_whose_work_moves_and_changes_nothing(
    seed_002, students, tmp_path, capsys, django_capture_on_commit_callbacks, mailoutbox
):
    sarathi = reading_titled(seed_002, "Taming Throughput")
    Claim.objects.create(course=seed_002, reading=sarathi, student=students["alice"])
    for student in students.values():
        review(seed_002, sarathi, student)
    claimed_and_withdrawn(reading_titled(seed_002, "MCCS"), students["bob"])
    before = snapshot()
    path = tmp_path / "course.yaml"
    path.write_text(SEED_001)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_course", str(path), "--dry-run")

    out = capsys.readouterr().out
    assert "ecs289d-f25 would be updated (dry run: nothing was changed)" in out
    assert "readings +13 -1, 4 moved" in out
    assert f"moves “{SARATHI}” from Tue Nov 4 to Thu Nov 6: claim by Alice Archer, 3 reviews" in out
    assert f"moves “{ZERO}” from Thu Nov 13 to Tue Nov 18\n" in out
    assert f"removes “{MCCS}” from Thu Oct 23 (1 withdrawn claim: kept in the claims audit)" in out
    assert "adds “VL2: A Scalable and Flexible Data Center Network” to Thu Oct 2" in out
    assert snapshot() == before
    assert mailoutbox == []


def test_presenters_of_a_reading_moved_to_another_date_are_told_once_each(
    seed_002, students, tmp_path, django_capture_on_commit_callbacks, mailoutbox
):
    # alice presents Sarathi-Serve alone; bob and carol present ZeRO as a team.
    Claim.objects.create(
        course=seed_002, reading=reading_titled(seed_002, "Taming"), student=students["alice"]
    )
    team = Team.objects.create(course=seed_002, name="Zero heroes")
    for key in ("bob", "carol"):
        TeamMember.objects.create(team=team, user=students[key])
    Claim.objects.create(course=seed_002, reading=reading_titled(seed_002, "ZeRO"), team=team)
    path = tmp_path / "course.yaml"
    path.write_text(SEED_001)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_course", str(path))

    assert sorted((m.to, m.subject) for m in mailoutbox) == [
        (["alice@example.edu"], f"ecs289d-f25: “{SARATHI}” moved to Thu Nov 6"),
        (["bob@example.edu"], f"ecs289d-f25: “{ZERO}” moved to Tue Nov 18"),
        (["carol@example.edu"], f"ecs289d-f25: “{ZERO}” moved to Tue Nov 18"),
    ]
    alices = next(m for m in mailoutbox if m.to == ["alice@example.edu"])
    assert "moved from Tue Nov 4 to Thu Nov 6" in alices.body
    assert "/courses/ecs289d-f25/" in alices.body

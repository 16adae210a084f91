"""The course file's "panels" section: each session's reviewer groups by name, imported in
place, exported back, refused values located at their key and line.

People: groups "Attention" (sam; presents vLLM on Tue Nov 4), "Caching" (tom) and
"Neutral" (ned), formed after the course was first imported, as groups are.
"""

from pathlib import Path

import pytest

from courses.coursefile import CourseFileError, export_data, import_course
from courses.models import Course, Reading
from panels.models import ReviewerGroup
from tests import factories as f

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
COURSE = """\
course:
  code: cse585-f25
  title: 'CSE 585: Advanced Scalable Systems for GenAI'
  term: Fall 2025
  time_zone: America/Detroit
  default_start_time: '10:30'
  claims: {opens: '2025-08-28 12:00', closes: '2025-09-03 23:59', presents_by: team,
           presenters_per_reading: 1}
  teams: {min_size: 1, max_size: 4, deadline: '2025-09-04 23:59'}
sessions:
- date: 2025-11-04
  readings: [{title: vLLM}]
- date: 2025-11-06
  readings: [{title: Orca}]
- {date: 2025-11-11, kind: holiday, title: Veterans Day}
"""


def pairs(course):
    return sorted(
        (g.session.date.isoformat(), g.team.name)
        for g in ReviewerGroup.objects.of_course(course).select_related("session", "team")
    )


@pytest.fixture
def groups():
    course = import_course(COURSE).course
    made = {}
    for name, person in (("Attention", "sam"), ("Caching", "tom"), ("Neutral", "ned")):
        student = f.StudentFactory(course=course, email=f"{person}@umich.edu")
        made[name] = f.TeamFactory(course=course, name=name, members=[student])
    vllm = Reading.objects.get(course=course, paper__title="vLLM")
    f.ClaimFactory(course=course, reading=vllm, by_team=True, team=made["Attention"])
    return course


def test_the_section_assigns_reviewer_groups_and_exports_them_back(groups):
    panels = "panels:\n- {session: 2025-11-04, reviewers: [Neutral, Caching]}\n"
    import_course(COURSE + panels)
    assert pairs(groups) == [("2025-11-04", "Caching"), ("2025-11-04", "Neutral")]
    assert export_data(groups)["panels"] == [
        {"session": "2025-11-04", "reviewers": ["Caching", "Neutral"]}
    ]


def test_re_import_updates_in_place(groups):
    import_course(COURSE + "panels:\n- {session: 2025-11-04, reviewers: [Caching, Neutral]}\n")
    kept = ReviewerGroup.objects.get(team__name="Caching")
    import_course(
        COURSE
        + "panels:\n- {session: 2025-11-04, reviewers: [caching]}\n"
        + "- {session: 2025-11-06, reviewers: [Attention]}\n"
    )
    assert pairs(groups) == [("2025-11-04", "Caching"), ("2025-11-06", "Attention")]
    assert ReviewerGroup.objects.get(team__name="Caching").pk == kept.pk  # the same row
    # Leaving the section out keeps what the course has; an empty one clears it.
    import_course(COURSE)
    assert len(pairs(groups)) == 2
    import_course(COURSE + "panels: []\n")
    assert pairs(groups) == []
    assert "panels" not in export_data(groups)


@pytest.mark.parametrize(
    ("panels", "path", "message"),
    [
        (
            "- {session: 2025-11-04, reviewers: [Cashing]}",
            "panels[0].reviewers[0]",
            "no group named “Cashing” in this course (Attention, Caching, Neutral)",
        ),
        (
            "- {session: 2025-11-04, reviewers: [Attention]}",
            "panels[0].reviewers[0]",
            "Attention presents “vLLM” in this session",
        ),
        ("- {session: 2025-11-05, reviewers: [Caching]}", "panels[0].session", "no single session"),
        ("- {session: 2025-11-11, reviewers: [Caching]}", "panels[0].session", "no class meets"),
        (
            "- {session: 2025-11-04, reviewers: [Caching, Neutral, Caching]}",
            "panels[0].reviewers[2]",
            "“Caching” appears twice",
        ),
        (
            "- {session: 2025-11-04, reviewers: [Caching]}\n- {session: 2025-11-04}",
            "panels[1].session",
            "appears twice",
        ),
        ("- {session: Nov 4, reviewers: [Caching]}", "panels[0].session", "must be a date"),
        ("- {session: 2025-11-04, reviewer: [Caching]}", "panels[0].reviewer", "unknown field"),
        ("- {reviewers: [Caching]}", "panels[0].session", "needs a session"),
    ],
)
def test_refused_values_are_reported_at_their_key_and_line(groups, panels, path, message):
    text = COURSE + "panels:\n" + panels + "\n"
    with pytest.raises(CourseFileError) as caught:
        import_course(text)
    error = caught.value
    assert error.path == path and message in error.message, str(error)
    bad_line = len(COURSE.splitlines()) + 2 + (1 if path.startswith("panels[1]") else 0)
    assert error.line == bad_line, str(error)
    assert pairs(groups) == []  # all or nothing


def test_a_course_without_groups_yet_takes_the_section_but_assigns_nothing():
    """A new course (or a clone to a new term) has no groups to look the names up in."""
    course = import_course(COURSE + "panels:\n- {session: 2025-11-04, reviewers: [Caching]}\n")
    assert pairs(course.course) == []
    with pytest.raises(CourseFileError, match="no single session"):
        import_course(COURSE + "panels:\n- {session: 2025-11-05, reviewers: [Caching]}\n")


def test_the_cse585_example_has_a_panel_for_each_presented_lecture():
    text = (EXAMPLES / "cse585-f25.yaml").read_text()
    course = import_course(text).course
    assert pairs(course) == []  # no groups yet
    for n in range(1, 18):
        f.TeamFactory(course=course, name=f"Group {n}")
    import_course(text)
    found = pairs(Course.objects.get(code="cse585-f25"))
    claimable = Reading.objects.filter(course=course, presented_by_instructor=False)
    assert len(found) == claimable.count() == 17
    assert {day for day, _ in found} == {r.session.date.isoformat() for r in claimable}
    assert {name for _, name in found} == {f"Group {n}" for n in range(1, 18)}
    assert ("2025-10-07", "Group 10") in found


def test_a_clone_to_a_new_term_copies_no_reviewer_groups(groups):
    """Teams are never copied, so neither are the groups on the panels."""
    from datetime import date

    from courses.services.schedule import clone_course

    import_course(COURSE + "panels:\n- {session: 2025-11-04, reviewers: [Caching]}\n")
    result = clone_course(source=groups, new_code="cse585-f26", first_day=date(2026, 11, 1))
    assert pairs(result.course) == [] and len(pairs(groups)) == 1

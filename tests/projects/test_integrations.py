"""Milestones on the dashboard and calendar (deadlines) and in the course file."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
import yaml

from courses.coursefile import (
    CourseFileError,
    export_course,
    import_course,
    sections,
    shift_dates,
)
from courses.deadlines import due_items
from courses.models import Course, Membership, Role
from courses.timing import end_of_minute as eom
from grading.models import ComponentSource, GradeComponent
from projects.models import Deliverable, LatePolicy, Milestone, MilestoneGrade, Submission
from projects.providers import milestone_deadlines
from tests.conftest import LA
from tests.projects.conftest import add_student, make_team


def milestones_section():
    return next(s for s in sections() if s.key == "milestones")


def test_a_students_deadlines_include_the_teams_milestones_with_done_flags(
    course, alice, team, proposal, repo_link, checkin
):
    Submission.objects.create(
        milestone=proposal,
        team=team,
        version=1,
        submitted_by=alice,
        submitted_at=proposal.due_at,
        link="https://x.org",
    )
    MilestoneGrade.objects.create(milestone=checkin, team=team, held=True)
    items = {i.title: i for i in due_items(alice, [course]) if i.kind == "milestone"}
    assert items["Project proposal (project)"].done
    assert items["Mid-quarter check-in (project)"].done
    assert not items["Code repository (project)"].done
    assert items["Project proposal (project)"].due_at == eom(
        datetime(2025, 10, 16, 23, 59, tzinfo=LA)
    )
    assert items["Code repository (project)"].url.endswith(f"/team/#m{repo_link.pk}")


def test_staff_and_other_courses_get_no_milestone_deadlines(
    course, other_course, instructor, charlie, proposal
):
    assert not [i for i in due_items(instructor, [course]) if i.kind == "milestone"]
    assert not [i for i in due_items(charlie, [other_course]) if i.kind == "milestone"]


def test_milestone_deadlines_run_a_fixed_number_of_queries(
    django_assert_max_num_queries, make_user, course, alice, team, proposal
):
    with django_assert_max_num_queries(6):
        items = milestone_deadlines(alice, [course])
    assert [i.kind for i in items] == ["team", "milestone"] and items[0].done
    others = []
    for n in range(3):
        other = Course.objects.create(code=f"c{n}", title="C", term="T", team_max_size=4)
        Membership.objects.create(user=alice, course=other, role=Role.STUDENT)
        make_team(other, "T", alice, add_student(make_user, other, f"z{n}@x.edu"))
        for k in range(3):
            Milestone.objects.create(course=other, name=f"M{k}", due_at=proposal.due_at)
        others.append(other)
    with django_assert_max_num_queries(6):
        items = milestone_deadlines(alice, [course, *others])
    assert len([i for i in items if i.kind == "milestone"]) == 1 + 3 * 3


def test_the_course_file_carries_milestones_and_reads_them_back(course, alice, team):
    component = GradeComponent.objects.create(
        course=course, name="Proposal", weight=Decimal("1"), source=ComponentSource.MILESTONE
    )
    Milestone.objects.create(
        course=course,
        name="Project proposal",
        description="Two pages.",
        due_at=datetime(2025, 10, 16, 23, 59, tzinfo=LA),
        deliverable=Deliverable.FILE,
        late_policy=LatePolicy.PENALTY,
        late_penalty_pct=Decimal("10"),
        max_points=Decimal("10"),
        component=component,
    )
    Milestone.objects.create(
        course=course,
        name="Check-in",
        due_at=datetime(2025, 11, 6, 17, tzinfo=LA),
        deliverable=Deliverable.NONE,
    )
    data = yaml.safe_load(yaml.safe_dump(milestones_section().export(course)))
    assert data[0] == {
        "name": "Project proposal",
        "due": "2025-10-16 23:59",
        "deliverable": "file",
        "late_policy": "penalty",
        "late_penalty_pct": "10",
        "max_points": "10",
        "component": "Proposal",
        "description": "Two pages.",
    }
    assert data[1]["due"] == "2025-11-06 17:00"

    data[0]["due"] = "2025-10-17T23:59:00-07:00"  # an explicit offset is accepted too
    data[1]["name"] = "Mid-quarter check-in"
    milestones_section().load(course, data)
    moved = Milestone.objects.get(course=course, name="Project proposal")
    assert moved.due_at == eom(datetime(2025, 10, 17, 23, 59, tzinfo=LA))
    assert moved.component == component and moved.late_penalty_pct == Decimal("10")
    assert sorted(Milestone.objects.values_list("name", flat=True)) == [
        "Mid-quarter check-in",
        "Project proposal",
    ]


def test_an_unknown_component_name_is_a_clear_course_file_error(course):
    with pytest.raises(CourseFileError) as error:
        milestones_section().load(
            course, [{"name": "Report", "due": "2025-12-09T23:59", "component": "Final report"}]
        )
    assert error.value.path == "milestones[0].component"
    assert "no grade component named “Final report”" in error.value.message


@pytest.mark.parametrize(
    ("row", "path"),
    [
        ({"name": "R", "due": "next week"}, "milestones[0].due"),
        (
            {"name": "R", "due": "2025-12-09T23:59", "deliverable": "video"},
            "milestones[0].deliverable",
        ),
        (
            {"name": "R", "due": "2025-12-09T23:59", "max_points": "lots"},
            "milestones[0].max_points",
        ),
        ({"name": "R", "due": "2025-12-09T23:59", "colour": "red"}, "milestones[0].colour"),
        ({"due": "2025-12-09T23:59"}, "milestones[0].name"),
    ],
)
def test_bad_milestone_rows_are_refused_with_their_path(course, row, path):
    with pytest.raises(CourseFileError) as error:
        milestones_section().load(course, [row])
    assert error.value.path == path


def test_a_milestone_with_submissions_is_not_deleted_by_an_import(course, alice, team, proposal):
    Submission.objects.create(
        milestone=proposal,
        team=team,
        version=1,
        submitted_by=alice,
        submitted_at=proposal.due_at,
        link="https://x.org",
    )
    with pytest.raises(CourseFileError, match="teams have submitted"):
        milestones_section().load(course, [])
    assert Milestone.objects.filter(pk=proposal.pk).exists()


def test_shifting_the_course_file_keeps_the_wall_clock_due_time_across_dst(course):
    Milestone.objects.create(
        course=course, name="Proposal", due_at=datetime(2025, 10, 16, 23, 59, tzinfo=LA)
    )
    data = shift_dates(milestones_section().export(course), 28)
    milestones_section().load(course, data)
    assert Milestone.objects.get().due_at == eom(
        datetime(2025, 11, 13, 23, 59, tzinfo=LA)
    )  # PST now


ECS289D_PROJECT = """
course:
  code: proj-test
  title: Projects test
  term: Fall 2025
  time_zone: America/Los_Angeles
  teams:
    min_size: 3
    max_size: 5
    deadline: '2025-10-07 23:59'
sessions:
- date: 2025-09-25
  title: Course Introduction
milestones:
- {name: Project proposal, due: '2025-10-16 23:59', deliverable: file, component: Project proposal}
- {name: Mid-quarter check-in, due: '2025-11-06 17:00', deliverable: none}
- {name: Mid-quarter milestone, due: '2025-11-06 23:59', deliverable: file, component: Mid-term report,
   late_policy: penalty, late_penalty_pct: 10}
- {name: Final presentation, due: '2025-12-04 10:30', deliverable: file, component: Final presentation}
- {name: Final report and code, due: '2025-12-09 23:59', deliverable: link,
   component: Final report and code}
"""


def test_a_course_file_with_milestones_imports_and_exports_through_the_course_format(db):
    # Components come from the "components" section (grading); made here directly.
    existing = Course.objects.create(code="proj-test", title="Projects test", term="Fall 2025")
    for name, weight in [
        ("Project proposal", 1),
        ("Mid-term report", 4),
        ("Final presentation", 10),
        ("Final report and code", 35),
    ]:
        GradeComponent.objects.create(
            course=existing, name=name, weight=weight, source=ComponentSource.MILESTONE
        )

    course = import_course(ECS289D_PROJECT).course
    assert course.pk == existing.pk
    assert course.team_max_size == 5
    milestones = list(Milestone.objects.filter(course=course).select_related("component"))
    assert [m.name for m in milestones][:2] == ["Project proposal", "Mid-quarter check-in"]
    assert milestones[0].component.name == "Project proposal"
    assert milestones[2].late_penalty_pct == Decimal("10")
    exported = yaml.safe_load(export_course(course))
    assert exported["milestones"][4]["due"] == "2025-12-09 23:59"
    assert exported["milestones"][4]["component"] == "Final report and code"


def test_a_student_without_a_team_sees_the_membership_deadline_until_joining(
    login, course, alice, carol, team
):
    (mine,) = [i for i in due_items(carol, [course]) if i.kind == "team"]
    assert mine.title == "Form or join a project team" and not mine.done
    assert mine.due_at == course.team_deadline
    with time_machine.travel(course.team_deadline - timedelta(days=3), tick=False):
        page = login(carol).get("/").content.decode()
    assert "Form or join a project team" in page
    (theirs,) = [i for i in due_items(alice, [course]) if i.kind == "team"]
    assert theirs.done

"""Staff grade milestones per team; each student's score comes out of the grading provider."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from grading.engine import ItemStatus, score_component
from grading.models import ComponentSource, GradeComponent
from projects.models import MilestoneAdjustment, MilestoneExtension, MilestoneGrade, Submission
from tests.conftest import LA
from tests.projects.conftest import add_student, make_team

AFTER_ALL = datetime(2025, 12, 20, tzinfo=LA)
BEFORE_ALL = datetime(2025, 10, 1, tzinfo=LA)


@pytest.fixture
def component(course, proposal, checkin):
    component = GradeComponent.objects.create(
        course=course, name="Proposal", weight=Decimal("1"), source=ComponentSource.MILESTONE
    )
    proposal.component = component
    proposal.save()
    checkin.component = component
    checkin.save()
    return component


def submit(team, milestone, user, at):
    last = Submission.objects.filter(team=team, milestone=milestone).count()
    late = at > milestone.due_at
    return Submission.objects.create(
        team=team,
        milestone=milestone,
        version=last + 1,
        submitted_by=user,
        submitted_at=at,
        link="https://example.org",
        is_late=late,
        lateness=(at - milestone.due_at) if late else None,
    )


def scores(component, students, now=AFTER_ALL, *, for_students=False):
    result = score_component(component, students, now, for_students=for_students)
    return {sid: {item.label: item for item in items} for sid, items in result.items()}


def test_staff_grade_a_team_in_the_admin_with_a_per_student_adjustment(
    login, course, instructor, alice, bob, team, proposal, component
):
    submit(team, proposal, alice, proposal.due_at - timedelta(hours=1))
    response = login(instructor).post(
        reverse("admin:projects_milestonegrade_add"),
        {
            "milestone": proposal.pk,
            "team": team.pk,
            "points": "9",
            "feedback": "Clear plan; tighten the evaluation.",
            "published": "on",
            "adjustments-TOTAL_FORMS": "1",
            "adjustments-INITIAL_FORMS": "0",
            "adjustments-MIN_NUM_FORMS": "0",
            "adjustments-MAX_NUM_FORMS": "1000",
            "adjustments-0-student": bob.pk,
            "adjustments-0-delta": "-4",
            "adjustments-0-override": "",
            "adjustments-0-reason": "Did not contribute to the writing",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    result = scores(component, [alice, bob])
    assert result[alice.pk]["Project proposal"].earned == Decimal("9.00")
    assert result[bob.pk]["Project proposal"].earned == Decimal("5.00")
    assert result[bob.pk]["Project proposal"].status == ItemStatus.GRADED
    assert "Did not contribute" in result[bob.pk]["Project proposal"].note


def test_an_adjustment_for_a_student_outside_the_team_is_refused(
    login, course, instructor, alice, carol, team, rival, proposal
):
    response = login(instructor).post(
        reverse("admin:projects_milestonegrade_add"),
        {
            "milestone": proposal.pk,
            "team": team.pk,
            "points": "9",
            "adjustments-TOTAL_FORMS": "1",
            "adjustments-INITIAL_FORMS": "0",
            "adjustments-MIN_NUM_FORMS": "0",
            "adjustments-MAX_NUM_FORMS": "1000",
            "adjustments-0-student": carol.pk,
            "adjustments-0-delta": "1",
            "adjustments-0-reason": "typo",
        },
    )
    assert response.status_code == 200
    assert "is not in Flash Team" in response.content.decode()
    assert not MilestoneAdjustment.objects.exists()


def test_an_override_replaces_the_team_points_within_the_maximum(
    course, alice, bob, team, proposal, component
):
    submit(team, proposal, alice, proposal.due_at - timedelta(hours=1))
    grade = MilestoneGrade.objects.create(
        milestone=proposal, team=team, points=Decimal("6"), published=True
    )
    MilestoneAdjustment.objects.create(
        grade=grade, student=alice, override=Decimal("12"), reason="Extra experiment"
    )
    result = scores(component, [alice, bob])
    assert result[alice.pk]["Project proposal"].earned == Decimal("10")  # capped at max points
    assert result[bob.pk]["Project proposal"].earned == Decimal("6.00")


def test_a_late_submission_loses_the_penalty_per_started_day(
    course, alice, team, proposal, component
):
    # 10 % per started day; 1 day and 1 minute late: 2 started days -> 20 % off.
    submit(team, proposal, alice, proposal.due_at + timedelta(days=1, minutes=1))
    MilestoneGrade.objects.create(
        milestone=proposal, team=team, points=Decimal("8"), published=True
    )
    item = scores(component, [alice])[alice.pk]["Project proposal"]
    assert item.earned == Decimal("6.40")
    assert "late" in item.note


def test_a_milestone_penalty_is_exact_until_display(course, alice, team, proposal, component):
    # 7.25 points, 1 minute late: one started day at 10 % -> 6.525 exactly.
    submit(team, proposal, alice, proposal.due_at + timedelta(minutes=1))
    MilestoneGrade.objects.create(
        milestone=proposal, team=team, points=Decimal("7.25"), published=True
    )
    assert scores(component, [alice])[alice.pk]["Project proposal"].earned == Decimal("6.525")


def test_the_latest_version_decides_lateness(course, alice, team, proposal, component):
    submit(team, proposal, alice, proposal.due_at - timedelta(hours=1))
    submit(team, proposal, alice, proposal.due_at + timedelta(hours=1))
    MilestoneGrade.objects.create(
        milestone=proposal, team=team, points=Decimal("10"), published=True
    )
    assert scores(component, [alice])[alice.pk]["Project proposal"].earned == Decimal("9.00")


def test_a_no_credit_milestone_submitted_late_scores_zero(course, alice, team, repo_link):
    component = GradeComponent.objects.create(
        course=course, name="Code", weight=Decimal("35"), source=ComponentSource.MILESTONE
    )
    repo_link.component = component
    repo_link.save()
    submit(team, repo_link, alice, repo_link.due_at + timedelta(seconds=1))
    MilestoneGrade.objects.create(
        milestone=repo_link, team=team, points=Decimal("90"), published=True
    )
    assert scores(component, [alice])[alice.pk]["Code repository"].earned == Decimal("0.00")


def test_an_unpublished_grade_is_ungraded_for_students_and_graded_for_staff(
    login, course, alice, instructor, team, proposal, component
):
    submit(team, proposal, alice, proposal.due_at - timedelta(hours=1))
    MilestoneGrade.objects.create(milestone=proposal, team=team, points=Decimal("8"))
    item = scores(component, [alice], for_students=True)[alice.pk]["Project proposal"]
    assert item.status == ItemStatus.UNGRADED and item.earned is None
    staff_item = scores(component, [alice])[alice.pk]["Project proposal"]
    assert staff_item.earned == Decimal("8") and "not yet published" in staff_item.note
    # Through the pages: the student's grades page and the staff gradebook.
    component.published = True
    component.save()
    with time_machine.travel(AFTER_ALL, tick=False):
        mine = login(alice).get(reverse("grading:grades", args=[course.code])).content.decode()
        book = login(instructor).get(reverse("grading:gradebook_csv", args=[course.code]))
    assert "8.00 / 10" not in mine
    rows = list(csv.DictReader(io.StringIO(book.content.decode())))
    alice_row = next(r for r in rows if r["SIS Login ID"] == alice.email)
    assert Decimal(alice_row[component.name]) > 0  # staff count the entered points


def test_nothing_submitted_is_upcoming_before_the_due_time_and_missing_after(
    course, alice, dave, team, proposal, component
):
    before = scores(component, [alice, dave], now=BEFORE_ALL)
    after = scores(component, [alice, dave])
    assert before[alice.pk]["Project proposal"].status == ItemStatus.UPCOMING
    assert before[dave.pk]["Project proposal"].status == ItemStatus.UPCOMING
    assert after[alice.pk]["Project proposal"].status == ItemStatus.MISSING
    assert after[alice.pk]["Project proposal"].earned == Decimal("0")
    assert after[dave.pk]["Project proposal"].status == ItemStatus.MISSING  # dave: no team


def test_a_check_in_is_missing_after_its_time_unless_marked_held(
    course, alice, bob, team, checkin, component
):
    assert scores(component, [alice])[alice.pk][checkin.name].status == ItemStatus.MISSING
    grade = MilestoneGrade.objects.create(milestone=checkin, team=team, held=True)
    assert scores(component, [alice])[alice.pk][checkin.name].status == ItemStatus.UNGRADED
    grade.points = Decimal("100")
    grade.published = True
    grade.save()
    assert scores(component, [bob])[bob.pk][checkin.name].earned == Decimal("100.00")


def test_published_feedback_shows_on_the_team_page_and_unpublished_does_not(
    login, course, alice, team, proposal
):
    grade = MilestoneGrade.objects.create(
        milestone=proposal, team=team, points=Decimal("7"), feedback="Needs a baseline."
    )
    url = reverse("teams:team", args=[course.code])
    assert "Needs a baseline." not in login(alice).get(url).content.decode()
    grade.published = True
    grade.save()
    page = login(alice).get(url).content.decode()
    assert "Needs a baseline." in page and "7 / 10" in page


def test_the_provider_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries, make_user, course, alice, team, proposal, checkin, component
):
    students = [alice]
    for t in range(6):
        members = [add_student(make_user, course, f"t{t}m{i}@x.edu") for i in range(3)]
        other = make_team(course, f"Team {t}", *members)
        submit(other, proposal, members[0], proposal.due_at)
        grade = MilestoneGrade.objects.create(
            milestone=proposal, team=other, points=Decimal("5"), published=True
        )
        MilestoneAdjustment.objects.create(grade=grade, student=members[1], delta=1, reason="r")
        MilestoneExtension.objects.create(
            milestone=proposal, team=other, due_at=proposal.due_at + timedelta(days=t + 1)
        )
        students += members
    with django_assert_max_num_queries(6):
        result = score_component(component, students, timezone.now())
    assert len(result) == 19


def test_staff_of_another_course_cannot_see_grades_in_the_admin(
    login, course, other_ta, team, proposal
):
    grade = MilestoneGrade.objects.create(milestone=proposal, team=team, points=Decimal("7"))
    client = login(other_ta)
    assert (
        "Flash Team"
        not in client.get(reverse("admin:projects_milestonegrade_changelist")).content.decode()
    )
    url = reverse("admin:projects_milestonegrade_change", args=[grade.pk])
    assert client.get(url).status_code == 302


def test_the_grading_list_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries, login, make_user, course, instructor, proposal
):
    client = login(instructor)
    url = reverse("admin:projects_milestonegrade_changelist")

    def add_teams(n, start):
        for t in range(start, start + n):
            team = make_team(course, f"Team {t}", add_student(make_user, course, f"g{t}@x.edu"))
            MilestoneGrade.objects.create(milestone=proposal, team=team)

    add_teams(2, 0)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    add_teams(8, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_staff_prepare_a_grade_row_for_every_team_from_the_milestone_list(
    login, course, instructor, team, rival, proposal
):
    response = login(instructor).post(
        reverse("admin:projects_milestone_changelist"),
        {"action": "prepare_grades", "_selected_action": [proposal.pk]},
        follow=True,
    )
    assert "2 grade rows added" in response.content.decode()
    assert set(MilestoneGrade.objects.values_list("team__name", flat=True)) == {
        "Flash Team",
        "Rivals",
    }


def test_staff_read_submissions_in_the_admin_but_cannot_change_them(
    login, course, instructor, alice, team, proposal
):
    submission = submit(team, proposal, alice, proposal.due_at)
    client = login(instructor)
    page = client.get(reverse("admin:projects_submission_changelist")).content.decode()
    assert "Flash Team" in page and "https://example.org" in page
    change = client.get(reverse("admin:projects_submission_change", args=[submission.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:projects_submission_add")).status_code == 403


def test_staff_mark_points_and_publish_from_the_grading_list(
    login, course, instructor, alice, team, proposal, component
):
    submit(team, proposal, alice, proposal.due_at)
    grade = MilestoneGrade.objects.create(milestone=proposal, team=team)
    response = login(instructor).post(
        reverse("admin:projects_milestonegrade_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": grade.pk,
            "form-0-points": "8.5",
            "form-0-feedback": "Good",
            "form-0-published": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert scores(component, [alice])[alice.pk]["Project proposal"].earned == Decimal("8.50")


def test_points_above_the_milestone_maximum_are_refused(login, course, instructor, team, proposal):
    response = login(instructor).post(
        reverse("admin:projects_milestonegrade_add"),
        {
            "milestone": proposal.pk,
            "team": team.pk,
            "points": "11",
            "adjustments-TOTAL_FORMS": "0",
            "adjustments-INITIAL_FORMS": "0",
            "adjustments-MIN_NUM_FORMS": "0",
            "adjustments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "At most 10 points for this milestone." in response.content.decode()

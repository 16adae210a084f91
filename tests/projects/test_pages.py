"""List pages run a fixed number of queries, whatever the number of teams, members or versions."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from projects.models import Deliverable, Milestone, MilestoneGrade, Submission
from teams.models import Team, TeamMember
from tests.conftest import LA
from tests.projects.conftest import add_student, make_team

pytestmark = pytest.mark.usefixtures("before_deadline")


def add_milestones(course, n, start=0):
    for i in range(start, start + n):
        Milestone.objects.create(
            course=course,
            name=f"Milestone {i}",
            due_at=course.team_deadline + timedelta(days=7 * (i + 1)),
            deliverable=[Deliverable.FILE, Deliverable.LINK, Deliverable.TEXT, Deliverable.NONE][
                i % 4
            ],
        )


def add_work(team, user):
    for m in Milestone.objects.filter(course=team.course):
        if m.deliverable == Deliverable.NONE:
            MilestoneGrade.objects.get_or_create(milestone=m, team=team, held=True, published=True)
            continue
        version = Submission.objects.filter(milestone=m, team=team).count() + 1
        Submission.objects.create(
            milestone=m,
            team=team,
            version=version,
            submitted_by=user,
            submitted_at=m.due_at,
            text="draft",
            link="https://example.org",
        )
        MilestoneGrade.objects.get_or_create(
            milestone=m, team=team, defaults={"points": 5, "published": True, "feedback": "ok"}
        )


def test_the_team_page_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries, login, make_user, course, alice, team
):
    client = login(alice)
    url = reverse("teams:team", args=[course.code])
    add_milestones(course, 2)
    add_work(team, alice)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200

    add_milestones(course, 6, start=2)
    for i in range(3):
        TeamMember.objects.create(team=team, user=add_student(make_user, course, f"x{i}@x.edu"))
    add_work(team, alice)
    add_work(team, alice)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["rows"]) == 8 and len(page.context["members"]) == 5


def test_the_page_without_a_team_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries, login, make_user, course, dave
):
    client = login(dave)
    url = reverse("teams:team", args=[course.code])
    make_team(course, "T0", add_student(make_user, course, "a0@x.edu"))
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    for t in range(1, 9):
        make_team(course, f"T{t}", add_student(make_user, course, f"a{t}@x.edu"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert len(page.context["open_teams"]) == 9


def test_the_staff_teams_overview_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries, login, make_user, course, instructor
):
    client = login(instructor)
    url = reverse("projects:teams", args=[course.code])
    add_milestones(course, 2)

    def add_teams(start, n):
        for t in range(start, start + n):
            members = [add_student(make_user, course, f"t{t}m{i}@x.edu") for i in range(3)]
            add_work(make_team(course, f"Team {t}", *members), members[0])

    add_teams(0, 1)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    add_milestones(course, 3, start=2)
    add_teams(1, 6)
    add_student(make_user, course, "loner@x.edu", "Lonely Student")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert len(page.context["grid"]) == 7
    assert "Lonely Student" in page.content.decode()


@pytest.fixture
def after_deadline():
    with time_machine.travel(datetime(2025, 10, 20, tzinfo=LA), tick=False):
        yield


def test_staff_move_a_student_between_teams_in_the_admin_after_the_deadline(
    after_deadline, login, course, instructor, alice, bob, carol, team, rival
):
    assert course.teams_locked()
    client = login(instructor)
    url = reverse("admin:teams_team_change", args=[rival.pk])
    form = {
        "course": course.pk,
        "name": rival.name,
        "working_title": "",
        "topic": "",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-id": TeamMember.objects.get(user=carol).pk,
        "members-0-team": rival.pk,
        "members-0-user": carol.pk,
        "members-1-team": rival.pk,
        "members-1-user": bob.pk,
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "is already in Flash Team; remove them there first." in response.content.decode()

    TeamMember.objects.get(user=bob).delete()  # staff remove bob from his team first
    assert client.post(url, form).status_code == 302
    assert TeamMember.objects.get(user=bob).team == rival
    assert Team.objects.get(pk=team.pk).members.count() == 1

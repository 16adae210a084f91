"""Forming teams in the browser: create, join by code, leave, switch, limits, locking."""

from datetime import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from teams.models import Team, TeamMember
from tests.conftest import LA
from tests.teams.conftest import add_student, make_team

pytestmark = pytest.mark.usefixtures("before_deadline")


def url(course, name="team", *args):
    app = "projects" if name == "teams" else "teams"  # the staff overview shows milestones
    return reverse(f"{app}:{name}", args=[course.code, *args])


def test_student_without_team_sees_create_join_and_teams_with_free_seats(login, course, dave, team):
    response = login(dave).get(url(course))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Create a team" in page and "Join a team" in page
    assert "Flash Team" in page and "2 of 5" in page
    assert "FLASH234" not in page  # codes are shared by members, never listed


def test_full_teams_are_not_listed_as_having_free_seats(login, make_user, course, dave, team):
    for i in range(3):
        TeamMember.objects.create(team=team, user=add_student(make_user, course, f"s{i}@x.edu"))
    page = login(dave).get(url(course)).content.decode()
    assert "Flash Team" not in page
    assert "No team has a free seat yet." in page


def test_creating_a_team_makes_the_creator_its_first_member_with_a_join_code(login, course, dave):
    response = login(dave).post(
        url(course, "team_create"),
        {"name": "KV Cachers", "working_title": "Paged KV caches", "topic": "Serving"},
        follow=True,
    )
    team = Team.objects.get(course=course, name="KV Cachers")
    assert list(team.members.values_list("user", flat=True)) == [dave.pk]
    assert team.created_by == dave and team.working_title == "Paged KV caches"
    assert team.join_code in response.content.decode()


def test_a_duplicate_team_name_is_refused_next_to_the_name_field(login, course, dave, team):
    response = login(dave).post(url(course, "team_create"), {"name": "Flash Team"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert response.context["create_form"].errors["name"]
    assert not TeamMember.objects.filter(user=dave).exists()


def test_joining_with_a_code_adds_the_student_whatever_the_case(login, course, dave, team):
    login(dave).post(url(course, "team_join"), {"code": " flash234 "})
    assert team.members.filter(user=dave).exists()


def test_a_wrong_code_is_refused_next_to_the_code_field(login, course, dave, team):
    response = login(dave).post(url(course, "team_join"), {"code": "NOPE2345"})
    assert response.status_code == 400
    assert response.context["join_form"].errors["code"] == [
        "No team in this course has that join code."
    ]


def test_a_code_of_another_course_does_not_work(login, course, other_course, dave, charlie):
    make_team(other_course, "Elsewhere", charlie, code="OTHER234")
    response = login(dave).post(url(course, "team_join"), {"code": "OTHER234"})
    assert response.status_code == 400
    assert not TeamMember.objects.filter(user=dave).exists()


def test_joining_a_full_team_is_refused_with_a_clear_message(login, make_user, course, dave, team):
    for i in range(3):
        TeamMember.objects.create(team=team, user=add_student(make_user, course, f"s{i}@x.edu"))
    response = login(dave).post(url(course, "team_join"), {"code": "FLASH234"})
    assert response.status_code == 400
    assert response.context["join_form"].errors["code"] == ["Flash Team is full (5 of 5 members)."]
    assert team.members.count() == 5


def test_the_page_warns_while_the_team_is_below_the_minimum(login, course, alice, team, dave):
    page = login(alice).get(url(course)).content.decode()
    assert "teams need at least 3" in page
    TeamMember.objects.create(team=team, user=dave)
    page = login(alice).get(url(course)).content.decode()
    assert "teams need at least" not in page


def test_a_member_sees_members_topic_and_code(login, course, alice, team):
    team.topic = "Disaggregated prefill"
    team.save()
    page = login(alice).get(url(course)).content.decode()
    assert "Alice Archer" in page and "Bob Baker" in page
    assert "Disaggregated prefill" in page and "FLASH234" in page


def test_joining_while_in_a_team_asks_to_switch_instead(login, course, alice, team, rival):
    response = login(alice).post(url(course, "team_join"), {"code": "RIVAL234"})
    assert response.status_code == 400
    assert "use “switch”" in response.content.decode()
    assert TeamMember.objects.get(user=alice).team == team


def test_leaving_removes_the_student_and_keeps_the_team(login, course, alice, bob, team):
    login(bob).post(url(course, "team_leave"))
    assert list(team.members.values_list("user", flat=True)) == [alice.pk]


def test_the_last_member_leaving_an_empty_team_without_work_removes_it(login, course, carol, rival):
    login(carol).post(url(course, "team_leave"))
    assert not Team.objects.filter(pk=rival.pk).exists()


def test_switching_moves_the_student_to_the_other_team(login, course, bob, team, rival):
    login(bob).post(url(course, "team_join"), {"code": "RIVAL234", "switch": "1"})
    assert TeamMember.objects.get(user=bob).team == rival
    assert not team.members.filter(user=bob).exists()


def test_switching_into_a_full_team_keeps_the_student_where_they_were(
    login, make_user, course, bob, team, rival
):
    for i in range(4):
        TeamMember.objects.create(team=rival, user=add_student(make_user, course, f"s{i}@x.edu"))
    response = login(bob).post(url(course, "team_join"), {"code": "RIVAL234", "switch": "1"})
    assert response.status_code == 400
    assert TeamMember.objects.get(user=bob).team == team


def test_a_student_can_never_be_in_two_teams_of_a_course(course, alice, team, rival):
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMember.objects.create(team=rival, user=alice)


def test_a_student_may_be_in_teams_of_different_courses(course, other_course, alice, team):
    make_team(other_course, "Elsewhere", alice)
    assert TeamMember.objects.filter(user=alice).count() == 2


@pytest.mark.parametrize("action", ["create", "join", "leave", "switch"])
def test_after_the_membership_deadline_students_cannot_change_teams(
    login, course, alice, dave, team, rival, action
):
    posts = {
        "create": (dave, "team_create", {"name": "Late Team"}),
        "join": (dave, "team_join", {"code": "FLASH234"}),
        "leave": (alice, "team_leave", {}),
        "switch": (alice, "team_join", {"code": "RIVAL234", "switch": "1"}),
    }
    user, name, data = posts[action]
    before = sorted(TeamMember.objects.values_list("team", "user"))
    with time_machine.travel(datetime(2025, 10, 8, 0, 0, tzinfo=LA), tick=False):
        response = login(user).post(url(course, name), data, follow=True)
    assert "Team membership is locked" in response.content.decode()
    assert sorted(TeamMember.objects.values_list("team", "user")) == before
    assert not Team.objects.filter(name="Late Team").exists()


def test_after_the_deadline_the_page_says_only_staff_change_teams(login, course, alice, team):
    with time_machine.travel(datetime(2025, 10, 8, 0, 0, tzinfo=LA), tick=False):
        page = login(alice).get(url(course)).content.decode()
    assert "Only the course staff can change teams now" in page
    assert "Leave team" not in page and "Switch to another team" not in page


def test_until_the_deadline_minute_ends_students_can_still_leave(login, course, bob, team):
    # "Due 11:59 PM" covers that minute (SPEC, Time).
    with time_machine.travel(datetime(2025, 10, 7, 23, 59, 59, 999999, tzinfo=LA), tick=False):
        login(bob).post(url(course, "team_leave"))
    assert not team.members.filter(user=bob).exists()


def test_staff_are_sent_to_the_teams_overview(login, course, instructor, team):
    response = login(instructor).get(url(course))
    assert response.status_code == 302 and response.url == url(course, "teams")
    page = login(instructor).get(url(course, "teams")).content.decode()
    assert "Flash Team" in page and "below 3" in page


def test_staff_cannot_join_teams(login, course, ta, team):
    response = login(ta).post(url(course, "team_join"), {"code": "FLASH234"}, follow=True)
    assert "Only students of the course form teams." in response.content.decode()
    assert not TeamMember.objects.filter(user=ta).exists()


def test_outsiders_reach_no_team_page(client, login, course, charlie, alice, team):
    assert client.get(url(course)).status_code == 302  # anonymous: sign in first
    assert login(charlie).get(url(course)).status_code == 404
    assert login(charlie).post(url(course, "team_join"), {"code": "FLASH234"}).status_code == 404
    assert login(alice).get(url(course, "teams")).status_code == 404  # students: no overview


def test_a_course_without_projects_has_no_team_page(login, other_course, charlie):
    assert login(charlie).get(reverse("teams:team", args=[other_course.code])).status_code == 404


def test_the_team_nav_item_shows_for_students_of_project_courses(login, course, alice, team):
    response = login(alice).get(url(course))
    assert "teams:team" in [item.url_name for item in response.context["course_nav"]]

"""Names and Roles: `sync_roster CODE` and the admin's button bring the course in line with
the platform's members, paging through rel=next links, as a roster import would."""

import pytest
from django.core.management import CommandError, call_command

from courses.models import Membership, Role
from lti.models import PlatformUser
from lti.roster import roster_sync
from tests.lti.platform import INSTRUCTOR, LEARNER, MENTOR, TA


@pytest.fixture
def roster(linked, people, client, ta, bob):
    """The platform's course: Yang (Instructor), Alice (Learner), Dana (new), Terry now a
    Learner (was TA), Eve (TA, new), Max (Mentor: no place in Seminar), Gil (inactive).
    Bob is in Seminar but not on the platform: he is dropped."""
    live = people
    live.add_user("p-terry", name="Terry Assistant", email=ta.email, roles=[LEARNER])
    live.add_user("p-eve", name="Eve Evans", email="eve@example.edu", roles=[INSTRUCTOR, TA])
    live.add_user("p-max", name="Max Mentor", email="max@example.edu", roles=[MENTOR])
    live.add_user("p-gil", name="Gil Gone", email="gil@example.edu", status="Inactive")
    # The platform checks Seminar's client assertion against Seminar's own JWKS.
    live.tool_key_set = client.get("/lti/jwks/").json()
    return linked


def roles(course):
    return dict(
        Membership.all_objects.filter(course=course, dropped_at__isnull=True).values_list(
            "user__email", "role"
        )
    )


def test_sync_adds_changes_roles_and_drops_as_a_roster_import_does(roster, course, people):
    people.page_size = 2  # 7 members: four pages
    result = roster_sync(link=roster)
    assert roles(course) == {
        "yang@example.edu": Role.INSTRUCTOR,
        "alice@example.edu": Role.STUDENT,
        "dana@example.edu": Role.STUDENT,
        "ta@example.edu": Role.STUDENT,  # a TA the LMS lists as a Learner loses staff access
        "eve@example.edu": Role.TA,
    }
    assert Membership.all_objects.get(course=course, user__email="bob@example.edu").dropped_at
    assert not Membership.all_objects.filter(user__email__in=["max@example.edu", "gil@example.edu"])
    assert any("skipped: max@example.edu" in line for line in result.skipped)
    assert people.requests.count("GET /nrps/ctx1") == 4  # every page read
    # The people the roster brought in are known by their platform user id from now on.
    assert PlatformUser.objects.get(sub="p-dana").user.email == "dana@example.edu"


def test_sync_twice_changes_nothing(roster, course):
    roster_sync(link=roster)
    assert roster_sync(link=roster).summary().startswith("nothing changed")


def test_the_command_prints_one_summary_line_per_link(roster, capsys):
    call_command("sync_roster", "ecs289d-f25")
    out = capsys.readouterr().out
    assert "Test LMS (Course ctx1): " in out
    assert "enrolled: dana@example.edu (student)" in out


def test_a_platform_that_is_down_changes_nothing_and_fails_the_command(roster, course, people):
    before = roles(course)
    people.down = True
    with pytest.raises(CommandError, match="did not answer the roster request"):
        call_command("sync_roster", "ecs289d-f25")
    assert roles(course) == before


def test_a_platform_that_refuses_seminars_key_changes_nothing(roster, course, people, db):
    from lti.models import ToolKey

    ToolKey.rotate()  # the platform still has the old JWKS cached
    before = roles(course)
    with pytest.raises(CommandError, match="did not answer"):
        call_command("sync_roster", "ecs289d-f25")
    assert roles(course) == before


def test_a_course_not_linked_is_an_error(course, db):
    with pytest.raises(CommandError, match="not linked to an LMS course"):
        call_command("sync_roster", "ecs289d-f25")


def test_an_unknown_course_is_an_error(db):
    with pytest.raises(CommandError, match="No course"):
        call_command("sync_roster", "nope")


def test_the_admin_button_syncs_the_staff_members_own_course(roster, client, instructor, course):
    client.force_login(instructor)
    response = client.post(
        "/admin/lti/contextlink/",
        {"action": "sync_roster", "_selected_action": [roster.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert b"Test LMS, ecs289d-f25: 2 new, 1 updated" in response.content
    assert Membership.objects.filter(course=course, user__email="dana@example.edu").exists()


def test_the_admin_button_says_when_the_platform_is_down(roster, client, instructor, people):
    people.down = True
    client.force_login(instructor)
    response = client.post(
        "/admin/lti/contextlink/",
        {"action": "sync_roster", "_selected_action": [roster.pk]},
        follow=True,
    )
    assert b"did not answer the roster request" in response.content


def test_the_admin_button_ignores_another_courses_link(roster, client, other_ta, people):
    client.force_login(other_ta)
    client.post(
        "/admin/lti/contextlink/", {"action": "sync_roster", "_selected_action": [roster.pk]}
    )
    assert "GET /nrps/ctx1" not in people.requests

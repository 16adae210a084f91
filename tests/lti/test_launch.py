"""An LTI 1.3 launch from the real test platform (tests/lti/platform.py): who it signs in,
how it enrols them, and where it lands (SPEC, Campus integration)."""

import pytest

from courses.models import Membership, Role
from lti.models import ContextLink, PlatformUser
from tests.lti.platform import INSTRUCTOR, LEARNER, MENTOR, TA


def signed_in(client):
    return client.session.get("_auth_user_id")


def test_a_learner_is_signed_in_enrolled_and_lands_on_the_course(client, linked, launch, course):
    response = launch(client, "p-dana")
    assert response.status_code == 302
    assert response["Location"] == course.get_absolute_url()
    dana = Membership.objects.get(course=course, user__email="dana@example.edu")
    assert dana.role == Role.STUDENT
    assert dana.user.name == "Dana Diaz"
    assert not dana.user.has_usable_password()
    assert signed_in(client) == str(dana.user.pk)
    assert PlatformUser.objects.get(sub="p-dana").user == dana.user


def test_the_platform_user_id_wins_over_a_changed_email(client, linked, launch, alice, platform):
    launch(client, "p-alice")
    client.logout()
    platform.users["p-alice"]["email"] = "alice.new@example.edu"
    response = launch(client, "p-alice")
    assert response.status_code == 302
    assert signed_in(client) == str(alice.pk)


@pytest.mark.parametrize(
    ("roles", "seminar_role"),
    [([INSTRUCTOR], Role.INSTRUCTOR), ([INSTRUCTOR, TA], Role.TA), ([LEARNER], Role.STUDENT)],
)
def test_platform_roles_map_to_seminar_roles(
    client, linked, launch, platform, course, roles, seminar_role
):
    platform.add_user("p-erin", name="Erin", email="erin@example.edu", roles=roles)
    assert launch(client, "p-erin").status_code == 302
    membership = Membership.objects.get(course=course, user__email="erin@example.edu")
    assert membership.role == seminar_role
    assert membership.user.is_staff == (seminar_role != Role.STUDENT)


def test_a_role_seminar_has_no_place_for_is_refused_with_a_page_that_says_so(
    client, linked, launch, platform, course
):
    platform.add_user("p-mentor", name="Max", email="max@example.edu", roles=[MENTOR])
    response = launch(client, "p-mentor")
    assert response.status_code == 403
    assert b"Your role has no place in Seminar" in response.content
    assert MENTOR.encode() in response.content
    assert signed_in(client) is None
    assert not Membership.objects.filter(user__email="max@example.edu").exists()


def test_a_launch_restores_a_dropped_member(client, linked, launch, alice, course):
    from django.utils import timezone

    Membership.objects.filter(user=alice).update(dropped_at=timezone.now())
    launch(client, "p-alice")
    assert Membership.objects.get(user=alice, course=course).dropped_at is None


def test_an_email_that_belongs_to_another_account_is_refused_never_merged(
    client, linked, launch, platform, alice, bob
):
    launch(client, "p-alice")
    client.logout()
    platform.users["p-alice"]["email"] = bob.email  # now it claims to be Bob
    response = launch(client, "p-alice")
    assert response.status_code == 403
    assert b"belongs to another Seminar account" in response.content
    assert signed_in(client) is None
    assert PlatformUser.objects.get(sub="p-alice").user == alice


def test_an_unverified_email_does_not_sign_in_the_account_that_has_it(
    client, linked, launch, platform, alice
):
    platform.registered.trust_email = False
    platform.registered.save()
    response = launch(client, "p-alice")
    assert response.status_code == 403
    assert b"already exists and is not linked" in response.content
    assert signed_in(client) is None
    # Signed in as that account already (password), the launch links it.
    client.force_login(alice)
    assert launch(client, "p-alice").status_code == 302
    assert PlatformUser.objects.get(sub="p-alice").user == alice


def test_a_second_platform_account_with_a_linked_email_is_refused(
    client, linked, launch, platform, alice
):
    launch(client, "p-alice")
    client.logout()
    platform.add_user("p-alice-2", name="Alice Two", email=alice.email)
    response = launch(client, "p-alice-2")
    assert response.status_code == 403
    assert signed_in(client) is None


def test_a_learner_from_a_course_not_linked_yet_is_told_so(client, people, launch):
    response = launch(client, "p-dana")
    assert response.status_code == 403
    assert b"not linked to a Seminar course yet" in response.content
    assert signed_in(client) is None


def test_the_first_instructor_launch_links_the_context_to_a_course_of_theirs(
    client, people, launch, course, other_course, instructor
):
    response = launch(client, "p-yang")
    assert response["Location"] == "/lti/link/"
    page = client.get("/lti/link/")
    assert page.status_code == 200
    assert course.code.encode() in page.content
    assert other_course.code.encode() not in page.content  # not theirs
    # Another course's id typed in is refused like any invalid choice.
    assert client.post("/lti/link/", {"course": other_course.pk}).status_code == 200
    response = client.post("/lti/link/", {"course": course.pk})
    assert response["Location"] == course.get_absolute_url()
    link = ContextLink.objects.get(context_id="ctx1")
    assert (link.course, link.linked_by) == (course, instructor)
    assert link.memberships_url.endswith("/nrps/ctx1")
    assert link.lineitems_url.endswith("/ags/ctx1/lineitems")
    # The next learner lands on the course.
    other = client.__class__()
    assert launch(other, "p-dana")["Location"] == course.get_absolute_url()


def test_the_link_page_without_a_pending_launch_says_there_is_nothing_to_link(client, alice):
    client.force_login(alice)
    response = client.get("/lti/link/")
    assert response.status_code == 404
    assert b"Nothing to link" in response.content


def test_the_link_page_runs_a_fixed_number_of_queries(
    client, people, launch, course, other_course, instructor, django_assert_max_num_queries
):
    from courses.models import Membership

    Membership.objects.create(course=other_course, user=instructor, role=Role.INSTRUCTOR)
    launch(client, "p-yang")
    with django_assert_max_num_queries(6):
        assert client.get("/lti/link/").status_code == 200


def test_a_refused_launch_signs_out_whoever_was_signed_in_at_this_browser(
    client, linked, launch, platform, bob
):
    client.force_login(bob)
    platform.add_user("p-mentor", name="Max", email="max@example.edu", roles=[MENTOR])
    assert launch(client, "p-mentor").status_code == 403
    assert signed_in(client) is None


def test_an_invalid_launch_leaves_the_session_alone(client, linked, bob):
    client.force_login(bob)
    assert client.post("/lti/launch/", {"state": "x", "id_token": "y"}).status_code == 403
    assert signed_in(client) == str(bob.pk)


def test_a_switched_off_account_is_not_signed_in(client, linked, launch, alice):
    alice.is_active = False
    alice.save()
    response = launch(client, "p-alice")
    assert response.status_code == 403
    assert b"switched off" in response.content
    assert signed_in(client) is None

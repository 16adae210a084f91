"""Reviewer groups in the admin: the course's staff put a group on a session's panel;
only their own courses' sessions and groups are offered, and a group that presents in the
session is refused. People: tests/panels/conftest.py; olga is a TA of another course."""

import pytest

from courses.models import Role
from panels.models import ReviewerGroup
from tests import factories as f

pytestmark = pytest.mark.django_db

ADD = "/admin/panels/reviewergroup/add/"


@pytest.fixture
def olga(db):
    other = f.CourseFactory(code="ecs289d-f25")
    f.SessionFactory(course=other)
    f.TeamFactory(course=other, name="Elsewhere")
    return f.MembershipFactory(course=other, role=Role.TA, user__email="olga@ucdavis.edu").user


def test_staff_put_a_group_on_a_sessions_panel(client, panel):
    client.force_login(panel["gsi"])
    response = client.post(ADD, {"session": panel["session"].pk, "team": panel["neutral"].pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ReviewerGroup.objects.filter(session=panel["session"], team=panel["neutral"]).exists()


def test_a_group_presenting_in_the_session_is_refused_with_a_message(client, panel):
    client.force_login(panel["gsi"])
    response = client.post(ADD, {"session": panel["session"].pk, "team": panel["attention"].pk})
    assert response.status_code == 200
    assert "Attention presents “vLLM” in this session" in response.content.decode()
    assert not ReviewerGroup.objects.filter(team=panel["attention"]).exists()


def test_a_group_twice_on_one_panel_is_refused(client, panel):
    client.force_login(panel["gsi"])
    response = client.post(ADD, {"session": panel["session"].pk, "team": panel["caching"].pk})
    assert response.status_code == 200
    assert ReviewerGroup.objects.filter(team=panel["caching"]).count() == 1


def test_only_the_staff_members_sessions_and_groups_are_offered(client, panel, olga):
    client.force_login(panel["gsi"])
    page = client.get(ADD).content.decode()
    assert "Caching" in page and "Elsewhere" not in page
    client.force_login(olga)
    page = client.get(ADD).content.decode()
    assert "Elsewhere" in page and "Caching" not in page
    response = client.post(ADD, {"session": panel["session"].pk, "team": panel["neutral"].pk})
    assert response.status_code == 200  # not a choice for her
    assert ReviewerGroup.objects.count() == 2


def test_a_group_of_another_course_is_refused(panel):
    from django.core.exceptions import ValidationError

    elsewhere = f.TeamFactory(course=f.CourseFactory(), name="Elsewhere")
    with pytest.raises(ValidationError, match="Pick a group of the session's course"):
        ReviewerGroup(session=panel["session"], team=elsewhere).full_clean()


def test_the_list_shows_each_course_staff_only_their_groups(client, panel, olga):
    client.force_login(panel["gsi"])
    page = client.get("/admin/panels/reviewergroup/").content.decode()
    assert "Caching" in page and "Neutral" in page
    client.force_login(olga)
    page = client.get("/admin/panels/reviewergroup/").content.decode()
    assert "Caching" not in page


def test_the_database_keeps_a_group_once_per_panel(panel):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ReviewerGroup.objects.create(session=panel["session"], team=panel["caching"])

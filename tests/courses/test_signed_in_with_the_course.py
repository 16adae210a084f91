"""A course page's first statement reads the signed-in user with the course
(courses/access.py): the page runs no query of its own for the user, and the session
vouches for that user exactly as django.contrib.auth.get_user would have it. A changed
password, a deactivated or deleted account, or a session from a backend that is not
configured ends in the sign-in page as before; a session under a rotated secret key is
Django's to renew.

alice is a student of the course, yang its instructor; both sign in with the test
client (ModelBackend sessions) unless a test makes another session.
"""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.shortcuts import resolve_url
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def board(course):
    return reverse("claims:board", args=[course.code])


def gradebook(course):
    return reverse("grading:gradebook", args=[course.code])


def schedule(course):
    return reverse("courses:schedule", args=[course.code])


def user_queries(queries) -> list[str]:
    """Queries that read one user by id, as Django's get_user does."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "seminar_user"')
        and 'WHERE "seminar_user"."id" = ' in q["sql"]
    ]


def signs_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        resolve_url(settings.LOGIN_URL)
    )


@pytest.mark.parametrize("page", [board, gradebook, schedule])
def test_a_course_page_reads_the_user_with_the_course(client, course, alice, instructor, page):
    client.force_login(instructor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page(course))
    assert response.status_code == 200
    assert user_queries(queries) == []
    first = next(q["sql"] for q in queries.captured_queries if "courses_course_access(" in q["sql"])
    assert "(a.account).*" in first
    assert response.wsgi_request.user == instructor
    assert instructor.get_short_name() in response.content.decode()  # the header's link


def test_the_page_knows_the_user_as_django_would(client, course, alice):
    client.force_login(alice)
    response = client.get(board(course))
    user = response.wsgi_request.user
    assert user.is_authenticated and user.pk == alice.pk
    assert user.email == alice.email and user.password == alice.password
    assert response.context["access"].is_student


@pytest.mark.parametrize("page", [board, gradebook])
def test_a_changed_password_ends_the_session(client, course, alice, instructor, page):
    """Changing a password signs out every other session (Django's session hash)."""
    person = instructor if page is gradebook else alice
    client.force_login(person)
    person.set_password("a new one, typed elsewhere")
    person.save()
    assert signs_in(client.get(page(course)))
    assert SESSION_KEY not in client.session  # flushed, as Django's get_user does


def test_a_deactivated_account_is_signed_out(client, course, alice):
    client.force_login(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert signs_in(client.get(board(course)))


def test_a_deleted_account_is_signed_out(client, course, alice):
    client.force_login(alice)
    alice.delete()
    assert signs_in(client.get(board(course)))


def test_a_session_without_its_hash_is_signed_out(client, course, alice):
    client.force_login(alice)
    session = client.session
    del session[HASH_SESSION_KEY]
    session.save()
    assert signs_in(client.get(board(course)))


class Unconfigured(ModelBackend):
    """A backend that loads users as ModelBackend does, but is not in the settings."""


class RefusesEveryone(ModelBackend):
    def user_can_authenticate(self, user):
        return False


HERE = "tests.courses.test_signed_in_with_the_course"


def test_a_session_of_a_backend_no_longer_configured_is_signed_out(client, course, alice):
    client.force_login(alice)
    session = client.session
    session[BACKEND_SESSION_KEY] = f"{HERE}.Unconfigured"
    session.save()
    assert signs_in(client.get(board(course)))


@override_settings(AUTHENTICATION_BACKENDS=[f"{HERE}.RefusesEveryone"])
def test_the_sessions_own_backend_decides_who_may_be_signed_in(client, course, alice):
    client.force_login(alice, backend=f"{HERE}.RefusesEveryone")
    assert signs_in(client.get(board(course)))


@pytest.mark.parametrize("user_id", [str(2**63), str(-(2**63) - 1)])
def test_a_session_naming_an_id_beyond_any_row_is_signed_out(client, course, alice, user_id):
    client.force_login(alice)
    session = client.session
    session[SESSION_KEY] = user_id
    session.save()
    assert signs_in(client.get(board(course)))


CAMPUS = "seminar.oidc.CampusBackend"


def test_a_campus_session_reads_the_user_with_the_course(client, course, alice):
    client.force_login(alice, backend=CAMPUS)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(board(course))
    assert response.status_code == 200
    assert user_queries(queries) == []
    assert response.wsgi_request.user == alice


def test_a_deactivated_campus_account_is_signed_out(client, course, alice):
    """mozilla-django-oidc's own get_user would keep it signed in; ModelBackend's does not."""
    client.force_login(alice, backend=CAMPUS)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert signs_in(client.get(board(course)))
    assert signs_in(client.get(reverse("profile")))  # Django's own path, too


def test_a_session_naming_someone_else_is_not_trusted(client, course, alice, bob):
    """A session whose user id was changed (to bob's) but whose hash is alice's."""
    client.force_login(alice)
    session = client.session
    session[SESSION_KEY] = str(bob.pk)
    session.save()
    response = client.get(board(course))
    assert signs_in(response)


def test_a_session_under_a_rotated_secret_key_is_renewed_by_django(client, course, alice):
    with override_settings(SECRET_KEY="the key before the rotation " * 2):
        client.force_login(alice)
        old_key = client.session.session_key
    with override_settings(
        SECRET_KEY="the key after the rotation " * 2,
        SECRET_KEY_FALLBACKS=["the key before the rotation " * 2],
    ):
        response = client.get(board(course))
        assert response.status_code == 200
        assert response.wsgi_request.user == alice
        assert client.session.session_key != old_key  # Django cycled it
        assert client.session[HASH_SESSION_KEY] == alice.get_session_auth_hash()


class LoadsUsersItsOwnWay(ModelBackend):
    """A backend whose get_user is its own: the course statement cannot stand in for it."""

    loaded = []

    def get_user(self, user_id):
        self.loaded.append(user_id)
        return super().get_user(user_id)


OWN_WAY = f"{HERE}.LoadsUsersItsOwnWay"


@override_settings(AUTHENTICATION_BACKENDS=[*settings.AUTHENTICATION_BACKENDS, OWN_WAY])
def test_a_backend_that_loads_users_its_own_way_is_asked(client, course, alice):
    LoadsUsersItsOwnWay.loaded.clear()
    client.force_login(alice, backend=OWN_WAY)
    response = client.get(board(course))
    assert response.status_code == 200
    assert response.wsgi_request.user == alice
    assert LoadsUsersItsOwnWay.loaded == [alice.pk]


def test_a_missing_course_sends_a_stale_session_to_sign_in_and_others_to_404(client, course, alice):
    client.force_login(alice)
    missing = reverse("claims:board", args=["no-such-course"])
    assert client.get(missing).status_code == 404
    alice.set_password("changed")
    alice.save()
    assert signs_in(client.get(missing))


def test_the_public_schedule_shows_a_stale_session_as_signed_out(client, course, alice):
    client.force_login(alice)
    alice.set_password("changed")
    alice.save()
    response = client.get(schedule(course))
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["access"].membership is None


def test_the_user_manager_reads_every_row_as_the_statement_does():
    """ModelBackend loads a session's user through the default manager; the statement
    reads the row by its id. They agree while the manager filters nothing."""
    from django.contrib.auth import get_user_model

    assert not get_user_model()._default_manager.all().query.where

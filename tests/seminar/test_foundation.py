import re
import subprocess
import sys

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_healthz_answers_ok_with_the_database_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sign_in_with_email_and_password_reaches_the_dashboard(client, alice, course):
    response = client.post(
        "/accounts/login/", {"username": "Alice@Example.edu", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == alice
    assert course.title in response.content.decode()


def test_wrong_password_gives_a_message_not_an_error(client, alice):
    response = client.post("/accounts/login/", {"username": alice.email, "password": "nope"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_sign_out_ends_the_session(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_reset_sends_an_email_whose_link_sets_a_new_password(client, alice):
    response = client.post("/accounts/password_reset/", {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a new long passphrase 42")


def test_password_change_works_for_a_signed_in_user(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another passphrase 77",
            "new_password2": "another passphrase 77",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("another passphrase 77")


def test_dashboard_lists_courses_and_roles(client, alice, course, other_course):
    client.force_login(alice)
    body = client.get("/").content.decode()
    assert course.code in body and "student" in body
    assert other_course.code not in body


def test_one_membership_per_user_and_course_is_enforced_by_the_database(alice, course):
    from django.db import IntegrityError

    from courses.models import Membership

    with pytest.raises(IntegrityError):
        Membership.objects.create(user=alice, course=course, role="ta")


def test_time_zone_must_be_an_iana_name(course):
    from django.core.exceptions import ValidationError

    course.time_zone = "Pacific Standard Time"
    with pytest.raises(ValidationError) as excinfo:
        course.full_clean()
    assert "time_zone" in excinfo.value.message_dict


def test_calendar_token_can_be_reset_from_the_profile(client, alice):
    client.force_login(alice)
    old = alice.calendar_token
    response = client.post(reverse("profile"), {"reset_calendar_token": "1"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.calendar_token != old


def _run_settings(env):
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='seminar.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_with_the_development_key_refuses_to_start(monkeypatch):
    import os

    env = {**os.environ, "DEBUG": "false", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    env.pop("SECRET_KEY", None)
    result = _run_settings(env)
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_a_malformed_boolean_setting_is_an_error_not_false():
    import os

    env = {**os.environ, "DEBUG": "ture", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    result = _run_settings(env)
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_database_url_is_used_instead_of_the_embedded_server():
    import os

    env = {**os.environ, "DATABASE_URL": "postgres://u:pw@db.example:5433/seminar_prod"}
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='seminar.settings'; django.setup(); from django.conf import settings as s; d=s.DATABASES['default']; print(d['HOST'], d['PORT'], d['NAME'], d['ENGINE'])"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "db.example",
        "5433",
        "seminar_prod",
        "django.db.backends.postgresql",
    ]


def test_dashboard_shows_due_times_in_the_course_time_zone(client, alice, course):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(
        datetime(2025, 9, 26, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles")), tick=False
    ):
        client.force_login(alice)
        body = client.get("/").content.decode()
    # The claim window closes Tue 9/30 23:59 in Los Angeles (06:59 UTC on 10/1).
    assert "Tue Sep 30, 11:59 PM PDT" in body
    assert "UTC" not in body


def test_not_found_and_server_error_pages_are_the_sites_own(client, login, course, charlie, rf):
    from django.views.defaults import server_error

    page = login(charlie).get(f"/courses/{course.code}/claims/")
    assert page.status_code == 404
    body = page.content.decode()
    assert "Not found" in body and "You are not in this course." in body and "Seminar" in body
    error = server_error(rf.get("/"))
    assert error.status_code == 500 and b"Something went wrong on our side" in error.content


def test_an_unknown_address_says_there_is_no_such_page(client):
    page = client.get("/no/such/page/").content.decode()
    assert "There is no such page." in page and "Resolver404" not in page

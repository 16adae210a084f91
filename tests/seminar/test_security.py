import os
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_check_deploy_passes_with_no_warnings_under_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "seminar.example.edu",
        "DATABASE_URL": "postgres://seminar@127.0.0.1:5432/seminar",
    }
    env.pop(
        "DJANGO_ALLOW_ASYNC_UNSAFE", None
    )  # set by the browser tests for their own process only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_carry_a_csp_without_inline_script_and_deny_framing(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_contain_no_inline_script():
    import re
    from pathlib import Path

    offenders = []
    for path in Path("templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path}: {match.group(0)}")
        if re.search(r"\son(click|submit|load|change|input)=", text):
            offenders.append(f"{path}: inline event handler")
    assert offenders == []


def test_repeated_wrong_passwords_lock_the_account_for_that_address(client, alice, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": alice.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(url, {"username": alice.email, "password": "wrong"})
    assert response.status_code == 429
    # Locked now: even the right password is refused, with a clear message.
    response = client.post(url, {"username": alice.email.upper(), "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


# alice is locked out; instructor runs her course; other_ta runs another course only.
def test_course_staff_unlock_a_locked_student_in_the_admin(
    client, alice, instructor, other_ta, settings
):
    from axes.models import AccessAttempt
    from django.test import Client

    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": alice.email, "password": "wrong"})
    attempt = AccessAttempt.objects.get()
    changelist = reverse("admin:axes_accessattempt_changelist")

    outsider = Client()
    outsider.force_login(other_ta)
    assert alice.email not in outsider.get(changelist).content.decode()

    staff = Client()
    staff.force_login(instructor)
    assert alice.email in staff.get(changelist).content.decode()
    response = staff.post(changelist, {"action": "unlock", "_selected_action": [attempt.pk]})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    response = client.post(url, {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 302


def test_healthz_answers_plain_http_probes_while_other_pages_redirect(client, settings):
    # A load balancer probes over plain HTTP; a 301 would mark the app down.
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.parametrize(
    "env",
    [{"PROXY_COUNT": "2"}, {"BEHIND_PROXY": "true", "PROXY_COUNT": "0"}, {"PROXY_COUNT": "-1"}],
)
def test_a_proxy_count_that_contradicts_behind_proxy_stops_the_app(env):
    inherited = {k: v for k, v in os.environ.items() if k not in ("BEHIND_PROXY", "PROXY_COUNT")}
    env = {**inherited, "DATABASE_URL": "postgres://seminar@127.0.0.1:1/none", **env}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "PROXY_COUNT=" in result.stderr

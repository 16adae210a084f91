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


def test_staff_unlock_a_locked_account_in_the_admin(client, alice, settings):
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model

    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": alice.email, "password": "wrong"})
    attempt = AccessAttempt.objects.get()
    admin = get_user_model().objects.create_superuser(email="root@example.edu", password="x" * 20)
    staff = client_class_login(admin)
    response = staff.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    response = client.post(url, {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 302


def client_class_login(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other

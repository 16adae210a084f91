"""The sign-in page lists the demo's accounts, with a one-click sign-in, only in DEBUG and
only when the demo course is loaded: never in production.

The people: the demo's instructor@example.edu and student01@example.edu (password
seminar-demo), built by `manage.py demo`."""

import re
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from courses.models import Course
from tests.forms import form_data

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 1, 6, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.fixture
def demo():
    with time_machine.travel(TODAY, tick=False):
        call_command("demo", stdout=StringIO())


def sign_in_page(client) -> str:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    return response.content.decode()


def test_in_debug_the_sign_in_page_lists_the_demo_accounts(demo, client, settings):
    settings.DEBUG = True
    html = sign_in_page(client)
    for text in ("instructor@example.edu", "student01@example.edu", "seminar-demo"):
        assert text in html
    assert "Sign in as student01@example.edu (student)" in html
    assert "Sign in as instructor@example.edu (instructor)" in html
    # The one-click sign-in is a plain form: the site's CSP forbids inline script.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


@pytest.mark.parametrize(
    ("role", "email"), [("student", "student01"), ("instructor", "instructor")]
)
def test_one_click_signs_in_as_the_demo_account(demo, client, settings, role, email):
    settings.DEBUG = True
    data = form_data(sign_in_page(client), f"demo-sign-in-{role}")
    assert data["username"] == f"{email}@example.edu"
    response = client.post(reverse("login"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).context["user"].email == f"{email}@example.edu"


def test_without_debug_the_demo_accounts_are_never_shown(demo, client, settings):
    settings.DEBUG = False
    html = sign_in_page(client)
    assert "seminar-demo" not in html
    assert "demo-sign-in" not in html
    assert "student01@example.edu" not in html


def test_without_the_demo_course_nothing_is_shown_even_in_debug(client, settings):
    settings.DEBUG = True
    Course.objects.create(code="cse585-f25", title="Another course")
    html = sign_in_page(client)
    assert "seminar-demo" not in html
    assert "demo-sign-in" not in html

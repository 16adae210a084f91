"""In a browser, with DEBUG on and the demo loaded, a newcomer gets in from the sign-in
page alone: it lists the demo accounts and one click signs in as student01 (no script,
so the site's CSP holds: any violation would be a console error and fail the test)."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_signs_in_as_a_demo_student_with_one_click(open_page, settings):
    settings.DEBUG = True
    with time_machine.travel(datetime(2026, 1, 6, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))):
        call_command("demo", stdout=StringIO())
    page = open_page("newcomer")
    page.goto("/")
    p = page.page
    assert "/accounts/login/" in p.url
    demo = p.locator("#demo-accounts")
    assert demo.get_by_text("student01@example.edu … student24@example.edu").is_visible()
    assert demo.get_by_text("seminar-demo").is_visible()
    page.shot("sign-in-demo")
    p.get_by_role("button", name="Sign in as student01@example.edu (student)").click()
    p.wait_for_load_state()
    assert p.get_by_role("heading", name="Hello, Ada").is_visible()
    page.shot("dashboard")

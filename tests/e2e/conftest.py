# Browser fixtures (browser, open_page) live in tests/browser.py, loaded for every test
# directory by tests/conftest.py, so that one Chromium serves the whole run.
import os
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from courses.coursefile import import_course
from courses.models import Membership, Role

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOC_SHOTS = ROOT / "test-artifacts" / "docs"
README_SHOTS = ROOT / "docs" / "screenshots"


def doc_shot(watched, name, width=1100, height=800):
    """A small screenshot for the README: 1100x800 (or a phone's 390x844), the visible
    part of the page only.

    Written to test-artifacts/docs/; with SEMINAR_UPDATE_SCREENSHOTS=1 also copied to
    docs/screenshots/ (the committed ones the README shows).
    """
    page = watched.page
    # Countdowns are computed in the browser: give it the server's (travelled) time first.
    page.clock.set_system_time(timezone.now())
    page.clock.run_for(31_000)
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("window.scrollTo(0, 0)")
    DOC_SHOTS.mkdir(parents=True, exist_ok=True)
    path = DOC_SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    page.set_viewport_size(size)
    if os.environ.get("SEMINAR_UPDATE_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, README_SHOTS / path.name)
    return path


@pytest.fixture
def import_example(db):
    """import_example(file name) -> the course built from examples/<file>."""

    def load(name):
        return import_course((EXAMPLES / name).read_text()).course

    return load


@pytest.fixture
def enrol(make_user):
    """enrol(course, email, name, role) -> a new user with that role in the course."""

    def make(course, email, name, role=Role.STUDENT):
        user = make_user(email, name, is_staff=role != Role.STUDENT)
        Membership.objects.create(user=user, course=course, role=role)
        return user

    return make


@pytest.fixture
def open_timed_page(open_page):
    """open_page whose browser clock starts at the test's (time-travelled) now."""

    def make(name="page"):
        watched = open_page(name)
        watched.page.clock.install(time=timezone.now())
        return watched

    return make

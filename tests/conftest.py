"""Fixtures shared by every test, layered course -> session -> reading -> people.

The people, and what each may reach:
- instructor: runs `course` (instructor role), admin access.
- ta: TA of `course`.
- alice, bob: students of `course`.
- charlie: student of `other_course` only; must reach nothing personal in `course`.
- other_ta: TA of `other_course` only.

Everything is made with the shared factories (tests/factories.py); build other objects
with them too.
"""

from datetime import date
from pathlib import Path

import pytest

from courses.models import Role
from tests.factories import (  # noqa: F401 - LA and PASSWORD: tests import them from here
    LA,
    PASSWORD,
    CourseFactory,
    MembershipFactory,
    PaperFactory,
    ReadingFactory,
    SessionFactory,
    UserFactory,
)

pytest_plugins = ["tests.browser"]

A11Y_SUMMARY = Path(__file__).resolve().parents[1] / "test-artifacts" / "a11y-summary.txt"


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the main process, not an xdist worker
        A11Y_SUMMARY.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter):
    """The accessibility walk's totals (tests/a11y/test_pages.py), also when an xdist
    worker ran it."""
    if A11Y_SUMMARY.exists():
        terminalreporter.write_line(A11Y_SUMMARY.read_text())


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Queued tasks (every email is one) run as they are queued, so a test sees the mail
    in Django's locmem outbox. tests/mail/ runs the real queue, worker and mail server."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    """``make_user(email, name="", **fields)``: a user who signs in with ``PASSWORD``."""

    def make(email, name="", **extra):
        return UserFactory(email=email, name=name, **extra)

    return make


@pytest.fixture
def course(db):
    return CourseFactory(code="ecs289d-f25")


@pytest.fixture
def other_course(db):
    return CourseFactory(
        code="cse585-f25",
        title="Advanced Scalable Systems for GenAI",
        time_zone="America/Detroit",
        without_claims=True,
        without_projects=True,
    )


def _member(course, email, name, role):
    return MembershipFactory(course=course, role=role, user__email=email, user__name=name).user


@pytest.fixture
def instructor(course):
    return _member(course, "yang@example.edu", "Yang Zhou", Role.INSTRUCTOR)


@pytest.fixture
def ta(course):
    return _member(course, "ta@example.edu", "Terry Assistant", Role.TA)


@pytest.fixture
def alice(course):
    return _member(course, "alice@example.edu", "Alice Archer", Role.STUDENT)


@pytest.fixture
def bob(course):
    return _member(course, "bob@example.edu", "Bob Baker", Role.STUDENT)


@pytest.fixture
def charlie(other_course):
    return _member(other_course, "charlie@example.edu", "Charlie Chen", Role.STUDENT)


@pytest.fixture
def other_ta(other_course):
    return _member(other_course, "ota@example.edu", "Olga Other", Role.TA)


@pytest.fixture
def session(course):
    """Tue 2025-11-04, after the DST change of 2025-11-02."""
    return SessionFactory(course=course, date=date(2025, 11, 4), topic="LLM Inference")


@pytest.fixture
def reading(session):
    paper = PaperFactory(
        course=session.course,
        title="FlashInfer: Efficient and Customizable Attention Engine for LLM Inference Serving",
        authors="Ye et al.",
        venue="MLSys",
        year=2025,
        url="https://arxiv.org/abs/2501.01005",
    )
    return ReadingFactory(session=session, paper=paper, required=True, order=1)


@pytest.fixture
def login(client):
    """Sign ``user`` in on the test client; returns the client."""

    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def at():
    """``at(instant)``: the clock stands still at ``instant`` until the next call, or the end
    of the test (time-machine)."""
    import time_machine

    current = []

    def go(instant):
        if current:
            current.pop().stop()
        traveller = time_machine.travel(instant, tick=False)
        traveller.start()
        current.append(traveller)

    yield go
    if current:
        current.pop().stop()

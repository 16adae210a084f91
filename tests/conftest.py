"""Fixtures shared by every test, layered course -> session -> reading -> people.

The people, and what each may reach:
- instructor: runs `course` (instructor role), admin access.
- ta: TA of `course`.
- alice, bob: students of `course`.
- charlie: student of `other_course` only; must reach nothing personal in `course`.
- other_ta: TA of `other_course` only.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from courses.models import Course, Membership, Paper, Reading, Role, Session

pytest_plugins = ["tests.browser"]

PASSWORD = "correct horse battery staple"
LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db, django_user_model):
    def make(email, name="", **extra):
        return django_user_model.objects.create_user(
            email=email, password=PASSWORD, name=name, **extra
        )

    return make


@pytest.fixture
def course(db):
    return Course.objects.create(
        code="ecs289d-f25",
        title="Datacenter Systems for LLMs",
        term="Fall 2025",
        time_zone="America/Los_Angeles",
        default_start_time=time(10, 30),
        claims_open_at=datetime(2025, 9, 25, 12, 0, tzinfo=LA),
        claims_close_at=datetime(2025, 9, 30, 23, 59, tzinfo=LA),
        team_min_size=3,
        team_max_size=5,
        team_deadline=datetime(2025, 10, 7, 23, 59, tzinfo=LA),
    )


@pytest.fixture
def other_course(db):
    return Course.objects.create(
        code="cse585-f25",
        title="Advanced Scalable Systems for GenAI",
        term="Fall 2025",
        time_zone="America/Detroit",
    )


def _member(make_user, course, email, name, role):
    user = make_user(email, name, is_staff=role != Role.STUDENT)
    Membership.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def instructor(make_user, course):
    return _member(make_user, course, "yang@example.edu", "Yang Zhou", Role.INSTRUCTOR)


@pytest.fixture
def ta(make_user, course):
    return _member(make_user, course, "ta@example.edu", "Terry Assistant", Role.TA)


@pytest.fixture
def alice(make_user, course):
    return _member(make_user, course, "alice@example.edu", "Alice Archer", Role.STUDENT)


@pytest.fixture
def bob(make_user, course):
    return _member(make_user, course, "bob@example.edu", "Bob Baker", Role.STUDENT)


@pytest.fixture
def charlie(make_user, other_course):
    return _member(make_user, other_course, "charlie@example.edu", "Charlie Chen", Role.STUDENT)


@pytest.fixture
def other_ta(make_user, other_course):
    return _member(make_user, other_course, "ota@example.edu", "Olga Other", Role.TA)


@pytest.fixture
def session(course):
    """Tue 2025-11-04, after the DST change of 2025-11-02."""
    return Session.objects.create(course=course, date=date(2025, 11, 4), topic="LLM Inference")


@pytest.fixture
def reading(session):
    paper = Paper.objects.create(
        course=session.course,
        title="FlashInfer: Efficient and Customizable Attention Engine for LLM Inference Serving",
        authors="Ye et al.",
        venue="MLSys",
        year=2025,
        url="https://arxiv.org/abs/2501.01005",
    )
    return Reading.objects.create(session=session, paper=paper, required=True, order=1)


@pytest.fixture
def login(client):
    """Sign ``user`` in on the test client; returns the client."""

    def do(user):
        client.force_login(user)
        return client

    return do

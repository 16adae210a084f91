"""Fixtures of the claims tests: more students (dana, erin), the readings to claim, and the
clock inside the claim window. The people are those of tests/conftest.py."""

import pytest
import time_machine

from courses.models import Membership, Role
from tests.claims.test_claims import OPEN, add_reading


@pytest.fixture
def readings(session, reading):
    """Two claimable readings (FlashInfer and Orca) plus one the instructor presents."""
    orca = add_reading(session, "Orca: A Distributed Serving System")
    add_reading(session, "Welcome and course overview", presented_by_instructor=True)
    return [reading, orca]


@pytest.fixture
def student(make_user, course):
    def make(email, name):
        user = make_user(email, name)
        Membership.objects.create(user=user, course=course, role=Role.STUDENT)
        return user

    return make


@pytest.fixture
def dana(student):
    return student("dana@example.edu", "Dana Diaz")


@pytest.fixture
def erin(student):
    return student("erin@example.edu", "Erin Evans")


@pytest.fixture
def window_open():
    with time_machine.travel(OPEN, tick=False):
        yield

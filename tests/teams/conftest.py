"""Team fixtures, layered on tests/conftest.py (projects' fixtures build on these).

The people, and what each may reach:
- alice, bob: students of `course`, together in `team` (alice created it).
- carol: student of `course` in `rival` (another team); must reach nothing of `team`.
- dave: student of `course` without a team.
- charlie: student of `other_course` only; reaches nothing in `course`.
- instructor, ta: staff of `course`; see every team.
"""

from datetime import datetime

import pytest
import time_machine

from courses.models import Membership, Role
from teams.models import Team, TeamMember
from tests.conftest import LA


def add_student(make_user, course, email, name=""):
    user = make_user(email, name)
    Membership.objects.create(user=user, course=course, role=Role.STUDENT)
    return user


def make_team(course, name, *members, code=None):
    team = Team.objects.create(course=course, name=name, created_by=members[0] if members else None)
    if code:
        team.join_code = code
        team.save()
    for user in members:
        TeamMember.objects.create(team=team, user=user)
    return team


@pytest.fixture
def carol(make_user, course):
    return add_student(make_user, course, "carol@example.edu", "Carol Cho")


@pytest.fixture
def dave(make_user, course):
    return add_student(make_user, course, "dave@example.edu", "Dave Diaz")


@pytest.fixture
def team(course, alice, bob):
    return make_team(course, "Flash Team", alice, bob, code="FLASH234")


@pytest.fixture
def rival(course, carol):
    return make_team(course, "Rivals", carol, code="RIVAL234")


@pytest.fixture
def before_deadline():
    """Wed 2025-10-01, before the team deadline (10/7) and every milestone."""
    with time_machine.travel(datetime(2025, 10, 1, 12, 0, tzinfo=LA), tick=False):
        yield

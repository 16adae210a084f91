"""Project fixtures, layered on tests/conftest.py.

The people, and what each may reach:
- alice, bob: students of `course`, together in `team` (alice created it); they reach
  their team's page, submissions and files.
- carol: student of `course` in `rival` (another team); must reach nothing of `team`.
- dave: student of `course` without a team.
- charlie: student of `other_course` only; reaches nothing in `course`.
- instructor, ta: staff of `course`; see every team and file.
"""

import io
import tarfile
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from courses.models import Membership, Role, Team, TeamMember
from projects.models import Deliverable, LatePolicy, Milestone
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


@pytest.fixture
def proposal(course):
    return Milestone.objects.create(
        course=course,
        name="Project proposal",
        due_at=datetime(2025, 10, 16, 23, 59, tzinfo=LA),
        deliverable=Deliverable.FILE,
        late_policy=LatePolicy.PENALTY,
        late_penalty_pct=Decimal("10"),
        max_points=Decimal("10"),
        order=1,
    )


@pytest.fixture
def repo_link(course):
    return Milestone.objects.create(
        course=course,
        name="Code repository",
        due_at=datetime(2025, 12, 9, 23, 59, tzinfo=LA),
        deliverable=Deliverable.LINK,
        late_policy=LatePolicy.NO_CREDIT,
        order=2,
    )


@pytest.fixture
def checkin(course):
    return Milestone.objects.create(
        course=course,
        name="Mid-quarter check-in",
        due_at=datetime(2025, 11, 6, 17, 0, tzinfo=LA),
        deliverable=Deliverable.NONE,
        order=3,
    )


def pdf_bytes(size=600):
    head = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    return head + b"%" * max(0, size - len(head) - 6) + b"\n%%EOF"


def zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("README.md", "# our code\n")
    return buf.getvalue()


def tar_gz_bytes():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        data = b"print('hello')\n"
        info = tarfile.TarInfo("main.py")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()

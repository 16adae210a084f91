"""Attendance fixtures on top of tests/conftest.py's course (ECS 289D, class Tue Nov 4
2025 at 10:30-11:50 Los Angeles; the check-in is valid 10:20-12:00).

- instructor, ta: staff of `course`: open check-ins, see and correct everyone.
- alice, bob: students of `course`: check in for themselves only.
- charlie: student of `other_course`: nothing of `course` (404).
"""

from datetime import datetime

import pytest

from attendance.models import CheckIn
from tests.factories import LA

BEFORE = datetime(2025, 11, 4, 10, 0, tzinfo=LA)  # the day of class, before the window
IN_CLASS = datetime(2025, 11, 4, 10, 35, tzinfo=LA)
LAST_MINUTE = datetime(2025, 11, 4, 12, 0, tzinfo=LA)  # class ended 11:50, +10 grace
AFTER = datetime(2025, 11, 4, 12, 1, tzinfo=LA)


@pytest.fixture
def checkin(session, instructor):
    return CheckIn.objects.create(session=session, code="HX7KP", opened_by=instructor)


@pytest.fixture
def page(course):
    return f"/courses/{course.code}/attendance/"

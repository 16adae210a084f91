"""Discussion fixtures on top of tests/conftest.py's course (ECS 289D; the reading's session
is Tue Nov 4 2025, its "Paper review" due Mon Nov 3 23:59 Los Angeles).

- instructor, ta: staff of `course`: read every post with its author's name; endorse, pin.
- alice, bob: students of `course`: post and reply; read classmates' posts as the course's
  rules allow; edit their own posts within the window.
- charlie: student of `other_course`: nothing of `course` (404).
"""

from datetime import datetime

import pytest

from discussions.models import DiscussionSettings, ThreadRule
from tests import factories as f
from tests.factories import LA

BEFORE_DUE = datetime(2025, 11, 3, 12, 0, tzinfo=LA)
AFTER_DUE = datetime(2025, 11, 4, 9, 0, tzinfo=LA)  # 9 h 1 min after the due time


@pytest.fixture
def kind(course):
    return f.ReviewKindFactory(
        course=course,
        name="Discussion post",
        slug="discussion-post",
        prompts=[{"key": "post", "label": "Your post", "required": True}],
        late_policy="penalty",
    )


@pytest.fixture
def threads(course, kind):
    """A thread on every reading the kind asks for; posts count as the review."""
    return ThreadRule.objects.create(course=course, kind=kind, counts_as_review=True)


@pytest.fixture
def session_threads(course, session):
    """A thread on every reading of the session; posts count as nothing."""
    return ThreadRule.objects.create(course=course, session=session)


@pytest.fixture
def rules(course):
    """The course's settings row (the defaults), for a test to change."""
    return DiscussionSettings.objects.create(course=course)


@pytest.fixture
def thread_page(course, reading):
    return f"/courses/{course.code}/readings/{reading.pk}/discussion/"

"""In a real browser: Seminar inside the test platform's iframe (tests/lti/platform.py).

The platform's course page (http://localhost:P) frames Seminar (http://127.0.0.1:S), another
site, as an LMS does. Its token endpoint checks Seminar's client assertions against
Seminar's JWKS, fetched over HTTP from the live server.

- yang (p-yang): instructor; his first launch links the LMS course to ECS 289D.
- alice (p-alice): a student; she launches, claims a paper inside the frame, and the
  instructor's push_grades puts her presentation grade in the platform's gradebook.
"""

from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command

from claims.models import Claim
from grading.models import ComponentSource
from lti.models import ContextLink
from tests.conftest import LA
from tests.factories import GradeComponentFactory
from tests.lti.conftest import register
from tests.lti.platform import INSTRUCTOR, LEARNER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPEN = datetime(2025, 9, 26, 10, 0, tzinfo=LA)  # the claim window is open
AFTER_CLASS = datetime(2025, 11, 5, 12, 0, tzinfo=LA)


@pytest.fixture
def lms(live_platform, live_server, instructor, alice):
    live_platform.reset()
    live_platform.tool_login_url = f"{live_server.url}/lti/login/"
    live_platform.tool_launch_url = f"{live_server.url}/lti/launch/"
    live_platform.tool_jwks_url = f"{live_server.url}/lti/jwks/"
    live_platform.tool_key_set = None  # fetched from Seminar's live server
    live_platform.registered = register(live_platform)
    live_platform.add_user("p-yang", name="Yang Zhou", email=instructor.email, roles=[INSTRUCTOR])
    live_platform.add_user("p-alice", name="Alice Archer", email=alice.email, roles=[LEARNER])
    yield live_platform
    live_platform.reset()


def open_in_lms(open_page, lms, who):
    page = open_page(who)
    page.page.goto(f"{lms.issuer}/course/ctx1?user={who}")
    return page, page.page.frame_locator("#tool")


def test_launch_in_the_iframe_claim_a_paper_and_push_the_grade(
    open_page, lms, course, reading, alice
):
    GradeComponentFactory(
        course=course,
        name="Presentation",
        weight=100,
        max_points=10,
        source=ComponentSource.PRESENTATION,
        published=True,
    )
    with time_machine.travel(OPEN, tick=True):
        # The instructor's first launch: link the LMS course, land on the schedule.
        page, frame = open_in_lms(open_page, lms, "p-yang")
        frame.get_by_label("Course").select_option(str(course.pk))
        frame.get_by_role("button", name="Link and open the course").click()
        frame.get_by_role("heading", name=course.title).first.wait_for()
        assert ContextLink.objects.get(context_id="ctx1").course == course
        page.shot("instructor-linked")

        # The student: signed in and enrolled by the launch, she claims inside the frame.
        page, frame = open_in_lms(open_page, lms, "p-alice")
        frame.get_by_role("heading", name=course.title).first.wait_for()
        frame.get_by_role("link", name="Claims").click()
        row = frame.locator(f"#reading-{reading.pk}")
        row.get_by_role("button", name="Claim").click()
        row.get_by_text("Alice Archer").wait_for()
        page.shot("student-claimed")
    claim = Claim.objects.get(reading=reading, withdrawn_at__isnull=True)
    assert claim.student == alice

    with time_machine.travel(AFTER_CLASS, tick=True):
        Claim.objects.filter(pk=claim.pk).update(points=9)  # graded by the instructor
        call_command("push_grades", course.code)
    assert lms.gradebook() == {
        "Presentation": {"p-alice": 90.0},
        "Seminar final grade": {"p-alice": 90.0},
    }
    assert "POST /token" in lms.requests  # Seminar's key, checked against its live JWKS

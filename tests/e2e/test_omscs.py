"""The OMSCS seminar end to end in a real browser, built from examples/omscs-seminar.yaml.

People: omar (student) writes a discussion post; the course has no claims and no projects,
so his menu shows neither a claims board nor a team page.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from courses.models import Reading
from reviews.models import Review
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo("America/New_York")
CODE = "omscs-sys-ml-f25"
PAPER = "Attention Is All You Need"  # the week 2 reading, session Wed 8/27
POST = (
    "The Transformer replaces recurrence with attention, so every token of a sequence is "
    "processed at once. For systems this turns training into large dense matrix multiplies "
    "that suit GPUs, but attention's memory grows with the square of the sequence length, "
    "which is where much of the later systems work on memory comes from."
)


def test_a_student_posts_for_a_reading_and_finds_no_claims_board(
    open_timed_page, import_example, enrol
):
    course = import_example("omscs-seminar.yaml")
    omar = enrol(course, "omar@example.edu", "Omar Ortiz")
    reading = Reading.objects.get(course=course, paper__title=PAPER)

    # Mon 8/25: the post on the week 2 reading is due Tue 8/26 23:59 Eastern.
    with time_machine.travel(datetime(2025, 8, 25, 20, 0, tzinfo=NEW_YORK), tick=True):
        page = open_timed_page("omar")
        page.sign_in(omar.email, PASSWORD)
        p = page.page
        page.goto(f"/courses/{CODE}/")
        menu = p.locator("nav")
        assert menu.get_by_role("link", name="Reviews").count() >= 1
        assert menu.get_by_role("link", name="Claims").count() == 0
        assert menu.get_by_role("link", name="Team").count() == 0
        page.shot("schedule")

        page.goto(f"/courses/{CODE}/reviews/")
        page.shot("posts-owed")
        page.goto(f"/courses/{CODE}/readings/{reading.pk}/review/")
        p.get_by_label("What the paper does").fill(POST)
        p.get_by_label("A question or a point you want to discuss").fill(
            "Would a linear-attention model change which hardware we buy?"
        )
        p.get_by_role("button", name="Submit review").click()
        p.wait_for_load_state()
        assert p.get_by_text("(on time)").first.is_visible()
        page.shot("posted")
        post = Review.objects.get(reading=reading, student=omar)
        assert post.kind.name == "Discussion post"

        # No claims board: the address answers 404 (asked without navigating, so the
        # browser logs no failed page load).
        answer = p.request.get(f"{page.base_url}/courses/{CODE}/claims/")
        assert answer.status == 404

"""In a real browser: the review form keeps unsent text and the page passes the CSP.

alice owes a review of a reading in a session ten days from now.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Paper, Reading, Session
from tests.conftest import PASSWORD
from tests.reviews.conftest import ANSWERS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_unsent_text_survives_a_reload_and_is_dropped_after_saving(
    open_page,
    paper_review,
    course,
    alice,
):
    session = Session.objects.create(course=course, date=timezone.localdate() + timedelta(days=10))
    reading = Reading.objects.create(
        session=session, paper=Paper.objects.create(course=course, title="Future paper")
    )
    page = open_page("alice")
    page.sign_in(alice.email, PASSWORD)
    url = f"/courses/{course.code}/readings/{reading.pk}/review/"
    page.goto(url)
    p = page.page
    p.get_by_label("Summary (3-4 sentences)").fill("Only four words here.")
    p.get_by_role("button", name="Submit review").click()
    p.wait_for_load_state()
    assert p.get_by_text("Too short: write at least 12 words").is_visible()
    assert p.get_by_label("Summary (3-4 sentences)").input_value() == "Only four words here."
    page.goto(url)  # a fresh page: the server has nothing, the browser kept the text
    p.get_by_role("button", name="Restore it").click()
    assert p.get_by_label("Summary (3-4 sentences)").input_value() == "Only four words here."
    page.shot("restored")
    p.get_by_label("Summary (3-4 sentences)").fill(ANSWERS["summary"])
    p.get_by_label("Advantages and disadvantages").fill(ANSWERS["pros_cons"])
    p.get_by_role("button", name="Submit review").click()
    p.wait_for_load_state()
    assert p.get_by_text("(on time)").is_visible()
    assert (
        p.evaluate("Object.keys(localStorage).filter(k => k.startsWith('seminar-draft:')).length")
        == 0
    )
    page.shot("saved")

"""In Chromium, from the keyboard: the instructor grades 24 reviews of one session, each
with a score and a line of feedback, in at most two actions per review beyond typing
(Tab from the points to the feedback; Ctrl+Enter to save and open the next)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from tests.conftest import PASSWORD
from tests.reviews.test_grade_queue import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grading_24_reviews_takes_two_actions_each_beyond_typing(open_page):
    course, instructor, reading, reviews = build(24)
    page = open_page("instructor")
    page.sign_in(instructor.email, PASSWORD)
    page.goto(f"/courses/{course.code}/reviews/")
    p = page.page
    with p.expect_navigation():
        p.get_by_role("link", name="Grade one by one", exact=False).first.click()
    actions = 0
    for number in range(1, 25):
        expect(p.get_by_text(f"{number} of 24", exact=False).first).to_be_visible()
        expect(p.get_by_label("Points")).to_be_focused()  # the page opens on the points box
        p.keyboard.type("8")
        p.keyboard.press("Tab")
        actions += 1
        p.keyboard.type(f"Good summary, number {number}.")
        with p.expect_navigation():
            p.keyboard.press("Control+Enter")
        actions += 1
        if number == 1:
            page.shot("grading-view")
    assert actions <= 2 * 24
    graded = Review.objects.filter(reading=reading).order_by("student__name")
    assert [r.points for r in graded] == [Decimal(8)] * 24
    assert all(r.feedback.startswith("Good summary") and r.feedback_published for r in graded)
    expect(p.get_by_text("0 await a grade", exact=False)).to_be_visible()

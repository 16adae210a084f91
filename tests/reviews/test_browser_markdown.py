"""In a real browser: the review form's word count follows typing and Preview renders Markdown.

alice owes a review of a reading in a session ten days from now.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Paper, Reading, Session
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_word_count_follows_typing_and_preview_renders_markdown(
    open_page, paper_review, course, alice
):
    session = Session.objects.create(course=course, date=timezone.localdate() + timedelta(days=10))
    reading = Reading.objects.create(
        session=session, paper=Paper.objects.create(course=course, title="Future paper")
    )
    page = open_page("alice")
    page.sign_in(alice.email, PASSWORD)
    page.goto(f"/courses/{course.code}/readings/{reading.pk}/review/")
    p = page.page
    assert p.locator('[data-count-for="id_summary"] .word-count-n').inner_text() == "0 words"
    p.get_by_label("Summary (3-4 sentences)").fill("A **bold** claim here.")
    assert p.locator('[data-count-for="id_summary"] .word-count-n').inner_text() == "4 words"
    p.get_by_role("button", name="Preview").click()
    p.wait_for_load_state()
    assert p.locator(".review-preview strong").first.inner_text() == "bold"
    assert p.get_by_label("Summary (3-4 sentences)").input_value() == "A **bold** claim here."
    page.shot("preview")

"""Review answers in Markdown, the form's preview, word count and who-sees line.

alice owes a review of `reading` (due Mon 2025-11-03 23:59 PST); bob is a classmate;
pat presents `reading` and reads the digest after the due time.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils.html import escape

from reviews.models import PeerVisibility, Review
from reviews.templatetags.review_markdown import render_markdown
from tests.reviews.conftest import ANSWERS, digest_url, review_url

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)
BEFORE, AFTER = DUE - timedelta(hours=2), DUE + timedelta(hours=1)


def test_markdown_renders_emphasis_lists_code_and_web_links():
    html = render_markdown(
        "**bold** and *it*\n\n- one\n- two\n\n`x < y`\n\n[paper](https://ex.org/p)"
    )
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<code>x &lt; y</code>" in html
    assert '<a href="https://ex.org/p" rel="noopener noreferrer">paper</a>' in html


def test_headings_sit_under_the_pages_own():
    assert render_markdown("# Big") == "<h3>Big</h3>\n"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '![x](https://ex.org/a.png" onerror="alert(1))',
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](/admin/)",
    ],
)
def test_no_raw_html_handler_or_script_link_comes_through(text):
    html = render_markdown(text)
    assert "<script" not in html and "<img" not in html
    assert not re.search(r"<[^>]+\son\w+=", html)
    assert not re.search(r'<a [^>]*href="(?!https?:|mailto:)', html)


def test_digest_shows_answers_as_markdown(paper_review, course, reading, alice, presenter, login):
    Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=alice,
        answers={**ANSWERS, "pros_cons": "**Fast**; <b onmouseover=x>complex</b>."},
        submitted_at=BEFORE,
    )
    with time_machine.travel(AFTER, tick=False):
        page = login(presenter).get(digest_url(course, reading)).content.decode()
    assert "<strong>Fast</strong>" in page
    assert "&lt;b onmouseover=x&gt;complex&lt;/b&gt;" in page  # raw HTML stays text


def post(client, course, reading, data, at=BEFORE):
    with time_machine.travel(at, tick=False):
        return client.post(review_url(course, reading), data)


def test_preview_saves_nothing_keeps_the_text_and_renders_it_beside(
    paper_review, course, reading, alice, login
):
    data = {**ANSWERS, "pros_cons": "**Fast**; complex.", "preview": "1"}
    response = post(login(alice), course, reading, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert not Review.objects.exists()
    assert "Preview only: nothing is saved" in page
    assert "**Fast**; complex.</textarea>" in page  # the text stays in the form
    assert "<strong>Fast</strong>; complex." in page  # and reads as it will


def test_preview_of_short_text_is_not_refused(paper_review, course, reading, alice, login):
    page = post(login(alice), course, reading, {"summary": "Too short.", "preview": "1"})
    html = page.content.decode()
    assert "Too short:" not in html and "is required" not in html
    assert "Too short.</textarea>" in html


def test_preview_does_not_touch_a_saved_review(paper_review, course, reading, alice, login):
    client = login(alice)
    post(client, course, reading, ANSWERS)
    post(client, course, reading, {**ANSWERS, "summary": "Changed " * 20, "preview": "1"})
    assert Review.objects.get().answers["summary"] == ANSWERS["summary"]


def test_word_count_and_guidance_show_without_script(paper_review, course, reading, alice, login):
    client = login(alice)
    post(client, course, reading, ANSWERS)
    with time_machine.travel(BEFORE, tick=False):
        page = client.get(review_url(course, reading)).content.decode()
    words = len(ANSWERS["summary"].split())
    assert f'<span class="word-count-n">{words} words</span>' in page
    assert "suggested length: 3-4 sentences" in page
    assert "the course asks for at least 12 words" in page
    assert 'data-count-for="id_summary" data-min="12"' in page


def test_who_sees_it_and_what_it_counts_toward(paper_review, course, reading, alice, login):
    client = login(alice)
    with time_machine.travel(BEFORE, tick=False):
        page = client.get(review_url(course, reading)).content.decode()
    who = "the reading's presenters and the staff see this review; not your classmates"
    assert escape(who) in page
    assert "It counts toward “Paper reviews”." in page
    paper_review.peer_visibility = PeerVisibility.SUBMITTED
    paper_review.save()
    with time_machine.travel(BEFORE, tick=False):
        page = client.get(review_url(course, reading)).content.decode()
    assert "classmates who submitted their own review of this reading too" in page


def test_optional_reading_review_counts_toward_the_bonus(
    paper_review, bonus_component, course, optional_reading, alice, login
):
    with time_machine.travel(BEFORE, tick=False):
        page = login(alice).get(review_url(course, optional_reading)).content.decode()
    assert "It counts toward “Optional reviews” (bonus)." in page


def test_review_form_page_has_no_inline_script(paper_review, course, reading, alice, login):
    client = login(alice)
    for response in (
        post(client, course, reading, {**ANSWERS, "preview": "1"}),
        client.get(review_url(course, reading)),
    ):
        html = response.content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all("src=" in tag for tag in scripts)
        assert all(
            not body.strip() for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
        )
        assert not re.search(r"\son(?:click|input|load|submit)=", html)

"""The digest pages through a big class: 25 reviews and 50 gathered questions a page
(``?page=``), one page number for every list, so the first screen of a class of 500
renders what a class of 60 does (bench/pages.py measures it)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Review
from tests import factories as f
from tests.reviews.conftest import ANSWERS, digest_url

pytestmark = pytest.mark.django_db

AFTER = datetime(2025, 11, 4, 8, 59, tzinfo=UTC)  # an hour after the due time


def class_of(n, course, paper_review, reading):
    for i in range(n):
        student = f.MembershipFactory(course=course, user__name=f"Student {i:03d}").user
        at = AFTER - timedelta(hours=2, minutes=i)
        Review.objects.create(
            kind=paper_review, reading=reading, student=student, submitted_at=at,
            first_submitted_at=at, answers={**ANSWERS, "questions": f"Question number {i}?"},
        )  # fmt: skip


def shown(html):
    """(reviews shown, questions in the gathered list)."""
    questions = (
        html.split('<ol class="questions"')[1].split("</ol>")[0] if "<ol class" in html else ""
    )
    return len(re.findall(r'<article class="card', html)), questions.count("Question number ")


@time_machine.travel(AFTER, tick=False)
def test_a_class_of_60_reads_in_three_pages_of_reviews_and_two_of_questions(
    client, course, paper_review, reading, instructor
):
    class_of(60, course, paper_review, reading)
    client.force_login(instructor)
    url = digest_url(course, reading)
    first = client.get(url).content.decode()
    assert "60 of 60 submitted" in first
    assert shown(first) == (25, 50)
    assert "1–25 of 60" in first and "1–50 of 60" in first
    assert 'href="?page=2" rel="next"' in first and 'aria-current="page">1<' in first
    second = client.get(url + "?page=2").content.decode()
    assert shown(second) == (25, 10) and '<ol class="questions" start="51">' in second
    third = client.get(url + "?page=3").content.decode()
    assert shown(third) == (10, 0)
    assert "all 60 on earlier pages" in third
    # Not a number: the first page; past the end: the last.
    assert shown(client.get(url + "?page=x").content.decode()) == (25, 50)
    assert shown(client.get(url + "?page=99").content.decode()) == (10, 0)


@time_machine.travel(AFTER, tick=False)
def test_a_small_class_has_no_page_links(client, course, paper_review, reading, instructor):
    class_of(3, course, paper_review, reading)
    client.force_login(instructor)
    html = client.get(digest_url(course, reading)).content.decode()
    assert shown(html) == (3, 3) and "Digest pages" not in html


@time_machine.travel(AFTER, tick=False)
def test_the_first_page_renders_as_many_reviews_and_runs_as_many_queries_at_30_and_90(
    client, course, paper_review, reading, instructor
):
    client.force_login(instructor)
    url = digest_url(course, reading)
    seen = []
    for size in (30, 60):
        class_of(size, course, paper_review, reading)  # 30, then 90 in all
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        seen.append((shown(html)[0], len(queries)))
    assert seen[0] == seen[1], seen


@time_machine.travel(AFTER, tick=False)
def test_a_page_reads_the_answers_of_its_own_reviews_and_questions_only(
    client, course, paper_review, reading, instructor
):
    """A class of 120: the answers read are the page's 25 reviews and 50 questions, not 120."""
    class_of(120, course, paper_review, reading)
    client.force_login(instructor)
    read = []

    def count(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if '"reviews_review"."answers"' in sql and not sql.startswith("SELECT COUNT(*)"):
            read.append(max(context["cursor"].rowcount, 0))
        return result

    with connection.execute_wrapper(count):
        page = client.get(digest_url(course, reading) + "?page=2").content.decode()
    assert shown(page) == (25, 50) and "120 of 120 submitted" in page
    assert sum(read) == 25 + 50

"""A student's pages read only that student's numbers: the same queries and the same
number of rows read from the database for a class of 5 and a class of 25 (the gradebook
stays whole-class). Rows are counted from each query's cursor.

The two courses have the same content: in the larger one, the claims beyond the first
five are withdrawn, so both have five presented readings (what a page may read per
reading is not the class growing)."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from claims.models import Claim
from tests.populated import build_course

pytestmark = pytest.mark.django_db


@contextmanager
def reading_rows():
    """Counts the queries run and the rows they returned or touched."""
    seen = {"queries": 0, "rows": 0}

    def count(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        seen["queries"] += 1
        seen["rows"] += max(context["cursor"].rowcount, 0)
        return result

    with connection.execute_wrapper(count):
        yield seen


def page_cost(client, built, path):
    client.force_login(built.student)
    with reading_rows() as seen:
        response = client.get(path)
    assert response.status_code == 200
    return seen


@pytest.mark.parametrize("page", ["grades/", "reviews/", "team/", ""])
def test_a_students_page_reads_the_same_rows_whatever_the_class_size(client, page):
    """The page budgets (test_page_budgets.py) hold the queries equal; this holds the rows."""
    small, large = build_course("flat-small", 5), build_course("flat-large", 25)
    extra = Claim.objects.filter(course=large.course).order_by("reading__session__date", "id")
    Claim.objects.filter(pk__in=list(extra.values_list("pk", flat=True)[5:])).update(
        withdrawn_at=timezone.now()
    )
    costs = [
        page_cost(client, built, f"/courses/{built.course.code}/{page}") for built in (small, large)
    ]
    assert costs[0] == costs[1], f"{page or 'schedule'}: 5 students {costs[0]}, 25 {costs[1]}"


def test_a_digest_reads_the_reviews_of_its_reading_only(client):
    """The digest lists one reading's reviews: it reads those, not the whole course's."""
    built = build_course("flat-digest", 25)
    client.force_login(built.instructor)
    reviews_read = []

    def count(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if 'FROM "reviews_review"' in sql:
            reviews_read.append(max(context["cursor"].rowcount, 0))
        return result

    from reviews.models import Review

    with connection.execute_wrapper(count):
        response = client.get(f"/courses/{built.course.code}/readings/{built.reading.pk}/digest/")
    assert response.status_code == 200
    of_reading = Review.objects.filter(reading=built.reading).count()
    assert Review.objects.filter(reading__course=built.course).count() > of_reading > 0
    # Each statement reads at most that reading's reviews (the digest's tuples, its count,
    # its page of reviews, its page of questions), never the course's.
    assert reviews_read and max(reviews_read) <= of_reading

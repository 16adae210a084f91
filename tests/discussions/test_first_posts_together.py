"""Two first posts by one student in the same instant (a double click) on a thread whose
first post is the review: on real PostgreSQL, each on its own connection. One becomes the
review, the other is discussion; neither is lost and nobody sees an error."""

import threading

import pytest
from django.db import connection, connections

from discussions.models import Post, ThreadRule
from discussions.services import post_create
from discussions.threads import ThreadInfo
from reviews.models import Review
from tests.discussions.conftest import BEFORE_DUE


@pytest.mark.django_db(transaction=True)
def test_two_first_posts_at_once_make_one_review_and_keep_both_posts(alice, kind, reading):
    rule = ThreadRule.objects.create(course=reading.course, kind=kind, counts_as_review=True)
    bodies = ["Attention is a dense matmul.", "Attention is a dense matmul!"]
    barrier = threading.Barrier(len(bodies))
    outcomes = [None] * len(bodies)

    def post(index):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            outcomes[index] = post_create(
                info=ThreadInfo(reading, [rule]),
                author=alice,
                body=bodies[index],
                is_staff=False,
                now=BEFORE_DUE,
            )
        except BaseException as unexpected:  # noqa: BLE001 - reported by the test
            outcomes[index] = unexpected
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(o, Post) for o in outcomes), outcomes
    posts = list(Post.objects.filter(reading=reading).order_by("id"))
    assert sorted(p.body for p in posts) == sorted(bodies)
    review = Review.objects.get(kind=kind, reading=reading, student=alice)
    (counted,) = [p for p in posts if p.review_id is not None]
    assert counted.review_id == review.pk
    assert review.answers == {"post": counted.body}  # the review is that post's text

from datetime import UTC, datetime

import time_machine

from tests.reviews.conftest import ANSWERS, review_url


def test_student_can_submit_a_review_before_the_due_time(paper_review, reading, alice, login):
    client = login(alice)
    with time_machine.travel(datetime(2025, 11, 3, 12, 0, tzinfo=UTC), tick=False):
        response = client.get(review_url(paper_review.course, reading))
        assert response.status_code == 200
        response = client.post(review_url(paper_review.course, reading), ANSWERS, follow=True)
    assert response.status_code == 200
    assert "(on time)" in response.content.decode()

"""Writing and editing a review: /courses/<code>/readings/<id>/review/.

alice owes a review of `reading` (due Mon 2025-11-03 23:59 PST = 07:59 UTC on 11-04);
instructor is staff; charlie is in another course and reaches nothing here.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine

from courses.models import Paper, Reading, Session
from courses.timing import end_of_minute as eom
from reviews.models import Review
from tests.reviews.conftest import ANSWERS, SUMMARY, review_url

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)


def post(client, course, reading, at, data=ANSWERS, **kw):
    with time_machine.travel(at, tick=False):
        return client.post(review_url(course, reading), data, **kw)


def test_page_shows_paper_form_and_due_time_in_course_time_zone(
    paper_review, course, reading, alice, login
):
    with time_machine.travel(DUE - timedelta(days=1), tick=False):
        page = login(alice).get(review_url(course, reading)).content.decode()
    assert reading.paper.title in page
    assert "Summary (3-4 sentences)" in page
    assert "Monday, Nov 3, 2025, 11:59 PM PST" in page
    assert f'data-due="{DUE.isoformat()}"' in page or 'class="countdown"' in page


def test_saving_before_due_stores_it_and_it_can_be_edited_until_then(
    paper_review, course, reading, alice, login
):
    client = login(alice)
    post(client, course, reading, DUE - timedelta(hours=5))
    changed = {**ANSWERS, "pros_cons": "Second thoughts: very fast."}
    response = post(client, course, reading, DUE - timedelta(minutes=1), changed, follow=True)
    review = Review.objects.get(student=alice, reading=reading)
    assert review.answers["pros_cons"] == "Second thoughts: very fast."
    assert review.submitted_at == DUE - timedelta(minutes=1)
    assert review.first_submitted_at == DUE - timedelta(hours=5)
    assert "(on time)" in response.content.decode()
    assert Review.objects.count() == 1


def test_empty_required_field_gets_a_message_and_the_text_stays(
    paper_review, course, reading, alice, login
):
    data = {**ANSWERS, "pros_cons": ""}
    response = post(login(alice), course, reading, DUE - timedelta(hours=1), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Advantages and disadvantages” is required." in page
    assert SUMMARY in page  # what she typed is still in the form
    assert not Review.objects.exists()


def test_too_short_field_says_how_long_it_must_be(paper_review, course, reading, alice, login):
    data = {**ANSWERS, "summary": "Too short really."}
    page = post(login(alice), course, reading, DUE - timedelta(hours=1), data).content.decode()
    assert "Too short: write at least 12 words (you have 3)." in page
    assert "Too short really." in page


def test_review_sent_after_due_is_saved_and_marked_late(
    paper_review, course, reading, alice, login
):
    response = post(
        # Due 23:59 covers that minute: 02:14 is 2 h 14 min after the first late instant.
        login(alice),
        course,
        reading,
        DUE + timedelta(hours=2, minutes=15),
        follow=True,
    )
    page = response.content.decode()
    assert Review.objects.get(student=alice).answers == ANSWERS
    assert "Submitted 2 h 14 min late" in page


def test_on_time_review_is_kept_when_edited_after_due_and_new_text_stays_in_form(
    paper_review, course, reading, alice, login
):
    client = login(alice)
    post(client, course, reading, DUE - timedelta(hours=1))
    edit = {**ANSWERS, "questions": "A brand new question typed too late?"}
    response = post(client, course, reading, DUE + timedelta(minutes=5), edit)
    page = response.content.decode()
    review = Review.objects.get(student=alice)
    assert review.answers == ANSWERS
    assert review.submitted_at == DUE - timedelta(hours=1)
    assert "your on-time review is kept as it was" in page
    assert "A brand new question typed too late?" in page


def test_late_review_can_be_edited_and_each_edit_restamps_it(
    paper_review, course, reading, alice, login
):
    client = login(alice)
    post(client, course, reading, DUE + timedelta(hours=1))
    post(client, course, reading, DUE + timedelta(hours=3), {**ANSWERS, "questions": "More?"})
    review = Review.objects.get(student=alice)
    assert review.answers["questions"] == "More?"
    assert review.submitted_at == DUE + timedelta(hours=3)
    # Due 23:59 covers that minute: late from 00:00, so 2 h 59 min late.
    assert review.late_by(eom(DUE)) == timedelta(hours=2, minutes=59)


def test_graded_review_is_final(paper_review, course, reading, alice, login):
    client = login(alice)
    post(client, course, reading, DUE + timedelta(hours=1))
    Review.objects.update(points=Decimal("1"))
    response = post(
        client, course, reading, DUE + timedelta(hours=2), {**ANSWERS, "questions": "Late?"}
    )
    assert "has been graded" in response.content.decode()
    assert Review.objects.get().answers == ANSWERS


def test_review_sent_after_session_moved_uses_the_moved_due_time(
    paper_review, course, reading, alice, login
):
    Session.objects.filter(pk=reading.session_id).update(
        date=reading.session.date + timedelta(days=7)
    )
    response = post(login(alice), course, reading, DUE + timedelta(days=1), follow=True)
    assert "(on time)" in response.content.decode()


def test_review_text_is_escaped_everywhere(paper_review, course, reading, alice, login):
    evil = {**ANSWERS, "pros_cons": "<script>alert('x')</script>\nsecond line"}
    client = login(alice)
    post(client, course, reading, DUE - timedelta(hours=1), evil)
    with time_machine.travel(DUE + timedelta(days=1), tick=False):
        page = client.get(review_url(course, reading)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_staff_opening_the_form_go_to_the_digest(paper_review, course, reading, instructor, login):
    response = login(instructor).get(review_url(course, reading))
    assert response.status_code == 302
    assert response.url.endswith(f"/readings/{reading.pk}/digest/")


def test_outsider_and_other_course_readings_get_404(
    paper_review, course, other_course, reading, alice, charlie, login
):
    assert login(charlie).get(review_url(course, reading)).status_code == 404
    other_session = Session.objects.create(course=other_course, date=reading.session.date)
    other = Reading.objects.create(
        session=other_session, paper=Paper.objects.create(course=other_course, title="X")
    )
    client = login(alice)
    assert client.get(review_url(course, other)).status_code == 404
    assert client.get(review_url(course, other), {"x": 1}).status_code == 404
    assert client.get(f"/courses/{course.code}/readings/999999/review/").status_code == 404


def test_reading_outside_the_kinds_scope_is_404(paper_review, course, reading, alice, login):
    paper_review.readings = "optional"
    paper_review.save()
    assert login(alice).get(review_url(course, reading)).status_code == 404


def test_database_refuses_two_reviews_by_one_student_and_negative_points(
    paper_review, reading, alice
):
    import pytest
    from django.db import IntegrityError, transaction

    now = DUE
    Review.objects.create(
        kind=paper_review, reading=reading, student=alice, submitted_at=now, first_submitted_at=now
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(kind=paper_review, reading=reading, student=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(student=alice).update(points=Decimal("-1"))


def test_saving_locks_the_review_row(
    paper_review, course, reading, alice, login, django_assert_max_num_queries
):
    client = login(alice)
    post(client, course, reading, DUE - timedelta(hours=2))
    with django_assert_max_num_queries(40) as queries:
        post(client, course, reading, DUE - timedelta(hours=1))
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_the_calendar_feed_carries_the_members_review_due_times(
    paper_review, course, reading, alice, client
):
    from icalendar import Calendar

    response = client.get(f"/courses/{course.code}/calendar.ics", {"token": alice.calendar_token})
    assert response.status_code == 200
    events = [
        e
        for e in Calendar.from_ical(response.content).walk("VEVENT")
        if "Paper review" in str(e.get("SUMMARY"))
    ]
    assert len(events) == 1
    assert events[0].decoded("DTSTART") == DUE or events[0].decoded("DTEND") == DUE

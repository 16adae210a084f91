"""A member dropped from the course (import_roster --drop-missing) keeps their work and
reaches nothing: alice stays in the course; bob is dropped after writing a review;
instructor runs the course.
"""

from datetime import UTC, datetime, timedelta
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from courses.services.roster import roster_import
from reviews.models import Review
from teams.models import Team, TeamMember
from tests.reviews.conftest import ANSWERS, review_url

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)


def drop_all_but_alice(course):
    roster_import(course=course, text="email\nalice@example.edu\n", drop_missing=True)


def send_reminders(at):
    with time_machine.travel(at, tick=False):
        call_command("send_reminders", stdout=StringIO())


def test_a_dropped_student_keeps_their_review_but_reaches_nothing(
    client, course, paper_review, reading, instructor, alice, bob
):
    review = Review.objects.create(
        kind=paper_review,
        reading=reading,
        student=bob,
        answers=ANSWERS,
        submitted_at=DUE - timedelta(hours=3),
        first_submitted_at=DUE - timedelta(hours=3),
    )
    drop_all_but_alice(course)

    client.force_login(bob)
    assert client.get(review_url(course, reading)).status_code == 404
    assert client.get(reverse("reviews:my_reviews", args=[course.code])).status_code == 404
    assert client.get(reverse("claims:board", args=[course.code])).status_code == 404
    assert course.code not in client.get(reverse("dashboard")).content.decode()

    assert Review.objects.filter(pk=review.pk, student=bob).exists()
    client.force_login(instructor)
    response = client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert response.status_code == 200


def test_dropped_students_get_no_reminders(paper_review, course, reading, alice, bob):
    drop_all_but_alice(course)
    send_reminders(DUE - timedelta(hours=2))
    assert [m.to for m in mail.outbox] == [["alice@example.edu"]]


def test_dropped_members_of_a_team_get_no_reminders(paper_review, course, reading, alice, bob):
    paper_review.written_by = "team"
    paper_review.save()
    team = Team.objects.create(course=course, name="Kernels")
    TeamMember.objects.create(team=team, user=alice)
    TeamMember.objects.create(team=team, user=bob)
    drop_all_but_alice(course)
    send_reminders(DUE - timedelta(hours=2))
    assert [m.to for m in mail.outbox] == [["alice@example.edu"]]

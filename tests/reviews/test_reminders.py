"""send_reminders: one email per (kind, reading, recipient, due time), safe from cron.

alice and bob owe a review of `reading`, due Mon 2025-11-03 23:59 PST (07:59 UTC on 11-04).
"""

from datetime import UTC, datetime, timedelta
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command

from courses.models import Session
from reviews.models import ReminderSent, Review
from teams.models import Team, TeamMember

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)


def run(at, *args):
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_reminds_everyone_who_has_not_submitted_within_24_hours(
    paper_review, reading, alice, bob, settings
):
    settings.SITE_URL = "https://seminar.example.edu"
    Review.objects.create(
        kind=paper_review, reading=reading, student=bob, submitted_at=DUE, first_submitted_at=DUE
    )
    out = run(DUE - timedelta(hours=20))
    assert out.strip() == "send_reminders: 1 reminder sent for the next 24 h."
    (email,) = mail.outbox
    assert email.to == ["alice@example.edu"]
    assert reading.paper.title in email.body
    assert "Mon Nov 3, 2025 11:59 PM PST" in email.body
    assert (
        f"https://seminar.example.edu/courses/{reading.course.code}/readings/{reading.pk}/review/"
        in email.body
    )


def test_nothing_is_sent_outside_the_window(paper_review, reading, alice):
    run(DUE - timedelta(hours=30))
    run(DUE + timedelta(minutes=1))
    assert mail.outbox == []
    run(DUE - timedelta(hours=30), "--window", "48")
    assert len(mail.outbox) == 1


def test_running_every_five_minutes_sends_nothing_twice(paper_review, reading, alice):
    for minutes in range(0, 60, 5):
        run(DUE - timedelta(hours=20) + timedelta(minutes=minutes))
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == 1


def test_a_due_time_moved_later_gets_a_new_reminder(paper_review, reading, alice):
    run(DUE - timedelta(hours=20))
    Session.objects.filter(pk=reading.session_id).update(
        date=reading.session.date + timedelta(days=1)
    )
    run(DUE - timedelta(hours=19))  # new due time is 44 h away: nothing yet
    assert len(mail.outbox) == 1
    run(DUE + timedelta(hours=5))
    assert len(mail.outbox) == 2
    assert "Tue Nov 4, 2025 11:59 PM PST" in mail.outbox[1].body


def test_team_reviews_remind_each_member(paper_review, course, reading, alice, bob):
    paper_review.written_by = "team"
    paper_review.save()
    team = Team.objects.create(course=course, name="Kernels")
    TeamMember.objects.create(team=team, user=alice)
    TeamMember.objects.create(team=team, user=bob)
    run(DUE - timedelta(hours=2))
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.edu", "bob@example.edu"]
    Review.objects.create(
        kind=paper_review, reading=reading, team=team, submitted_at=DUE, first_submitted_at=DUE
    )
    mail.outbox.clear()
    ReminderSent.objects.all().delete()
    run(DUE - timedelta(hours=1))
    assert mail.outbox == []

"""The digest email: once a reading's questions are due, each presenter and each member of
the session's reviewer groups gets one email with the questions and who asked them,
through the outbox and the task queue, once however often the senders run. People:
tests/panels/conftest.py."""

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from courses.models import OutgoingEmail
from panels.models import ReviewerGroup
from reviews.models import DigestSent
from tests.panels.conftest import OPEN, QUESTION_DUE, ask

pytestmark = pytest.mark.django_db

DIGEST_SUBJECT = re.compile(r"\[cse585-f25\] \d+ questions? for ")


def run(at):
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("send_reminders", stdout=out)
    return out.getvalue()


def digests():
    """The digest emails in the outbox (the same runs also send due-time reminders: tia
    and sue, say, have asked nothing)."""
    return [email for email in mail.outbox if DIGEST_SUBJECT.match(email.subject)]


def recipients():
    return sorted(address for email in digests() for address in email.to)


def test_presenters_and_reviewers_each_get_the_questions_once_after_the_due_time(asked, settings):
    settings.SITE_URL = "https://seminar.example.edu"
    run(QUESTION_DUE + timedelta(minutes=3))
    assert recipients() == [
        "sam@umich.edu", "sue@umich.edu", "tia@umich.edu", "tom@umich.edu",
    ]  # fmt: skip
    tom = next(email for email in digests() if email.to == ["tom@umich.edu"])
    assert tom.subject == "[cse585-f25] 3 questions for Tue Nov 4: vLLM"
    assert "reviewer panel" in tom.body
    for line in (
        "Does paging survive long prompts?", "(Una M)", "What about prefix sharing?", "(Ned M)",
        "3 of 4 submitted", "Mon Nov 3, 2025 3:00 PM EST",
        f"https://seminar.example.edu/courses/cse585-f25/readings/{asked['vllm'].pk}/digest/",
    ):  # fmt: skip
        assert line in tom.body
    sam = next(email for email in digests() if email.to == ["sam@umich.edu"])
    assert 'You present "vLLM"' in sam.body
    # Through the outbox (the task queue's email task), never straight to the server.
    assert OutgoingEmail.objects.filter(subject=tom.subject).count() == 4


def test_nothing_is_sent_before_the_due_time(asked):
    run(QUESTION_DUE - timedelta(minutes=1))
    run(OPEN - timedelta(seconds=1))  # 15:00:59: "due 3:00 PM" covers its whole minute
    assert digests() == []


def test_running_every_five_minutes_sends_nothing_twice(asked):
    for minutes in range(0, 120, 5):
        run(QUESTION_DUE + timedelta(minutes=1 + minutes))
    assert len(digests()) == 4
    assert DigestSent.objects.count() == 4


def test_a_question_after_the_email_does_not_send_another(asked):
    run(QUESTION_DUE + timedelta(minutes=5))
    ask(asked, "sue", "Late one?", at=QUESTION_DUE + timedelta(minutes=6))
    run(QUESTION_DUE + timedelta(minutes=10))
    assert len(digests()) == 4


def test_students_who_neither_present_nor_review_get_nothing(asked):
    for minutes in (5, 60, 600):
        run(QUESTION_DUE + timedelta(minutes=minutes))
    assert not {"una@umich.edu", "ned@umich.edu", "gsi@umich.edu"} & set(recipients())


def test_old_due_times_are_not_mailed_when_the_sender_starts(asked):
    run(QUESTION_DUE + timedelta(days=2))
    assert digests() == []


def test_a_group_put_on_the_panel_after_the_email_gets_it_at_the_next_run(asked):
    run(QUESTION_DUE + timedelta(minutes=5))
    ReviewerGroup.objects.create(session=asked["session"], team=asked["neutral"])
    run(QUESTION_DUE + timedelta(minutes=10))
    assert recipients().count("ned@umich.edu") == 1
    assert len(digests()) == 5


def test_a_kind_that_gathers_no_questions_sends_no_digest(asked):
    """The Summary (written by the presenting group after class) asks no question."""
    run(QUESTION_DUE + timedelta(minutes=5))
    mail.outbox.clear()
    summary_due = QUESTION_DUE + timedelta(hours=19, minutes=30, days=1)  # Wed 10:30 EST
    run(summary_due + timedelta(minutes=5))
    assert digests() == []


def test_with_no_questions_the_email_says_so(panel):
    run(QUESTION_DUE + timedelta(minutes=5))
    tom = next(email for email in digests() if email.to == ["tom@umich.edu"])
    assert tom.subject.startswith("[cse585-f25] 0 questions for Tue Nov 4")
    assert "Nobody asked a question." in tom.body


def test_dropped_members_get_no_email(asked):
    from django.utils import timezone

    from courses.models import Membership

    Membership.all_objects.filter(user=asked["tia"]).update(dropped_at=timezone.now())
    run(QUESTION_DUE + timedelta(minutes=5))
    assert "tia@umich.edu" not in recipients()


def test_the_sender_is_one_of_the_reminder_senders():
    from courses import plugins
    from reviews.digests import send_digests

    assert plugins.merged("reminder_senders")["digests"] is send_digests

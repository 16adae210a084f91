"""Email goes through the outbox and the worker to a real mail server (aiosmtpd): a page
never waits for the mail server, a server that is down or refuses for now delays the mail
(retried after 1, 2, 4 … minutes), one that refuses an address for good marks it refused,
and nothing is lost or sent twice, also when the worker is killed in the middle of a send.
"""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses import mail, periodic
from courses.models import OutgoingEmail, ScheduledRun
from tests.mail.conftest import run_worker

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ROSTER = "email,name,student_id\ndana@example.edu,Dana Diaz,900\n"


def invite_dana(client, instructor, course):
    client.force_login(instructor)
    return client.post(
        f"/admin/courses/course/{course.pk}/import-roster/",
        {"file": SimpleUploadedFile("r.csv", ROSTER.encode()), "invite": "on"},
    )


def test_an_invitation_leaves_through_the_worker_not_the_page(
    client, instructor, course, mail_server, queue
):
    mail_server.mode = mail_server.NEVER  # the page must not even talk to it
    response = invite_dana(client, instructor, course)
    assert response.status_code == 200
    assert "1 invitation sent" in response.content.decode()
    assert mail_server.connections == 0
    (queued,) = OutgoingEmail.objects.all()
    assert queued.status == "queued" and queued.to == "dana@example.edu"
    mail_server.mode = mail_server.ACCEPT
    run_worker()
    (message,) = mail_server.messages
    assert message["To"] == "dana@example.edu"
    assert message["Subject"] == f"You are invited to {course.code} on Seminar"
    assert message["Message-ID"] == queued.message_id
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.attempts == 1
    run_worker()
    assert len(mail_server.messages) == 1  # sent once


def test_a_server_that_refuses_for_now_gets_the_mail_later_with_growing_waits(mail_server, queue):
    mail_server.mode = mail_server.LATER
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        email = mail.queue_email(to="ada@example.edu", subject="Reminder", body="Due soon.")
        waits = []
        for _ in range(3):
            run_worker()
            email.refresh_from_db()
            waits.append(email.next_attempt_at - timezone.now())
            clock.shift(waits[-1])
        assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
        assert email.status == "waiting" and "451" in email.last_error
        assert mail_server.messages == []
        mail_server.mode = mail_server.ACCEPT
        run_worker()
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 4
    assert len(mail_server.messages) == 1


def test_a_server_that_is_down_delays_the_mail_and_loses_nothing(mail_server, queue, settings):
    with socket_closed() as port:
        settings.EMAIL_PORT = port  # nothing listens there
        email = mail.queue_email(to="ada@example.edu", subject="Hello", body="Hi.")
        run_worker()
    email.refresh_from_db()
    assert email.status == "waiting"
    assert "ConnectionRefusedError" in email.last_error
    settings.EMAIL_PORT = mail_server.port
    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=1)):
        run_worker()
    email.refresh_from_db()
    assert email.status == "sent"
    assert [m["Subject"] for m in mail_server.messages] == ["Hello"]


def test_a_dropped_connection_is_tried_again_and_the_mail_comes_once(mail_server, queue):
    mail_server.mode = mail_server.DROP
    email = mail.queue_email(to="ada@example.edu", subject="Hello", body="Hi.")
    run_worker()
    email.refresh_from_db()
    assert email.status == "waiting" and email.attempts == 1
    mail_server.mode = mail_server.ACCEPT
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        run_worker()
        run_worker()
    email.refresh_from_db()
    assert email.status == "sent"
    assert len(mail_server.messages) == 1


def test_an_address_refused_for_good_is_marked_and_not_tried_again(mail_server, queue):
    mail_server.mode = mail_server.NEVER
    email = mail.queue_email(to="nobody@example.edu", subject="Hello", body="Hi.")
    run_worker()
    email.refresh_from_db()
    assert email.status == "refused" and "550" in email.last_error
    connections = mail_server.connections
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        run_worker()
    assert mail_server.connections == connections


def test_a_rolled_back_transaction_queues_neither_mail_nor_task(queue):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        mail.queue_email(to="ada@example.edu", subject="Hello", body="Hi.")
        raise RuntimeError("the import was refused")
    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_schedule_queues_each_periodic_task_once_per_slot(queue):
    from datetime import UTC, datetime

    now = datetime(2026, 1, 5, 10, 0, 30, tzinfo=UTC)  # 30 s into a 1- and a 5-minute slot
    first = periodic.tick(now=now)
    assert set(first) == {"sweep_outbox", "send_reminders"}
    assert periodic.tick(now=now) == []  # a second worker ticking the same minute
    assert periodic.tick(now=now + timedelta(minutes=1)) == ["sweep_outbox"]
    assert ScheduledRun.objects.filter(name="send_reminders").count() == 1
    assert DBTaskResult.objects.filter(task_path="courses.tasks.send_reminders").count() == 1


class socket_closed:
    """A port on 127.0.0.1 where nothing listens."""

    def __enter__(self):
        from tests.mail.conftest import free_port

        return free_port()

    def __exit__(self, *exc):
        return False


# --------------------------------------------------------------------------- a real kill


def worker_env(mail_server) -> dict:
    """The environment of a worker process on this test's database and mail server."""
    env = dict(os.environ)
    name = connection.settings_dict["NAME"]
    if env.get("DATABASE_URL"):
        base = env["DATABASE_URL"].rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env["SEMINAR_DB_NAME"] = name
    env.update(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_server.port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="5",
    )
    return env


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_nothing_and_sends_once(mail_server, queue):
    mail_server.mode = mail_server.HOLD
    email = mail.queue_email(to="ada@example.edu", subject="Your grade", body="9 / 10")
    env = worker_env(mail_server)
    command = [sys.executable, "manage.py", "worker", "--no-schedule", "--interval", "0.2"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        assert mail_server.holding.wait(60), "the worker never reached the mail server"
        worker.send_signal(signal.SIGKILL)  # in the middle of the SMTP conversation
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    mail_server.mode = mail_server.ACCEPT
    mail_server.release.set()
    email.refresh_from_db()
    assert email.status == "queued" and mail_server.messages == []  # not lost: not sent yet
    # Two minutes on, the sweep finds the mail whose task died with the worker.
    assert mail.sweep(now=timezone.now() + timedelta(minutes=3)) == 1
    batch = [sys.executable, "manage.py", "worker", "--batch", "--no-schedule", "--interval", "0"]
    subprocess.run(batch, cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)
    email.refresh_from_db()
    assert email.status == "sent"
    assert len(mail_server.messages) == 1
    assert mail_server.messages[0]["Message-ID"] == email.message_id
    # The sweep and the task of the killed worker both run again: still one mail.
    mail.sweep(now=timezone.now() + timedelta(minutes=3))
    subprocess.run(batch, cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)
    assert len(mail_server.messages) == 1


def test_the_worker_schedule_sends_each_review_reminder_once_through_the_mail_server(
    mail_server, queue
):
    """The reminders run from the worker's schedule (no cron): alice owes a review due Mon
    Nov 3, 23:59 PST; twenty hours before, the worker's ticks every few minutes send her
    one reminder, through the outbox and the real mail server."""
    from datetime import UTC, date, datetime

    from tests import factories as f

    course = f.CourseFactory(code="ecs289d-f25")
    f.MembershipFactory(course=course, user__email="alice@example.edu", user__name="Alice")
    f.ReviewKindFactory(course=course)  # due 23:59 the night before class, every reading
    f.ReadingFactory(session__course=course, session__date=date(2025, 11, 4), paper__course=course)
    due = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)
    for minutes in range(0, 30, 5):
        with time_machine.travel(due - timedelta(hours=20, minutes=-minutes), tick=False):
            run_worker()
    (message,) = mail_server.messages
    assert message["To"] == "alice@example.edu"
    assert "Mon Nov 3, 2025 11:59 PM PST" in message.get_payload(decode=True).decode()

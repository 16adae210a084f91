"""Due-time reminders: each app that owes students work declares a sender.

``manage.py send_reminders`` (courses) runs every app's ``reminder_senders`` (declared in
its hooks module, courses.plugins), so courses never imports them.
A sender is ``send(now=..., window=...) -> int`` (how many emails it sent) and must be
idempotent: cron runs the command every few minutes.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from courses import plugins
from courses.mail import queue_email

Sender = Callable[..., int]


def send_all(*, now: datetime | None = None, window: timedelta) -> dict[str, int]:
    """Run every app's sender; returns {sender name: emails sent}."""
    senders = plugins.merged("reminder_senders")
    return {name: send(now=now, window=window) for name, send in sorted(senders.items())}


def send_once(record: Callable[[], object], *, subject: str, message: str, to: str) -> bool:
    """Record a reminder (``record()`` inserts a row under a unique constraint) and put its
    email in the outbox in one transaction: the record and the queued mail commit together
    or not at all. A concurrent or repeated run that finds the row already there sends
    nothing. Returns whether this call queued it."""
    try:
        with transaction.atomic():
            record()
            queue_email(to=to, subject=subject, body=message)
    except IntegrityError:
        return False  # another run sent it
    return True

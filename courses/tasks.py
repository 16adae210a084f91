"""The background tasks of the core (django-tasks; run by ``manage.py worker``)."""

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from courses import mail, reminders


@task()
def deliver_email(email_id: int) -> str:
    return mail.deliver(email_id)


@task()
def sweep_outbox() -> int:
    return mail.sweep()


@task()
def send_reminders() -> dict[str, int]:
    """Every app's reminder senders (courses.reminders); each reminder is an email in the
    outbox, queued once per (work, recipient, due time)."""
    return reminders.send_all(window=timedelta(hours=settings.REMINDER_WINDOW_HOURS))

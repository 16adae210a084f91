"""The worker's schedule: periodic tasks, each queued once per time slot whatever the
number of workers ticking (a ScheduledRun row per slot, under a unique constraint).

django-tasks has no periodic tasks of its own; this is the small part Seminar adds. Cron
running ``manage.py send_reminders`` stays an alternative (README, "Email and the worker").
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import ScheduledRun


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    task: object  # a django-tasks Task


def schedule() -> list[Periodic]:
    from courses import tasks

    return [
        Periodic("sweep_outbox", timedelta(minutes=1), tasks.sweep_outbox),
        Periodic(
            "send_reminders",
            timedelta(minutes=settings.REMINDER_EVERY_MINUTES),
            tasks.send_reminders,
        ),
    ]


def slot_of(now: datetime, every: timedelta) -> datetime:
    """The start of the slot ``now`` falls in (slots count from the Unix epoch, in UTC)."""
    seconds = int(every.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def tick(*, now: datetime | None = None) -> list[str]:
    """Queue each periodic task whose current slot has not been queued yet; the names
    queued by this call."""
    now = now or timezone.now()
    queued = []
    for job in schedule():
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=job.name, slot=slot_of(now, job.every))
                job.task.enqueue()
        except IntegrityError:
            continue  # another worker (or an earlier tick) queued this slot
        queued.append(job.name)
    ScheduledRun.objects.filter(slot__lt=now - timedelta(days=2)).delete()
    return queued

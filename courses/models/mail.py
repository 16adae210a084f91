"""The outbox: every email Seminar sends is a row here first, written in the same
transaction as what it tells (a reminder's send-once record, a roster import), and
delivered by the task queue's worker (courses/mail.py, courses/tasks.py)."""

from django.db import models
from django.db.models import Q


class OutgoingEmail(models.Model):
    """One message to one recipient. ``sent_at`` is set in the transaction that holds the
    row's lock while the mail server accepts it, so a message is sent once; a worker
    killed before that commit leaves it unsent, and it is sent again later."""

    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    message_id = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="The mail server refused it for good (e.g. no such user)."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outgoingemail_waiting",
            )
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"

    @property
    def status(self) -> str:
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "refused"
        return "waiting" if self.attempts else "queued"


class ScheduledRun(models.Model):
    """One run of a periodic task for one time slot: the unique row lets any number of
    workers tick the schedule, and each slot's task is queued once."""

    name = models.CharField(max_length=100)
    slot = models.DateTimeField()
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="scheduledrun_once_per_slot")
        ]

    def __str__(self):
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"

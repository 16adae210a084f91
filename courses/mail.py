"""Email, through the outbox and the task queue.

``queue_email`` writes an OutgoingEmail row and queues its delivery task, both in the
caller's transaction: if the caller rolls back (a refused import, a reminder another
run sent first) there is neither mail nor task; if it commits, the mail will go.

``deliver`` runs in the worker. It locks the row, hands the message to the mail server
and marks it sent in that one transaction. A server that is down, refuses for now or drops
the connection leaves it unsent, to be tried again after a growing wait (1, 2, 4 … 60
minutes, for as long as it takes); a server that refuses the address for good (5xx) marks
it refused, for staff to see in the admin. A worker killed mid-send rolls back: the row
stays unsent and the sweep (every minute) queues it again. So a message is never lost; it
could come twice only if the worker died in the instant between the server's "250 OK" and
the commit, and it carries the same Message-ID both times.
"""

import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone

from courses.models import OutgoingEmail

RETRY_WAITS = [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60)]
STALE = timedelta(minutes=2)  # an unsent row this far past its time lost its task: requeue


def queue_email(*, to: str, subject: str, body: str, html_body: str = "", from_email=None):
    """Put one message in the outbox and queue its delivery (in the caller's transaction)."""
    from courses.tasks import deliver_email

    email = OutgoingEmail.objects.create(
        to=to,
        subject=subject[:200],
        body=body,
        html_body=html_body,
        from_email=from_email or "",
        message_id=make_msgid(domain=_domain()),
        next_attempt_at=timezone.now(),
    )
    deliver_email.enqueue(email.pk)
    return email


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "seminar.localhost"


def retry_wait(attempts: int) -> timedelta:
    return RETRY_WAITS[min(attempts, len(RETRY_WAITS)) - 1]


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email or None,
        to=[email.to],
        headers={"Message-ID": email.message_id},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def _permanent(exc: Exception) -> bool:
    """A 5xx answer about the recipient: trying again would get the same answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and 550 <= exc.smtp_code < 560


def deliver(email_id: int, *, now: datetime | None = None) -> str:
    """Send one outbox row if it is due and unsent; what happened ("sent", "retry",
    "refused", or "skipped" when it is sent already, refused, not due or being sent by
    another worker)."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True, failed_at__isnull=True)
            .first()
        )
        now = now or timezone.now()
        if email is None or email.next_attempt_at > now:
            return "skipped"
        email.attempts += 1
        try:
            _message(email).send()
        except (smtplib.SMTPException, OSError) as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if _permanent(exc):
                email.failed_at = now
                email.save(update_fields=["attempts", "last_error", "failed_at"])
                return "refused"
            email.next_attempt_at = now + retry_wait(email.attempts)
            email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            _requeue(email)
            return "retry"
        email.sent_at = now
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "sent_at"])
        return "sent"


def _requeue(email: OutgoingEmail) -> None:
    from courses.tasks import deliver_email

    deliver_email.using(run_after=email.next_attempt_at).enqueue(email.pk)


def sweep(*, now: datetime | None = None) -> int:
    """Queue again every unsent message whose delivery task was lost (a worker killed
    mid-send, a task row deleted); the lock in ``deliver`` makes a spare task harmless."""
    now = now or timezone.now()
    lost = OutgoingEmail.objects.filter(
        sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now - STALE
    ).values_list("pk", flat=True)
    from courses.tasks import deliver_email

    count = 0
    for pk in lost.iterator():
        deliver_email.enqueue(pk)
        count += 1
    return count

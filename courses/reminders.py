"""Due-time reminders: each app that owes students work registers a sender here.

``manage.py send_reminders`` (courses) runs every registered sender; reviews and
projects register theirs in their AppConfig.ready(), so courses never imports them.
A sender is ``send(now=..., window=...) -> int`` (how many emails it sent) and must be
idempotent: cron runs the command every few minutes.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

Sender = Callable[..., int]

_senders: dict[str, Sender] = {}


def register(name: str, send: Sender) -> None:
    _senders[name] = send


def send_all(*, now: datetime | None = None, window: timedelta) -> dict[str, int]:
    """Run every sender; returns {sender name: emails sent}."""
    return {name: send(now=now, window=window) for name, send in sorted(_senders.items())}

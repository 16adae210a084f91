"""Due times: policies relative to a session, turned into instants.

Every due time is computed in the course's time zone and stored and compared in
UTC. ``due_at`` is the one function that turns a policy and a session into an
instant; everything with a deadline relative to class (reviews, questions,
summaries, slides) goes through it, so moving a session moves its deadlines.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEFORE = "before"  # N days before the session date, at HH:MM local time
AFTER = "after"  # N hours after class start


@dataclass(frozen=True)
class DuePolicy:
    kind: str = BEFORE
    days_before: int = 1
    at: time = time(23, 59)
    hours_after: int = 24

    def __post_init__(self):
        if self.kind not in (BEFORE, AFTER):
            raise ValueError(f"unknown due-time policy kind {self.kind!r}")

    def describe(self) -> str:
        if self.kind == AFTER:
            if not self.hours_after:
                return "when class starts"
            return f"{self.hours_after} h after class starts"
        clock = f"{self.at.hour % 12 or 12}:{self.at:%M %p}"
        if self.days_before == 0:
            return f"{clock} the day of class"
        if self.days_before == 1:
            return f"{clock} the day before class"
        return f"{clock}, {self.days_before} days before class"


NIGHT_BEFORE = DuePolicy(BEFORE, days_before=1, at=time(23, 59))


def due_at(policy: DuePolicy, session) -> datetime:
    """The instant (aware, UTC) that ``policy`` gives for ``session``.

    "N days before at HH:MM" is a wall-clock time in the course time zone, so it
    follows DST: the night before Tue 2025-11-04 is 2025-11-03 23:59 PST
    (07:59 UTC), the night before Tue 2025-10-28 is 23:59 PDT (06:59 UTC).
    "N hours after class start" counts elapsed hours from the start instant.
    Needs ``session.course`` (loaded or cached).
    """
    tz = session.course.tz
    if policy.kind == BEFORE:
        local = datetime.combine(
            session.date - timedelta(days=policy.days_before), policy.at, tzinfo=tz
        )
        return end_of_minute(local.astimezone(UTC))
    start = session.starts_at().astimezone(UTC)
    return end_of_minute(start + timedelta(hours=policy.hours_after))


def end_of_minute(instant: datetime) -> datetime:
    """The last instant of ``instant``'s minute (SPEC, Time): "due 11:59 PM" is on time
    through 23:59:59.999999 and late from 00:00:00. Every due time is stored this way; pages
    still show the minute. Offsets of real zones are whole minutes, so UTC's minute is the
    local minute."""
    return instant.replace(second=59, microsecond=999999)


def shift_days(instant: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The same local wall-clock time ``days`` later in ``tz`` (an extension of "N more
    days"): 23:59 PDT on Sat Nov 1 plus 2 days is 23:59 PST on Mon Nov 3, 25 h later."""
    local = instant.astimezone(tz)
    moved = datetime.combine(
        local.date() + timedelta(days=days), local.timetz().replace(tzinfo=None)
    )
    return moved.replace(tzinfo=tz).astimezone(UTC)


def late_by(at: datetime, due: datetime) -> timedelta | None:
    """How late ``at`` is against ``due``: None when on time (through the due instant, the
    last of its minute), else counted from the first late instant, so a review due 11:59 PM
    saved at 00:00:30 is 30 s late and one saved at 00:00:00 is late by nothing at all:
    ``timedelta(0)``, which is late. Test it with ``is None``, never for truth."""
    if at <= due:
        return None
    return at - (due + timedelta(microseconds=1))


def started_days(lateness: timedelta) -> int:
    """Days or part days late: late from 00:00:00 is day 1, from 00:00:00 the day after is
    day 2. Exact (timedelta arithmetic), never through float seconds."""
    return lateness // timedelta(days=1) + 1


def format_instant(instant: datetime, tz: ZoneInfo, *, year: bool = False) -> str:
    """The one way pages, emails and the admin write an instant: 'Mon Nov 3, 11:59 PM PST'
    (with ``year``, as emails write it: 'Mon Nov 3, 2025 11:59 PM PST'), in the course's
    zone."""
    local = instant.astimezone(tz)
    day = f"{format_day(local)}, " + (f"{local.year} " if year else "")
    return f"{day}{local.hour % 12 or 12}:{local:%M %p %Z}"


def format_day(day) -> str:
    """The one way to write a day: 'Tue Oct 7' (a date, or an aware instant's local day)."""
    return f"{day:%a %b} {day.day}"


def humanize_delta(delta: timedelta) -> str:
    """'2 d 3 h', '2 h 14 min', '45 s' for a positive timedelta."""
    seconds = int(abs(delta).total_seconds())
    if not seconds and delta:
        return "under 1 s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"

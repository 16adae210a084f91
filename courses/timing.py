"""Due times: policies relative to a session, turned into instants.

Every due time is computed in the course's time zone and stored and compared in
UTC. ``due_at`` is the one function that turns a policy and a session into an
instant; everything with a deadline relative to class (reviews, questions,
summaries, slides) goes through it, so moving a session moves its deadlines.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

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
            return f"{self.hours_after} h after class starts"
        clock = self.at.strftime("%I:%M %p").lstrip("0").lower()
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
        return local.astimezone(UTC)
    start = session.starts_at().astimezone(UTC)
    return start + timedelta(hours=policy.hours_after)


def humanize_delta(delta: timedelta) -> str:
    """'2 d 3 h', '2 h 14 min', '45 s' for a positive timedelta."""
    seconds = int(abs(delta).total_seconds())
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

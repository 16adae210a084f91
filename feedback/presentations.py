"""Presentations (readings that have presenters, in sessions that meet) and what their
feedback adds up to. Who presents comes from the claims app through the ``presenters``
hook (courses.plugins); feedback never imports claims."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from math import lcm

from django.contrib.auth import get_user_model
from django.db.models import Q

from courses import plugins
from courses.models import Reading, SessionKind
from teams.models import Team, TeamMember

TENTH = Decimal("0.1")


@dataclass
class Presentation:
    """One presented reading: its presenters (("student", user id) or ("team", team id))
    and the user ids they stand for (a team's members), with the feedback window."""

    reading: Reading
    presenters: set[tuple[str, int]]
    presenter_ids: set[int]
    opens_at: datetime
    closes_at: datetime
    names: list[str] = field(default_factory=list)  # filled by ``name_presenters``

    @property
    def session(self):
        return self.reading.session

    def state(self, now) -> str:
        """'before' | 'open' | 'closed'."""
        if now < self.opens_at:
            return "before"
        if now > self.closes_at:
            return "closed"
        return "open"

    def presented_by(self, user_id: int) -> bool:
        return user_id in self.presenter_ids


def presentations(courses, *, rules_of, readings: Q | None = None) -> list[Presentation]:
    """The presentations of ``courses`` (each with its settings, ``rules_of(course)``), in
    schedule order; ``readings`` narrows the readings (a Q on Reading). Three queries (who
    presents, the readings, the members of presenting teams; the last only where teams
    present) whatever the number of courses, readings or students."""
    by_id = {c.pk: c for c in courses}
    if not by_id:
        return []
    found: dict[int, set] = {}
    for part in plugins.call("presenters", list(by_id)):
        for reading_id, holders in part.items():
            found.setdefault(reading_id, set()).update(holders)
    if not found:
        return []
    rows = (
        Reading.objects.filter(pk__in=list(found), course__in=list(by_id))
        .exclude(session__kind__in=[SessionKind.HOLIDAY, SessionKind.DEADLINE])
        .select_related("session", "paper")
        .order_by("session__date", "session__start_time", "order", "id")
    )
    if readings is not None:
        rows = rows.filter(readings)
    rows = list(rows)
    team_ids = {pk for r in rows for kind, pk in found[r.pk] if kind == "team"}
    members: dict[int, set[int]] = {}
    if team_ids:
        for team_id, user_id in TeamMember.objects.filter(team_id__in=team_ids).values_list(
            "team_id", "user_id"
        ):
            members.setdefault(team_id, set()).add(user_id)
    result = []
    for reading in rows:
        course = by_id[reading.course_id]
        reading.course = reading.session.course = course
        rules = rules_of(course)
        holders = found[reading.pk]
        ids = set()
        for kind, pk in holders:
            ids |= members.get(pk, set()) if kind == "team" else {pk}
        result.append(
            Presentation(
                reading,
                holders,
                ids,
                rules.opens_at(reading.session),
                rules.closes_at(reading.session),
            )
        )
    return result


def name_presenters(found: list[Presentation]) -> None:
    """Sets each presentation's ``names`` (students by name, teams by team name), in two
    queries at most whatever their number."""
    students = {pk for p in found for kind, pk in p.presenters if kind == "student"}
    teams = {pk for p in found for kind, pk in p.presenters if kind == "team"}
    user_names = {}
    if students:
        user_names = {
            u.pk: u.name or u.email
            for u in get_user_model().objects.filter(pk__in=students).only("name", "email")
        }
    team_names = {}
    if teams:
        team_names = dict(Team.objects.filter(pk__in=teams).values_list("pk", "name"))
    for p in found:
        p.names = sorted(
            (team_names if kind == "team" else user_names).get(pk, "") for kind, pk in p.presenters
        )


# --------------------------------------------------------------------------- aggregates


@dataclass
class CriterionSummary:
    key: str
    label: str
    scale: int
    total: int = 0
    count: int = 0

    @property
    def mean(self) -> Decimal | None:
        """The mean rating, exact to Decimal's precision (one division)."""
        return Decimal(self.total) / Decimal(self.count) if self.count else None

    @property
    def shown(self) -> str:
        """'4.3' (half up to one decimal), or '–' with no rating."""
        mean = self.mean
        return "–" if mean is None else str(mean.quantize(TENTH, rounding=ROUND_HALF_UP))

    @property
    def percent(self) -> int:
        """How full a bar for the mean is (0-100), for the page only."""
        mean = self.mean
        if mean is None:
            return 0
        return int((mean / Decimal(self.scale) * 100).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass
class Summary:
    """What the responses to one presentation add up to, without who gave them."""

    responses: int
    criteria: list[CriterionSummary]
    comments: list[str]
    points: int = 0  # sum of ratings, each scaled to the common multiple of the scales
    possible: int = 0

    @property
    def fraction(self) -> Decimal | None:
        """Mean rating as a fraction of the scale (each criterion on its own scale): one
        exact integer ratio, divided once."""
        return Decimal(self.points) / Decimal(self.possible) if self.possible else None

    @property
    def overall(self) -> str:
        """'4.3 / 5' when every criterion has the same scale, else '86%'."""
        fraction = self.fraction
        if fraction is None:
            return "–"
        scales = {c.scale for c in self.criteria}
        if len(scales) == 1:
            (scale,) = scales
            return f"{(fraction * scale).quantize(TENTH, ROUND_HALF_UP)} / {scale}"
        return f"{(fraction * 100).quantize(Decimal(1), ROUND_HALF_UP)}%"


def summarize(criteria: list[dict], rows) -> Summary:
    """``rows``: (ratings, comment) of each response. Ratings of keys no longer in the
    rubric, or out of its range, are left out. Comments are sorted by their text, so
    their order says nothing about who wrote them or when."""
    summaries = [CriterionSummary(c["key"], c["label"], int(c["scale"])) for c in criteria]
    common = lcm(*(s.scale for s in summaries)) if summaries else 1
    result = Summary(0, summaries, [])
    for ratings, comment in rows:
        result.responses += 1
        for s in summaries:
            value = (ratings or {}).get(s.key)
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= s.scale:
                s.total += value
                s.count += 1
                result.points += value * (common // s.scale)
                result.possible += common
        if comment and comment.strip():
            result.comments.append(comment.strip())
    result.comments.sort(key=lambda text: (text.casefold(), text))
    return result

"""The reviewer group's part of the team page (the ``team_page`` hook): the sessions the
group reviews, when the class's questions arrive, and the digest once they have."""

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from panels.models import ReviewerGroup
from reviews.plan import ReviewPlan


@dataclass
class Arrival:
    """One reading of a reviewed session: when its questions arrive (a kind that gathers
    questions, e.g. CSE 585's Question), and the digest's address."""

    reading: object
    kind: object
    due_at: datetime
    url: str
    arrived: bool


@dataclass
class Slot:
    session: object
    arrivals: list[Arrival] = field(default_factory=list)
    presents: bool = False


def reviewer_slots(course, team, now=None) -> list[Slot]:
    """The sessions ``team`` reviews, in date order, each with its readings' question due
    times. One query when the team reviews nothing; a review plan (without reviews) else."""
    now = now or timezone.now()
    groups = list(
        ReviewerGroup.objects.filter(team=team, session__course=course).select_related("session")
    )
    if not groups:
        return []
    slots = {g.session_id: Slot(g.session) for g in groups}
    plan = ReviewPlan([course], now=now, reading_ids=[])
    base = reverse("reviews:digest", args=[course.code, 0]).replace("/0/", "/{}/")
    for reading in plan.readings:
        slot = slots.get(reading.session_id)
        if slot is None:
            continue
        slot.session = reading.session  # with its course: the page shows local times
        holders = {("team", team.pk)} | {("student", u) for u in plan.team_members.get(team.pk, [])}
        if holders & plan.presenters.get(reading.pk, set()):
            slot.presents = True
        for kind in plan.kinds:
            if kind.gathered_prompts() and plan.applies(kind, reading):
                due = plan.due_times.base(kind, reading)
                slot.arrivals.append(
                    Arrival(reading, kind, due, base.format(reading.pk), arrived=now >= due)
                )
    return sorted(slots.values(), key=lambda s: (s.session.date, s.session.pk))


def team_page(request, course, team, bound=None):
    slots = reviewer_slots(course, team)
    if not slots:
        return {}
    return {"reviewer_slots": slots, "team_panels": ["panels/team_reviewing.html"]}

"""The "panels" section of the course file (order 80): each session's reviewer groups.

    panels:
    - session: 2025-10-07          # a session's date
      reviewers: [Caching, Tensor] # groups (teams) by name, as on the Team page

Importing the section makes the course's reviewer groups what it lists (sessions it does
not list have none); leaving the section out keeps what the course has. A name must be a
group of the course, and a group does not review a session where it presents. Groups form
in the browser, after the course is imported: in a course without any group yet (a new
course, a clone to a new term) the names cannot be looked up, so the section assigns
nothing then (its sessions are still checked); import the file again once groups have
formed. A course without reviewer groups exports no section.
"""

from typing import Annotated

from pydantic import ConfigDict

from courses.coursefile import CourseFileError, Section
from courses.coursefile.schema import Day, FileModel, check, parse, text_of, unique
from panels.models import ReviewerGroup
from teams.models import Team

KEY = "panels"


class Panel(FileModel):
    model_config = ConfigDict(title="a panel")

    session: Day
    reviewers: list[text_of(Team, "name")] = []


Panels = Annotated[
    list[Panel], unique(lambda p: p.session, "session", lambda p: p.session.isoformat())
]


def export(course):
    groups = ReviewerGroup.objects.of_course(course).select_related("session", "team")
    panels: dict = {}
    for group in groups:
        panels.setdefault(group.session.date.isoformat(), []).append(group.team.name)
    if not panels:
        return None
    return [{"session": day, "reviewers": sorted(names)} for day, names in panels.items()]


def load(course, data) -> None:
    entries = parse(Panels, data)
    sessions = {}
    for session in course.sessions.all():
        sessions.setdefault(session.date, []).append(session)
    by_name = {team.name: team for team in course.teams.all()}
    teams = {name.casefold(): team for name, team in by_name.items()}
    wanted = []
    for i, entry in enumerate(entries):
        found = sessions.get(entry.session, [])
        if len(found) != 1:
            raise CourseFileError(f"[{i}].session", f"no single session on {entry.session}.")
        session = found[0]
        if not session.meets:
            raise CourseFileError(f"[{i}].session", f"no class meets on {entry.session}.")
        session.course = course
        seen = set()
        for j, name in enumerate(entry.reviewers):
            at = f"[{i}].reviewers[{j}]"
            if name.casefold() in seen:
                raise CourseFileError(at, f"“{name}” appears twice.")
            seen.add(name.casefold())
            if not teams:
                continue  # no group has formed yet: nothing to look the names up in
            team = by_name.get(name) or teams.get(name.casefold())
            if team is None:
                known = ", ".join(sorted(by_name))
                raise CourseFileError(at, f"no group named “{name}” in this course ({known}).")
            group = ReviewerGroup(session=session, team=team)
            check(
                group,
                at,
                {"team": "", "session": ""},
                validate_unique=False,
                validate_constraints=False,
            )
            wanted.append((session.pk, team.pk))
    if not teams:
        return
    existing = {(g.session_id, g.team_id): g.pk for g in ReviewerGroup.objects.of_course(course)}
    ReviewerGroup.objects.filter(
        pk__in=[pk for key, pk in existing.items() if key not in set(wanted)]
    ).delete()
    ReviewerGroup.objects.bulk_create(
        ReviewerGroup(session_id=s, team_id=t) for s, t in wanted if (s, t) not in existing
    )


SECTION = Section(key=KEY, order=80, export=export, load=load)

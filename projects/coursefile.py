"""The "milestones" section of the one-file course format.

    milestones:
      - name: Project proposal
        due: "2025-10-16 23:59"             # local time in the course time zone (an offset is accepted)
        deliverable: file                   # link | file | text | none
        late_policy: penalty                # no_credit | penalty | accept
        late_penalty_pct: "10"              # per started day, with "penalty"
        max_points: "100"
        component: Proposal                 # a component name from "components", or omitted
        description: Two pages, ACM format.
      - name: Final presentation
        session: 2025-12-04                 # due relative to the session on that date:
        hours_after: 0                      #   N hours after it starts, or
        # days_before: 1 and at: "23:59"   #   N days before at a time of day

Milestones are matched by name: importing again updates them in place. A
milestone the file no longer lists is deleted, unless teams have submitted or
been graded for it (then the import is refused with a message).
"""

from datetime import time
from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, model_validator

from courses.coursefile import CourseFileError, Section, format_instant
from courses.coursefile.schema import (
    Day,
    FileModel,
    Instant,
    Percent,
    Positive,
    Text,
    TimeOfDay,
    Whole,
    check,
    choice,
    invalid,
    parse,
    text_of,
    unique,
    whole,
)
from courses.models import Session
from grading.coursefile import Rubric, rubric_to_file, rubric_to_model
from grading.models import GradeComponent
from projects.models import Deliverable, LatePolicy, Milestone, RelativeDue

KEY = "milestones"


class Entry(FileModel):
    model_config = ConfigDict(title="a milestone")

    name: text_of(Milestone, "name")
    description: Text = ""
    due: Instant | None = None
    session: Day | None = None
    hours_after: Whole | None = None  # may be negative
    days_before: whole(0) | None = None
    at: TimeOfDay | None = None
    deliverable: choice(Deliverable) = Deliverable.FILE
    late_policy: choice(LatePolicy) = LatePolicy.NO_CREDIT
    late_penalty_pct: Percent = Decimal("0")
    max_points: Positive = Decimal("100")
    rubric: Rubric = []  # criteria adding up to max_points; none: points only
    component: Text = ""  # a component's name; blank: none

    @model_validator(mode="after")
    def _one_due_time(self):
        if (self.due is None) == (self.session is None):
            raise invalid("give either a due time (due) or a session it is relative to.", "due")
        if self.hours_after is not None and (self.days_before is not None or self.at is not None):
            raise invalid("give hours_after, or days_before with at, not both.")
        return self


Entries = Annotated[list[Entry], unique(lambda m: m.name, "name", lambda m: m.name)]

# Where a Milestone field sits in the file, where the two differ.
MILESTONE_KEYS = {"due_at": "due", "at_time": "at", "relative_kind": "session"}


def _decimal_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def export(course):
    milestones = list(
        Milestone.objects.filter(course=course)
        .select_related("component", "session")
        .order_by("due_at", "order", "id")
    )
    if not milestones:
        return None
    rows = []
    for m in milestones:
        row = {"name": m.name}
        if m.session_id:
            row["session"] = m.session.date.isoformat()
            if m.relative_kind == RelativeDue.AFTER:
                row["hours_after"] = m.hours_after
            else:
                row["days_before"] = m.days_before
                row["at"] = m.at_time.strftime("%H:%M")
        else:
            # Local wall-clock time like every instant in the file, so that a
            # date shift (clone, demo) keeps 23:59 across DST changes.
            row["due"] = format_instant(m.due_at, course.tz)
        row["deliverable"] = m.deliverable
        row["late_policy"] = m.late_policy
        if m.late_policy == LatePolicy.PENALTY:
            row["late_penalty_pct"] = _decimal_text(m.late_penalty_pct)
        row["max_points"] = _decimal_text(m.max_points)
        if m.component_id:
            row["component"] = m.component.name
        if m.description:
            row["description"] = m.description
        if m.rubric:
            row["rubric"] = rubric_to_file(m.rubric)
        rows.append(row)
    return rows


def load(course, data):
    entries = parse(Entries, data, KEY, tz=course.tz)
    components = {c.name: c for c in GradeComponent.objects.filter(course=course)}
    existing = {m.name: m for m in Milestone.objects.filter(course=course)}
    for i, entry in enumerate(entries):
        milestone = existing.get(entry.name) or Milestone(course=course, name=entry.name)
        _apply(milestone, entry, f"{KEY}[{i}]", components)
        milestone.order = i
        milestone.save()
        milestone.restamp_lateness()  # the due time may have moved
    names = {entry.name for entry in entries}
    for name, milestone in existing.items():
        if name in names:
            continue
        if milestone.submissions.exists() or milestone.grades.exists():
            raise CourseFileError(
                KEY,
                f"milestone “{name}” is missing from the file but teams have submitted or "
                "been graded for it; keep it in the file (or rename it back).",
            )
        milestone.delete()


def _apply(milestone: Milestone, entry: Entry, path: str, components: dict) -> None:
    """``entry`` on ``milestone`` (unsaved), checked by the model's own rules."""
    milestone.component = None
    if entry.component:
        milestone.component = components.get(entry.component)
        if milestone.component is None:
            known = ", ".join(sorted(components)) or "none defined"
            raise CourseFileError(
                f"{path}.component",
                f"no grade component named “{entry.component}” (components: {known}).",
            )
    milestone.description = entry.description
    milestone.deliverable, milestone.late_policy = entry.deliverable, entry.late_policy
    milestone.late_penalty_pct, milestone.max_points = entry.late_penalty_pct, entry.max_points
    milestone.rubric = rubric_to_model(entry.rubric)
    if entry.session:
        _relative(milestone, entry, path)
    else:
        milestone.session, milestone.due_at = None, entry.due
    check(milestone, path, MILESTONE_KEYS, exclude=["course"])


def _relative(milestone: Milestone, entry: Entry, path: str) -> None:
    """Point ``milestone`` at a session (by date) with a DuePolicy, and compute its due time."""
    course = milestone.course
    session = (
        Session.objects.filter(course=course, date=entry.session)
        .order_by("start_time", "id")
        .first()
    )
    if session is None:
        raise CourseFileError(
            f"{path}.session", f"no session on {entry.session:%a %Y-%m-%d} in sessions."
        )
    if entry.days_before is not None or entry.at is not None:
        milestone.relative_kind = RelativeDue.BEFORE
        milestone.days_before = entry.days_before or 0
        milestone.at_time = entry.at or time(23, 59)
    else:
        milestone.relative_kind = RelativeDue.AFTER
        milestone.hours_after = entry.hours_after or 0
    session.course = course
    milestone.session = session
    milestone.sync_due_at()


SECTION = Section(key=KEY, order=40, export=export, load=load)

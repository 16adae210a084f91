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

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from courses.coursefile import CourseFileError, Section, format_instant
from courses.models import Session
from grading.models import GradeComponent
from projects.models import Deliverable, LatePolicy, Milestone, RelativeDue

KEY = "milestones"
FIELDS = {
    "name",
    "description",
    "due",
    "session",
    "hours_after",
    "days_before",
    "at",
    "deliverable",
    "late_policy",
    "late_penalty_pct",
    "max_points",
    "component",
}


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
        rows.append(row)
    return rows


def _due(course, value, path) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise CourseFileError(path, "give a time as well as a date, e.g. 2025-10-16 23:59.")
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise CourseFileError(
                path, f"{value!r} is not a date and time like 2025-10-16 23:59."
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=course.tz)
    return parsed


def _relative(milestone, course, row, path) -> None:
    """Point ``milestone`` at a session (by date) with a DuePolicy, and compute its due time."""
    value = row["session"]
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise CourseFileError(
            f"{path}.session", f"{value!r} is not a date like 2025-12-04."
        ) from None
    session = Session.objects.filter(course=course, date=day).order_by("start_time", "id").first()
    if session is None:
        raise CourseFileError(f"{path}.session", f"no session on {day:%a %Y-%m-%d} in sessions.")
    if "hours_after" in row and ("days_before" in row or "at" in row):
        raise CourseFileError(path, "give hours_after, or days_before with at, not both.")
    if "days_before" in row or "at" in row:
        days = row.get("days_before", 0)
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            raise CourseFileError(f"{path}.days_before", "a whole number of days, 0 or more.")
        try:
            at = time.fromisoformat(str(row.get("at", "23:59")).strip())
        except ValueError:
            raise CourseFileError(f"{path}.at", "a time of day like 23:59.") from None
        milestone.relative_kind = RelativeDue.BEFORE
        milestone.days_before = days
        milestone.at_time = at
    else:
        hours = row.get("hours_after", 0)
        if not isinstance(hours, int) or isinstance(hours, bool):
            raise CourseFileError(
                f"{path}.hours_after", "a whole number of hours (may be negative)."
            )
        milestone.relative_kind = RelativeDue.AFTER
        milestone.hours_after = hours
    session.course = course
    milestone.session = session
    milestone.sync_due_at()


def _number(value, path, *, default: Decimal) -> Decimal:
    if value is None:
        return default
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise CourseFileError(path, f"{value!r} is not a number.") from None
    if not number.is_finite() or number < 0:
        raise CourseFileError(path, f"{value!r} must be a number 0 or more.")
    return number


def load(course, data):
    if data is None:
        data = []
    if not isinstance(data, list):
        raise CourseFileError(KEY, "a list of milestones.")
    components = {c.name: c for c in GradeComponent.objects.filter(course=course)}
    existing = {m.name: m for m in Milestone.objects.filter(course=course)}
    seen = set()
    for i, row in enumerate(data):
        path = f"{KEY}[{i}]"
        if not isinstance(row, dict):
            raise CourseFileError(path, "each milestone is a mapping with name, due, ….")
        unknown = set(row) - FIELDS
        if unknown:
            raise CourseFileError(
                f"{path}.{sorted(unknown)[0]}",
                f"unknown field; milestones take {', '.join(sorted(FIELDS))}.",
            )
        name = str(row.get("name") or "").strip()
        if not name:
            raise CourseFileError(f"{path}.name", "every milestone needs a name.")
        if name in seen:
            raise CourseFileError(f"{path}.name", f"“{name}” appears twice.")
        seen.add(name)
        if ("due" in row) == ("session" in row):
            raise CourseFileError(
                f"{path}.due", "give either a due time (due) or a session it is relative to."
            )
        deliverable = str(row.get("deliverable", Deliverable.FILE))
        if deliverable not in Deliverable.values:
            raise CourseFileError(f"{path}.deliverable", f"one of {', '.join(Deliverable.values)}.")
        late_policy = str(row.get("late_policy", LatePolicy.NO_CREDIT))
        if late_policy not in LatePolicy.values:
            raise CourseFileError(f"{path}.late_policy", f"one of {', '.join(LatePolicy.values)}.")
        penalty = _number(
            row.get("late_penalty_pct"), f"{path}.late_penalty_pct", default=Decimal("0")
        )
        if penalty > 100:
            raise CourseFileError(f"{path}.late_penalty_pct", "a percentage, at most 100.")
        max_points = _number(row.get("max_points"), f"{path}.max_points", default=Decimal("100"))
        if max_points <= 0:
            raise CourseFileError(f"{path}.max_points", "must be more than 0.")
        component = None
        if row.get("component") not in (None, ""):
            component = components.get(str(row["component"]))
            if component is None:
                known = ", ".join(sorted(components)) or "none defined"
                raise CourseFileError(
                    f"{path}.component",
                    f"no grade component named “{row['component']}” (components: {known}).",
                )
        milestone = existing.get(name) or Milestone(course=course, name=name)
        milestone.description = str(row.get("description") or "")
        if "session" in row:
            _relative(milestone, course, row, path)
        else:
            milestone.session = None
            milestone.due_at = _due(course, row["due"], f"{path}.due")
        milestone.deliverable = deliverable
        milestone.late_policy = late_policy
        milestone.late_penalty_pct = penalty
        milestone.max_points = max_points
        milestone.component = component
        milestone.order = i
        milestone.save()
        milestone.restamp_lateness()  # the due time may have moved
    for name, milestone in existing.items():
        if name in seen:
            continue
        if milestone.submissions.exists() or milestone.grades.exists():
            raise CourseFileError(
                KEY,
                f"milestone “{name}” is missing from the file but teams have submitted or "
                "been graded for it; keep it in the file (or rename it back).",
            )
        milestone.delete()


SECTION = Section(key=KEY, order=40, export=export, load=load)

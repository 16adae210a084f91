"""The "review_kinds" section of the course file (order 30, after the components).

Kinds are matched by slug (from the name when the file gives none) and updated in place; a
kind the file no longer lists is deleted, unless reviews were written against it. See the
README, "Course file: review_kinds", for the format.
"""

from datetime import time
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import ProtectedError
from django.utils.text import slugify
from pydantic import ConfigDict, Field

from courses.coursefile import CourseFileError, format_instant
from courses.coursefile.schema import (
    Day,
    FileModel,
    Flag,
    Instant,
    Percent,
    Positive,
    Text,
    TimeOfDay,
    check,
    choice,
    parse,
    text_of,
    unique,
    validated_by,
    whole,
)
from grading.coursefile import Rubric, rubric_to_file, rubric_to_model
from reviews.models import (
    DueKind,
    DueOverride,
    LatePolicy,
    PeerVisibility,
    ReadingScope,
    ReviewKind,
    WrittenBy,
    validate_prompts,
)

KEY = "review_kinds"


class Due(FileModel):
    model_config = ConfigDict(title="the due time")

    kind: choice(DueKind) = DueKind.BEFORE
    days_before: whole(0) = 1
    at: TimeOfDay = time(23, 59)
    hours_after: whole(0) = 24


class Late(FileModel):
    model_config = ConfigDict(title="the late policy")

    policy: choice(LatePolicy) = LatePolicy.NO_CREDIT
    percent_per_day: Percent = Decimal("10")


class Override(FileModel):
    model_config = ConfigDict(title="a due-time override")

    session: Day
    due_at: Instant


class Kind(FileModel):
    model_config = ConfigDict(title="a review kind")

    name: text_of(ReviewKind, "name")
    slug: text_of(ReviewKind, "slug") = ""
    written_by: choice(WrittenBy) = WrittenBy.STUDENT
    readings: choice(ReadingScope) = ReadingScope.ALL
    due: Due = Field(default_factory=Due)
    late: Late = Field(default_factory=Late)
    max_points: Positive = Decimal("1")
    rubric: Rubric = []  # criteria adding up to max_points; none: points only
    component: Text = ""  # a component's name; blank: none
    optional_as_bonus: Flag = False
    peer_visibility: choice(PeerVisibility) = PeerVisibility.NOBODY
    # The model's own check, here for its message at the prompts (full_clean says "null").
    prompts: Annotated[Any, validated_by(validate_prompts)] = Field(None, validate_default=True)
    overrides: list[Override] = []

    @property
    def key(self) -> str:
        return self.slug or slugify(self.name)[:40]


Kinds = Annotated[list[Kind], unique(lambda k: k.key, "slug", lambda k: k.key)]

# Where a ReviewKind field sits in the file, where the two differ.
KIND_KEYS = {
    "due_kind": "due.kind",
    "due_days_before": "due.days_before",
    "due_time": "due.at",
    "due_hours_after": "due.hours_after",
    "late_policy": "late.policy",
    "late_penalty_percent": "late.percent_per_day",
    "counts_optional_as_bonus": "optional_as_bonus",
}


def export_kinds(course):
    kinds = list(
        ReviewKind.objects.filter(course=course)
        .select_related("component")
        .prefetch_related("overrides__session")
    )
    if not kinds:
        return None
    data = []
    for kind in kinds:
        due = {"kind": kind.due_kind}
        if kind.due_kind == DueKind.BEFORE:
            due.update(days_before=kind.due_days_before, at=kind.due_time.strftime("%H:%M"))
        else:
            due["hours_after"] = kind.due_hours_after
        late = {"policy": kind.late_policy}
        if kind.late_policy == LatePolicy.PENALTY:
            late["percent_per_day"] = str(kind.late_penalty_percent)
        item = {
            "name": kind.name,
            "slug": kind.slug,
            "written_by": kind.written_by,
            "readings": kind.readings,
            "due": due,
            "late": late,
            "max_points": str(kind.max_points),
            "component": kind.component.name if kind.component else None,
            "optional_as_bonus": kind.counts_optional_as_bonus,
            "peer_visibility": kind.peer_visibility,
            "prompts": kind.prompts,
        }
        overrides = [
            # Local time in the course's zone, like every instant in the file: cloning
            # shifts the date and keeps 23:59 local across a DST change.
            {"session": o.session.date.isoformat(), "due_at": format_instant(o.due_at, course.tz)}
            for o in kind.overrides.all()
        ]
        if overrides:
            item["overrides"] = overrides
        if kind.rubric:
            item["rubric"] = rubric_to_file(kind.rubric)
        data.append(item)
    return data


def load_kinds(course, data):
    """Create or update the course's review kinds (matched by slug); a kind left
    out of the file is deleted, unless reviews were written against it."""
    entries = parse(Kinds, data, KEY, tz=course.tz)
    components = {c.name: c for c in course.components.all()}
    kept = []
    for i, entry in enumerate(entries):
        kind = _save_kind(course, entry, i, components)
        _load_overrides(course, kind, entry.overrides, f"{KEY}[{i}].overrides")
        kept.append(kind.pk)
    for kind in ReviewKind.objects.filter(course=course).exclude(pk__in=kept):
        try:
            kind.delete()
        except ProtectedError:
            raise CourseFileError(
                KEY, f"review kind {kind.slug!r} has reviews; it cannot be removed"
            ) from None


def _save_kind(course, entry: Kind, order: int, components: dict) -> ReviewKind:
    path = f"{KEY}[{order}]"
    kind = ReviewKind.objects.filter(course=course, slug=entry.key).first()
    kind = kind or ReviewKind(course=course, slug=entry.key)
    kind.name, kind.prompts, kind.order = entry.name, entry.prompts, order
    kind.written_by, kind.readings = entry.written_by, entry.readings
    kind.peer_visibility = entry.peer_visibility
    due, late = entry.due, entry.late
    kind.due_kind, kind.due_days_before, kind.due_time = due.kind, due.days_before, due.at
    kind.due_hours_after = due.hours_after
    kind.late_policy, kind.late_penalty_percent = late.policy, late.percent_per_day
    kind.max_points = entry.max_points
    kind.rubric = rubric_to_model(entry.rubric)
    kind.counts_optional_as_bonus = entry.optional_as_bonus
    kind.component = None
    if entry.component:
        if entry.component not in components:
            raise CourseFileError(
                f"{path}.component",
                f"no grade component named {entry.component!r} in this course "
                "(define it under components)",
            )
        kind.component = components[entry.component]
    check(kind, path, KIND_KEYS, exclude=["course"])
    kind.save()
    return kind


def _load_overrides(course, kind, overrides: list[Override], path: str) -> None:
    keep = []
    for j, row in enumerate(overrides):
        sessions = list(course.sessions.filter(date=row.session)[:2])
        if len(sessions) != 1:
            raise CourseFileError(f"{path}[{j}].session", f"no single session on {row.session}")
        override, _ = DueOverride.objects.update_or_create(
            kind=kind, session=sessions[0], defaults={"due_at": row.due_at}
        )
        keep.append(override.pk)
    DueOverride.objects.filter(kind=kind).exclude(pk__in=keep).delete()

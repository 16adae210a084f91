"""The "components" section of the course file (order 20, after the schedule).

    components:
      - name: Final report and code
        group: Project
        weight: "35"
        source: milestone
        # optional: bonus (false), max_points ("100"), published (false), order (list position)

Loading replaces the course's components by name: existing ones are updated,
new ones created, and ones absent from the file deleted unless something
refers to them (manual scores, a review kind, a milestone), which is refused
with a message. The non-bonus weights must add up to 100.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, model_validator

from courses.coursefile import CourseFileError, Section
from courses.coursefile.schema import (
    FileModel,
    Flag,
    Number,
    Positive,
    Text,
    check,
    choice,
    invalid,
    parse,
    text,
    text_of,
    unique,
    whole,
)
from grading.engine import weights_problem
from grading.models import ComponentPart, ComponentSource, GradeComponent, parts_problem

KEY = "components"


class Criterion(FileModel):
    """One line of a rubric (review kinds and milestones have ``rubric:``, a list of
    these whose points add up to the work's max_points)."""

    model_config = ConfigDict(title="a rubric criterion")

    criterion: text(100)
    points: Positive
    description: Text = ""


Rubric = Annotated[
    list[Criterion], unique(lambda c: c.criterion, "criterion", lambda c: c.criterion)
]


def rubric_to_model(rows: list[Criterion]) -> list[dict]:
    return [
        {"criterion": row.criterion, "points": str(row.points)}
        | ({"description": row.description} if row.description else {})
        for row in rows
    ]


def rubric_to_file(rubric: list[dict]) -> list[dict]:
    return [
        {"criterion": row["criterion"], "points": str(row["points"])}
        | ({"description": row["description"]} if row.get("description") else {})
        for row in rubric
    ]


class Part(FileModel):
    """One source of a component with several: ``{source: reviews, weight: "50"}``."""

    model_config = ConfigDict(title="a part")

    source: choice(ComponentSource)
    weight: Number


Parts = Annotated[list[Part], unique(lambda p: p.source, "source", lambda p: p.source)]


class Component(FileModel):
    model_config = ConfigDict(title="a component")

    name: text_of(GradeComponent, "name")
    group: text_of(GradeComponent, "group") = ""
    weight: Number
    bonus: Flag = False
    source: choice(ComponentSource) | None = None  # "several" (or left out) with parts
    parts: Parts = []  # several sources weighted inside, adding up to 100
    max_points: Positive = Decimal("100")
    published: Flag = False
    order: whole(0) | None = None  # left out: its place in the list

    @model_validator(mode="after")
    def _one_source_or_parts(self):
        several = ComponentSource.SEVERAL
        if self.parts and self.source not in (None, several):
            raise invalid("a component with parts has source 'several' (or none).", "source")
        if not self.parts and self.source in (None, several):
            raise invalid("give its source, or its parts (each a source and a weight).", "source")
        if self.parts and self.bonus:
            raise invalid("a bonus component has one source, not parts.", "parts")
        for part in self.parts:
            if part.source in (several, ComponentSource.BONUS_REVIEWS):
                raise invalid(f"a part's source cannot be '{part.source}'.", "parts")
        if self.parts:
            self.source = several
        return self


Components = Annotated[list[Component], unique(lambda c: c.name, "name", lambda c: c.name)]


def export_components(course):
    components = list(course.components.prefetch_related("parts"))
    if not components:
        return None
    rows = []
    for c in components:
        row = {
            "name": c.name,
            "group": c.group,
            "weight": _number(c.weight),
            "bonus": c.is_bonus,
            "source": c.source,
            "max_points": _number(c.max_points),
            "published": c.published,
            "order": c.order,
        }
        parts = list(c.parts.all())
        if parts:
            row["parts"] = [{"source": p.source, "weight": _number(p.weight)} for p in parts]
        rows.append(row)
    return rows


def _number(value: Decimal) -> str:
    # "35" rather than "35.00": the file is edited by hand.
    text = format(value.normalize(), "f")
    return text


def load_components(course, data) -> None:
    entries = parse(Components, data, KEY)
    existing = {c.name: c for c in course.components.all()}
    wanted = []
    for i, entry in enumerate(entries):
        problem = parts_problem(entry.parts) if entry.parts else ""
        if problem:
            raise CourseFileError(f"{KEY}[{i}].parts", problem)
        component = existing.get(entry.name) or GradeComponent(course=course, name=entry.name)
        component.group, component.weight = entry.group, entry.weight
        component.is_bonus, component.source = entry.bonus, entry.source
        component.max_points, component.published = entry.max_points, entry.published
        component.order = i if entry.order is None else entry.order
        check(component, f"{KEY}[{i}]", {"is_bonus": "bonus"}, exclude=["course"])
        wanted.append(component)
    problem = weights_problem(course, wanted)
    if problem:
        raise CourseFileError(KEY, problem)

    names = {component.name for component in wanted}
    for name, component in existing.items():
        if name in names:
            continue
        users = _references(component)
        if users:
            raise CourseFileError(
                KEY,
                f"“{component.name}” is not in the file but {users} refer to it; "
                "put it back in the file, or remove those first.",
            )
        component.delete()
    for component, entry in zip(wanted, entries, strict=True):
        component.save()
        kept = []
        for order, row in enumerate(entry.parts):
            part, _ = ComponentPart.objects.update_or_create(
                component=component, source=row.source,
                defaults={"weight": row.weight, "order": order},
            )  # fmt: skip
            kept.append(part.pk)
        ComponentPart.objects.filter(component=component).exclude(pk__in=kept).delete()


def _references(component) -> str:
    """What refers to this component ("3 manual scores, 1 milestone"), or ""."""
    found = []
    for relation in component._meta.related_objects:
        model = relation.related_model
        if model is ComponentPart:
            continue  # its own parts go with it
        count = model._default_manager.filter(**{relation.field.name: component}).count()
        if count:
            noun = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            found.append(f"{count} {noun}")
    return ", ".join(found)


SECTION = Section(KEY, 20, export_components, load_components)

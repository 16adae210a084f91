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

from decimal import Decimal, InvalidOperation

from courses.coursefile import CourseFileError, Section
from grading.engine import weights_problem
from grading.models import ComponentSource, GradeComponent

KEY = "components"
FIELDS = {"name", "group", "weight", "bonus", "source", "max_points", "published", "order"}


def export_components(course):
    components = list(course.components.all())
    if not components:
        return None
    return [
        {
            "name": c.name,
            "group": c.group,
            "weight": _number(c.weight),
            "bonus": c.is_bonus,
            "source": c.source,
            "max_points": _number(c.max_points),
            "published": c.published,
            "order": c.order,
        }
        for c in components
    ]


def _number(value: Decimal) -> str:
    # "35" rather than "35.00": the file is edited by hand.
    text = format(value.normalize(), "f")
    return text


def _decimal(path, value, *, positive=False) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise CourseFileError(path, f"{value!r} is not a number.") from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise CourseFileError(
            path, f"{value!r} must be a {'positive' if positive else 'non-negative'} number."
        )
    return number


def _bool(path, value, default=False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise CourseFileError(path, "must be true or false.")
    return value


def load_components(course, data) -> None:
    if data is None:
        data = []
    if not isinstance(data, list):
        raise CourseFileError(KEY, "must be a list of components.")
    wanted: dict[str, dict] = {}
    for index, entry in enumerate(data):
        path = f"{KEY}[{index}]"
        if not isinstance(entry, dict):
            raise CourseFileError(path, "must be a mapping with name, weight and source.")
        unknown = set(entry) - FIELDS
        if unknown:
            raise CourseFileError(
                path,
                f"unknown key(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(FIELDS))}.",
            )
        name = str(entry.get("name") or "").strip()
        if not name:
            raise CourseFileError(f"{path}.name", "a component needs a name.")
        if name in wanted:
            raise CourseFileError(f"{path}.name", f"“{name}” appears twice.")
        if "weight" not in entry:
            raise CourseFileError(f"{path}.weight", "a component needs a weight (percent).")
        source = entry.get("source")
        if source not in ComponentSource.values:
            raise CourseFileError(
                f"{path}.source", f"{source!r} is not one of {', '.join(ComponentSource.values)}."
            )
        order = entry.get("order", index)
        if not isinstance(order, int) or order < 0:
            raise CourseFileError(f"{path}.order", "must be a non-negative whole number.")
        wanted[name] = {
            "group": str(entry.get("group") or ""),
            "weight": _decimal(f"{path}.weight", entry["weight"]),
            "is_bonus": _bool(f"{path}.bonus", entry.get("bonus")),
            "source": source,
            "max_points": _decimal(
                f"{path}.max_points", entry.get("max_points", "100"), positive=True
            ),
            "published": _bool(f"{path}.published", entry.get("published")),
            "order": order,
        }
    problem = weights_problem(course, [GradeComponent(**v) for v in wanted.values()])
    if problem:
        raise CourseFileError(KEY, problem)

    for component in course.components.exclude(name__in=list(wanted)):
        users = _references(component)
        if users:
            raise CourseFileError(
                KEY,
                f"“{component.name}” is not in the file but {users} refer to it; "
                "put it back in the file, or remove those first.",
            )
        component.delete()
    for name, values in wanted.items():
        GradeComponent.objects.update_or_create(course=course, name=name, defaults=values)


def _references(component) -> str:
    """What refers to this component ("3 manual scores, 1 milestone"), or ""."""
    found = []
    for relation in component._meta.related_objects:
        model = relation.related_model
        count = model._default_manager.filter(**{relation.field.name: component}).count()
        if count:
            noun = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            found.append(f"{count} {noun}")
    return ", ".join(found)


SECTION = Section(KEY, 20, export_components, load_components)

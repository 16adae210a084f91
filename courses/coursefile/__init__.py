"""The one-file course format (YAML): import and export.

The package, by concept:

- here: the file itself (YAML in and out), the sections, the import's transaction;
- ``schema``: what every section's schema is built from (base model, field types, errors);
- ``schedule``: the course's own part (``course``, ``sessions``): its schema and export;
- ``sessions``: the schedule applied in place (sessions, papers, readings).

Apps that depend on courses add their own top-level sections (review kinds,
milestones, grade components) as ``coursefile_sections`` in their hooks module
(courses.plugins); courses never imports them. Every section is declared once as a
schema in its own app and loaded in two steps: parse (the schema), then apply (the ORM,
inside the import's transaction).

Times of day are "HH:MM" strings and instants are local "YYYY-MM-DD HH:MM"
strings in the course time zone, so the file reads like the syllabus and a
date shift (demo, clone) keeps every wall-clock time across DST changes.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import yaml
from django.db import transaction

from courses import plugins, yamlfile
from courses.coursefile import schedule, sessions
from courses.coursefile.schedule import ImportResult
from courses.coursefile.schema import (
    CourseFileError,
    format_instant,
    format_time,
    index_lines,
    locate,
)
from courses.models import Course
from courses.plugins import schedule_changed

__all__ = [
    "CourseFileError",
    "ImportResult",
    "Section",
    "dump",
    "export_course",
    "export_data",
    "format_instant",
    "format_time",
    "import_course",
    "import_data",
    "parse",
    "sections",
    "shift_dates",
]


@dataclass(frozen=True)
class Section:
    key: str  # top-level key in the file
    order: int  # import order: lower first (schedule is 10, components 20, reviews 30, projects 40)
    export: Callable[
        [Any], Any
    ]  # (course) -> plain data (dicts, lists, str, int, bool), or None to omit
    load: Callable[
        [Any, Any], None
    ]  # (course, data) -> None; raises CourseFileError; runs in the import's transaction


def sections() -> list[Section]:
    """Every app's ``coursefile_sections`` (courses.plugins), in import order."""
    return sorted(plugins.flattened("coursefile_sections"), key=lambda s: s.order)


SCHEDULE_KEYS = ("course", "sessions")


# ---------------------------------------------------------------- parsing


def parse(text: str) -> tuple[dict, dict[str, int]]:
    """The file's data and a map from paths ("sessions[2].date") to 1-based line numbers."""
    try:
        data, node = yamlfile.load(text)
    except yamlfile.YAMLSyntaxError as exc:
        raise CourseFileError("(file)", exc.message, line=exc.line) from None
    if not isinstance(data, dict):
        raise CourseFileError("(file)", "a course file is a mapping with a 'course' key.", line=1)
    lines: dict[str, int] = {}
    index_lines(node, "", lines)
    return data, lines


# ---------------------------------------------------------------- export


def export_data(course: Course) -> dict:
    """The whole course as plain data, in file order."""
    data: dict[str, Any] = schedule.export(course)
    for section in sections():
        value = section.export(course)
        if value is not None:
            data[section.key] = value
    return data


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list_representer(dumper, value):
    # Short rows of plain values ([letter, bound] pairs) read best on one line.
    flow = len(value) <= 4 and all(isinstance(v, str | int | float) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow or None)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(list, _list_representer)


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


def export_course(course: Course) -> str:
    """The course file's text."""
    return dump(export_data(course))


# ---------------------------------------------------------------- import


def import_course(text: str, *, code: str | None = None, dry_run: bool = False) -> ImportResult:
    """Create or update a course from a course file's text, all or nothing.

    ``code`` overrides the file's course code (used by clone_course).
    Raises CourseFileError (with the line where it can be found) and changes nothing then.
    ``dry_run`` runs the whole import and rolls it back: the result says what it would do.
    """
    data, lines = parse(text)
    return import_data(data, code=code, lines=lines, dry_run=dry_run)


class _RolledBack(Exception):
    def __init__(self, result: ImportResult):
        self.result = result


def import_data(
    data: dict, *, code: str | None = None, lines=None, dry_run: bool = False
) -> ImportResult:
    try:
        with transaction.atomic():
            result = _import(data, code, lines)
            if dry_run:
                # One code path: the dry run is the import itself, undone.
                result.dry_run = True
                raise _RolledBack(result)
    except _RolledBack as rolled_back:
        return rolled_back.result
    except CourseFileError as exc:
        # An error from a section or from the ORM step is located here, by its path.
        raise locate(exc, lines or {}) from None
    return result


def _import(data: dict, code_override: str | None, lines) -> ImportResult:
    known = set(SCHEDULE_KEYS) | {s.key for s in sections()}
    for key in data:
        if key not in known:
            raise CourseFileError(
                str(key), f"unknown section (expected one of: {', '.join(sorted(known))})."
            )
    parsed = schedule.parse_schedule(data, lines)
    course, created = schedule.load_course(parsed.course, code_override)
    result = ImportResult(course=course, created=created)
    sessions.load_sessions(course, parsed.sessions, result)
    schedule_changed(course)
    for section in sections():
        if section.key in data:
            try:
                section.load(course, data[section.key])
            except CourseFileError as exc:
                path = exc.path
                if not path.startswith(section.key):
                    path = f"{section.key}{'' if path.startswith('[') else '.'}{path}"
                raise CourseFileError(path, exc.message, exc.line) from None
    return result


# ------------------------------------------------------------ date shifting

_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})([ T]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2}|Z)?)?$")


def shift_dates(data, days: int):
    """A copy of ``data`` with every date and date-time moved by ``days``.

    Generic on purpose: it walks the whole file (every registered section too)
    and shifts date objects, datetime objects and ISO date / "date time"
    strings, keeping times of day. Durations and relative policies ("1 day
    before at 23:59") are not dates and stay as they are.
    """
    delta = timedelta(days=days)
    if isinstance(data, dict):
        return {key: shift_dates(value, days) for key, value in data.items()}
    if isinstance(data, list):
        return [shift_dates(value, days) for value in data]
    if isinstance(data, datetime | date):
        return data + delta
    if isinstance(data, str):
        match = _ISO.match(data.strip())
        if match:
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                return data
            return (day + delta).isoformat() + (match.group(2) or "")
    return data

"""The one-file course format (YAML): import and export.

The schedule part (course settings, sessions, papers, readings) lives here.
Apps that depend on courses add their own top-level sections (review kinds,
milestones, grade components) as ``coursefile_sections`` in their hooks module
(courses.plugins); courses never imports them.

Times of day are "HH:MM" strings and instants are local "YYYY-MM-DD HH:MM"
strings in the course time zone, so the file reads like the syllabus and a
date shift (demo, clone) keeps every wall-clock time across DST changes.
"""

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction

from courses import plugins, yamlfile
from courses.models import (
    Course,
    Paper,
    PresentsBy,
    Reading,
    Session,
    SessionKind,
)
from courses.models.course import validate_letter_scale, validate_time_zone
from courses.plugins import schedule_changed


class CourseFileError(Exception):
    """A problem in a course file, located by its path (e.g. "sessions[3].readings[0].title")."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.message = message
        self.line = line
        where = f"line {line}, " if line else ""
        if path == "(file)":  # the file's syntax: a line, no field to name
            super().__init__(f"line {line}: {message}" if line else message)
        else:
            super().__init__(f"{where}{path}: {message}")


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
SESSION_KEYS = {"date", "start", "kind", "topic", "title", "notes", "readings"}
READING_KEYS = {
    "title",
    "authors",
    "venue",
    "year",
    "url",
    "placeholder",
    "optional",
    "presented_by_instructor",
}
PAPER_FIELDS = {"authors": "authors", "venue": "venue", "year": "year", "url": "url"}


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
    _index_lines(node, "", lines)
    return data, lines


def _index_lines(node, path: str, lines: dict[str, int]) -> None:
    if node is None:
        return
    lines.setdefault(path or "(file)", node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = f"{path}.{key_node.value}" if path else str(key_node.value)
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, f"{path}[{i}]", lines)


def _line_for(path: str, lines: dict[str, int]) -> int | None:
    # The nearest enclosing path with a known line.
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            return lines.get(path)
        path = path[:cut]
    return None


# ------------------------------------------------------------ value helpers


def _str(value, path, *, required=False, max_length=None) -> str:
    if value is None:
        if required:
            raise CourseFileError(path, "is required.")
        return ""
    if isinstance(value, bool | dict | list):
        raise CourseFileError(path, f"must be text, not {value!r}.")
    value = str(value).strip()
    if required and not value:
        raise CourseFileError(path, "is required.")
    if max_length and len(value) > max_length:
        raise CourseFileError(path, f"is longer than {max_length} characters.")
    return value


def _bool(value, path, default=False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise CourseFileError(path, f"must be true or false, not {value!r}.")
    return value


def _int(value, path, *, minimum=None, allow_none=True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise CourseFileError(path, f"must be a whole number, not {value!r}.")
    if minimum is not None and value < minimum:
        raise CourseFileError(path, f"must be at least {minimum}.")
    return value


def _date(value, path) -> date:
    if isinstance(value, datetime):
        raise CourseFileError(path, f"must be a date (YYYY-MM-DD), not {value!r}.")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise CourseFileError(
            path, f"must be a date (YYYY-MM-DD), not {value!r}{_why(exc)}."
        ) from None


def _why(exc: ValueError) -> str:
    # "2027-02-30": the shape of a date, not a day of the calendar; Python says which part.
    return "" if str(exc).startswith("Invalid isoformat") else f": {exc}"


def _time(value, path) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 10:30 as the base-60 number 630.
        hours, minutes = divmod(value, 60)
        if 0 <= hours < 24:
            return time(hours, minutes)
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise CourseFileError(path, f'must be a time of day ("HH:MM"), not {value!r}.') from None


def _instant(value, path, tz) -> datetime | None:
    """A local "YYYY-MM-DD HH:MM" in the course time zone (or with an explicit offset)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise CourseFileError(
                path, f'must be a date and time ("YYYY-MM-DD HH:MM"), not {value!r}{_why(exc)}.'
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def format_instant(value: datetime | None, tz) -> str | None:
    if value is None:
        return None
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def format_time(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _mapping(value, path) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CourseFileError(path, "must be a mapping (key: value lines).")
    return value


def _list(value, path) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CourseFileError(path, "must be a list (lines starting with '-').")
    return value


def _unknown(data: dict, allowed, path: str) -> None:
    for key in data:
        if key not in allowed:
            raise CourseFileError(
                f"{path}.{key}", f"unknown field (expected one of: {', '.join(sorted(allowed))})."
            )


# ---------------------------------------------------------------- export


def export_data(course: Course) -> dict:
    """The whole course as plain data, in file order."""
    tz = course.tz
    settings = {
        "code": course.code,
        "title": course.title,
        "term": course.term,
        "institution": course.institution,
        "description": course.description,
        "time_zone": course.time_zone,
        "default_start_time": format_time(course.default_start_time),
        "session_minutes": course.session_minutes,
        "location": course.location,
    }
    if course.uses_claims:
        settings["claims"] = {
            "opens": format_instant(course.claims_open_at, tz),
            "closes": format_instant(course.claims_close_at, tz),
            "presents_by": course.presents_by,
            "presenters_per_reading": course.presenters_per_reading,
            "claims_per_presenter": course.claims_per_presenter,
            "slides_due_hours": course.slides_due_hours,
        }
    if course.uses_projects or course.team_deadline:
        settings["teams"] = {
            "min_size": course.team_min_size,
            "max_size": course.team_max_size,
            "deadline": format_instant(course.team_deadline, tz),
        }
    settings["letter_scale"] = [[str(letter), str(bound)] for letter, bound in course.letter_scale]

    readings_by_session: dict[int, list[Reading]] = {}
    for reading in Reading.objects.filter(course=course).select_related("paper"):
        readings_by_session.setdefault(reading.session_id, []).append(reading)
    sessions = []
    for session in course.sessions.all():
        row: dict[str, Any] = {"date": session.date}
        if session.start_time:
            row["start"] = format_time(session.start_time)
        if session.kind != SessionKind.REGULAR:
            row["kind"] = session.kind
        for key in ("topic", "title", "notes"):
            if getattr(session, key):
                row[key] = getattr(session, key)
        readings = sorted(readings_by_session.get(session.pk, []), key=lambda r: (r.order, r.pk))
        if readings:
            row["readings"] = [_export_reading(r) for r in readings]
        sessions.append(row)

    data: dict[str, Any] = {"course": settings, "sessions": sessions}
    for section in sections():
        value = section.export(course)
        if value is not None:
            data[section.key] = value
    return data


def _export_reading(reading: Reading) -> dict:
    paper = reading.paper
    row: dict[str, Any] = {"title": paper.title}
    for key, field in PAPER_FIELDS.items():
        value = getattr(paper, field)
        if value not in ("", None):
            row[key] = value
    if paper.is_placeholder:
        row["placeholder"] = True
    if not reading.required:
        row["optional"] = True
    if reading.presented_by_instructor:
        row["presented_by_instructor"] = True
    return row


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


@dataclass
class ImportResult:
    course: Course
    created: bool
    sessions_added: int = 0
    sessions_removed: int = 0
    readings_added: int = 0
    readings_moved: int = 0
    readings_removed: int = 0
    dry_run: bool = False
    # What the import changed, one line each ('moves “X” from Tue Oct 7 to Thu Oct 9: …').
    changes: list[str] = dataclasses.field(default_factory=list)
    # Readings moved to another date that have presenters: (reading, old date, new date).
    moves: list[tuple[Reading, date, date]] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        verb = "created" if self.created else "updated"
        if self.dry_run:
            verb = f"would be {verb} (dry run: nothing was changed)"
        return (
            f"{self.course.code} {verb}: sessions +{self.sessions_added} -{self.sessions_removed}, "
            f"readings +{self.readings_added} -{self.readings_removed}, "
            f"{self.readings_moved} moved"
        )


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
    lines = lines or {}
    try:
        with transaction.atomic():
            result = _import(data, code)
            if dry_run:
                # One code path: the dry run is the import itself, undone.
                result.dry_run = True
                raise _RolledBack(result)
    except _RolledBack as rolled_back:
        return rolled_back.result
    except CourseFileError as exc:
        if exc.line is None:
            exc = CourseFileError(exc.path, exc.message, _line_for(exc.path, lines))
        raise exc from None
    return result


def _import(data: dict, code_override: str | None) -> ImportResult:
    known = set(SCHEDULE_KEYS) | {s.key for s in sections()}
    for key in data:
        if key not in known:
            raise CourseFileError(
                str(key), f"unknown section (expected one of: {', '.join(sorted(known))})."
            )
    course, created = _load_course(_mapping(data.get("course"), "course"), code_override)
    result = ImportResult(course=course, created=created)
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {READING_ORDER_CONSTRAINT} DEFERRED")
    _load_schedule(course, _list(data.get("sessions"), "sessions"), result)
    # The deferred "order unique within a session" is checked now, so a violation
    # surfaces here, located, rather than at some later commit.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {READING_ORDER_CONSTRAINT} IMMEDIATE")
    except IntegrityError as exc:
        raise CourseFileError("sessions", f"the schedule breaks a rule: {exc}") from None
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


READING_ORDER_CONSTRAINT = "reading_order_unique_in_session"

COURSE_KEYS = {
    "code",
    "title",
    "term",
    "institution",
    "description",
    "time_zone",
    "default_start_time",
    "session_minutes",
    "location",
    "claims",
    "teams",
    "letter_scale",
}


def _load_course(data: dict, code_override: str | None) -> tuple[Course, bool]:
    _unknown(data, COURSE_KEYS, "course")
    code = code_override or _str(data.get("code"), "course.code", required=True, max_length=40)
    if not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
        raise CourseFileError("course.code", f"{code!r} may use only letters, digits, - and _.")
    course = Course.objects.select_for_update().filter(code=code).first()
    created = course is None
    course = course or Course(code=code)

    course.title = _str(data.get("title"), "course.title", required=True, max_length=200)
    course.term = _str(data.get("term"), "course.term", required=True, max_length=60)
    course.institution = _str(data.get("institution"), "course.institution", max_length=120)
    course.description = _str(data.get("description"), "course.description")
    course.location = _str(data.get("location"), "course.location", max_length=120)
    tz_name = _str(data.get("time_zone") or "America/Los_Angeles", "course.time_zone")
    try:
        validate_time_zone(tz_name)
    except ValidationError as exc:
        raise CourseFileError("course.time_zone", exc.messages[0]) from None
    course.time_zone = tz_name
    tz = course.tz
    course.default_start_time = _time(
        data.get("default_start_time"), "course.default_start_time"
    ) or time(10, 30)
    minutes = _int(data.get("session_minutes"), "course.session_minutes", minimum=1)
    course.session_minutes = minutes or 80

    claims = _mapping(data.get("claims"), "course.claims")
    _unknown(
        claims,
        {
            "opens",
            "closes",
            "presents_by",
            "presenters_per_reading",
            "claims_per_presenter",
            "slides_due_hours",
        },
        "course.claims",
    )
    course.claims_open_at = _instant(claims.get("opens"), "course.claims.opens", tz)
    course.claims_close_at = _instant(claims.get("closes"), "course.claims.closes", tz)
    if course.claims_close_at and not course.claims_open_at:
        raise CourseFileError("course.claims.opens", "is required when the window closes.")
    if (
        course.claims_open_at
        and course.claims_close_at
        and course.claims_close_at <= course.claims_open_at
    ):
        raise CourseFileError("course.claims.closes", "must be after the window opens.")
    presents_by = claims.get("presents_by") or PresentsBy.STUDENT
    if presents_by not in PresentsBy.values:
        raise CourseFileError(
            "course.claims.presents_by", f"must be one of {', '.join(PresentsBy.values)}."
        )
    course.presents_by = presents_by
    course.presenters_per_reading = (
        _int(
            claims.get("presenters_per_reading"), "course.claims.presenters_per_reading", minimum=1
        )
        or 2
    )
    course.claims_per_presenter = (
        _int(claims.get("claims_per_presenter"), "course.claims.claims_per_presenter", minimum=1)
        or 1
    )
    course.slides_due_hours = _int(claims.get("slides_due_hours"), "course.claims.slides_due_hours")

    teams = _mapping(data.get("teams"), "course.teams")
    _unknown(teams, {"min_size", "max_size", "deadline"}, "course.teams")
    course.team_min_size = _int(teams.get("min_size"), "course.teams.min_size", minimum=1)
    course.team_max_size = _int(teams.get("max_size"), "course.teams.max_size", minimum=1)
    if (
        course.team_min_size
        and course.team_max_size
        and course.team_max_size < course.team_min_size
    ):
        raise CourseFileError("course.teams.max_size", "must be at least min_size.")
    course.team_deadline = _instant(teams.get("deadline"), "course.teams.deadline", tz)

    if "letter_scale" in data:
        scale = data["letter_scale"]
        try:
            validate_letter_scale(scale)
        except ValidationError as exc:
            raise CourseFileError("course.letter_scale", exc.messages[0]) from None
        course.letter_scale = [[str(letter), str(bound)] for letter, bound in scale]
    course.save()
    return course, created


@dataclass
class _SessionRow:
    path: str
    date: date
    start: time | None
    kind: str
    topic: str
    title: str
    notes: str
    readings: list


@dataclass
class _ReadingRow:
    path: str
    title: str
    paper: dict
    placeholder: bool
    required: bool
    presented_by_instructor: bool


def _parse_sessions(rows: list) -> list[_SessionRow]:
    parsed = []
    seen_keys: dict[tuple, str] = {}
    seen_titles: dict[str, str] = {}
    for i, raw in enumerate(rows):
        path = f"sessions[{i}]"
        raw = _mapping(raw, path)
        _unknown(raw, SESSION_KEYS, path)
        if "date" not in raw:
            raise CourseFileError(f"{path}.date", "is required.")
        row = _SessionRow(
            path=path,
            date=_date(raw["date"], f"{path}.date"),
            start=_time(raw.get("start"), f"{path}.start"),
            kind=raw.get("kind") or SessionKind.REGULAR,
            topic=_str(raw.get("topic"), f"{path}.topic", max_length=120),
            title=_str(raw.get("title"), f"{path}.title", max_length=200),
            notes=_str(raw.get("notes"), f"{path}.notes"),
            readings=[],
        )
        if row.kind not in SessionKind.values:
            raise CourseFileError(
                f"{path}.kind", f"must be one of {', '.join(SessionKind.values)}, not {row.kind!r}."
            )
        key = (row.date, row.start)
        if key in seen_keys:
            raise CourseFileError(
                f"{path}.date",
                f"a session on {row.date} at this time is already at {seen_keys[key]}.",
            )
        seen_keys[key] = path
        for j, item in enumerate(_list(raw.get("readings"), f"{path}.readings")):
            rpath = f"{path}.readings[{j}]"
            item = _mapping(item, rpath)
            _unknown(item, READING_KEYS, rpath)
            title = _str(item.get("title"), f"{rpath}.title", required=True, max_length=300)
            folded = title.casefold()
            if folded in seen_titles:
                raise CourseFileError(
                    f"{rpath}.title",
                    f"{title!r} is already read at {seen_titles[folded]}; a paper is read at most once per course.",
                )
            seen_titles[folded] = rpath
            paper = {}
            for key, field in PAPER_FIELDS.items():
                if key in item:
                    if key == "year":
                        paper[field] = _int(item[key], f"{rpath}.year", minimum=1)
                    else:
                        paper[field] = _str(
                            item[key], f"{rpath}.{key}", max_length=500 if key != "venue" else 120
                        )
            if paper.get("url") and not re.match(r"https?://", paper["url"]):
                raise CourseFileError(f"{rpath}.url", "must start with http:// or https://.")
            row.readings.append(
                _ReadingRow(
                    path=rpath,
                    title=title,
                    paper=paper,
                    placeholder=_bool(item.get("placeholder"), f"{rpath}.placeholder"),
                    required=not _bool(item.get("optional"), f"{rpath}.optional"),
                    presented_by_instructor=_bool(
                        item.get("presented_by_instructor"), f"{rpath}.presented_by_instructor"
                    ),
                )
            )
        parsed.append(row)
    return parsed


def dependents_of(objects, *, ignore=(), only=None) -> dict[int, list[str]]:
    """For each object (all one model), what rows in other tables point at it.

    Generic over every reverse relation, so models added later (reviews with a
    PROTECT foreign key, say) count without changes here. One query per relation.
    Relations that let go (SET_NULL: the row stays, as a claim event does) never
    count; ``only`` maps a model to the Q its rows must match to count.
    """
    only = only or {}
    objects = list(objects)
    if not objects:
        return {}
    model = type(objects[0])
    found: dict[int, list[str]] = {}
    pks = [obj.pk for obj in objects]
    for rel in model._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one) or rel.related_model in ignore:
            continue
        if rel.on_delete is models.SET_NULL:
            continue
        field = rel.field
        counts: dict[int, int] = {}
        rows = rel.related_model._base_manager.filter(**{f"{field.name}__in": pks})
        if rel.related_model in only:
            rows = rows.filter(only[rel.related_model])
        for pk in rows.values_list(field.attname, flat=True):
            counts[pk] = counts.get(pk, 0) + 1
        for pk, n in counts.items():
            name = (
                rel.related_model._meta.verbose_name
                if n == 1
                else rel.related_model._meta.verbose_name_plural
            )
            found.setdefault(pk, []).append(f"{n} {name}")
    return found


def _load_schedule(course: Course, rows: list, result: ImportResult) -> None:
    parsed = _parse_sessions(rows)

    existing_sessions = list(course.sessions.select_for_update())
    by_key = {(s.date, s.start_time): s for s in existing_sessions}
    matched: dict[str, Session] = {}
    used: set[int] = set()
    for row in parsed:
        session = by_key.get((row.date, row.start))
        if session is None:
            # Same date, a start time added or dropped: still the same meeting.
            same_day = [
                s
                for s in existing_sessions
                if s.date == row.date
                and s.pk not in used
                and (s.date, s.start_time) not in {(r.date, r.start) for r in parsed}
            ]
            session = same_day[0] if len(same_day) == 1 else None
        if session is not None and session.pk not in used:
            used.add(session.pk)
            matched[row.path] = session

    existing_readings = list(
        Reading.objects.select_for_update().filter(course=course).select_related("paper", "session")
    )
    readings_by_title = {r.paper.title.casefold(): r for r in existing_readings}
    wanted_titles = {rr.title.casefold() for row in parsed for rr in row.readings}

    # Refuse before touching anything when a removal would lose work.
    removed_readings = [
        r for r in existing_readings if r.paper.title.casefold() not in wanted_titles
    ]
    # Apps say which of their rows are work (a withdrawn claim is history, not work).
    blocked = dependents_of(removed_readings, only=plugins.merged("reading_work"))
    if blocked:
        names = "; ".join(
            f'"{r.paper.title}" ({", ".join(blocked[r.pk])})'
            for r in removed_readings
            if r.pk in blocked
        )
        raise CourseFileError(
            "sessions",
            f"the file drops readings that have work attached: {names}. "
            "Keep them in the file (move them to another session if needed) "
            "or remove that work first. Nothing was changed.",
        )
    removed_sessions = [s for s in existing_sessions if s.pk not in used]
    # Readings are handled above (moved or removed); anything else on a session counts.
    session_blocked = dependents_of(removed_sessions, ignore=(Reading,))
    for session in removed_sessions:
        other = session_blocked.get(session.pk)
        if other:
            raise CourseFileError(
                "sessions",
                f"the file drops the session of {session.date:%a %Y-%m-%d} "
                f"({session.title or session.topic or session.kind}), which has "
                f"{', '.join(other)}. Nothing was changed.",
            )

    # Apply: sessions, then readings (moved in place, so everything attached moves too).
    # Each change is listed, one line each, for --dry-run and the log.
    note = result.changes.append
    session_for: dict[str, Session] = {}
    for row in parsed:
        session = matched.get(row.path) or Session(course=course)
        is_new = session.pk is None
        session.date, session.start_time, session.kind = row.date, row.start, row.kind
        session.topic, session.title, session.notes = row.topic, row.title, row.notes
        session.save()
        result.sessions_added += is_new
        if is_new:
            note(f"adds the session of {_day(session.date)} ({_session_label(session)})")
        session_for[row.path] = session

    _remove_readings(removed_readings, note)
    result.readings_removed += len(removed_readings)

    moved: list[tuple[Reading, Session]] = []
    for row in parsed:
        session = session_for[row.path]
        for order, rr in enumerate(row.readings, start=1):
            reading = readings_by_title.get(rr.title.casefold())
            if reading is None:
                paper = _paper_for(course, rr)
                reading = Reading(paper=paper)
                result.readings_added += 1
                note(f"adds “{paper.title}” to {_day(session.date)}")
            else:
                _update_paper(reading.paper, rr)
                if reading.session_id != session.pk:
                    result.readings_moved += 1
                    moved.append((reading, reading.session))
            reading.session = session
            reading.required = rr.required
            reading.order = order
            reading.presented_by_instructor = rr.presented_by_instructor
            reading.save()
    _note_moves(moved, note, result)

    for session in removed_sessions:
        note(f"removes the session of {_day(session.date)} ({_session_label(session)})")
        session.delete()
        result.sessions_removed += 1


def _day(day: date) -> str:
    return f"{day:%a %b} {day.day}"  # Tue Oct 7


def _session_label(session: Session) -> str:
    return session.title or session.topic or session.get_kind_display()


def _remove_readings(readings: list[Reading], note) -> None:
    """Delete readings that have no work attached (checked before). Apps keep their
    history first (``readings_removed``: claim events keep the paper's title) and say what
    went with each reading."""
    if not readings:
        return
    said: dict[int, list[str]] = {}
    for found in plugins.call("readings_removed", readings):
        for pk, phrase in found.items():
            said.setdefault(pk, []).append(phrase)
    for reading in readings:
        line = f"removes “{reading.paper.title}” from {_day(reading.session.date)}"
        if said.get(reading.pk):
            line += f" ({'; '.join(said[reading.pk])})"
        note(line)
    for reading in readings:
        reading.delete()


def _note_moves(moved: list[tuple[Reading, Session]], note, result: ImportResult) -> None:
    """Name each moved reading with what moves with it ("claim by Alice Liu, 3 reviews");
    apps that name their own work (``readings_moved``: claims name their holders) say so,
    the rest is counted (and claims tell presenters once the import commits)."""
    if not moved:
        return
    readings = [reading for reading, _ in moved]
    said: dict[int, list[str]] = {}
    named_models: set = set()
    for phrases, models_named in plugins.call("readings_moved", moved):
        named_models.update(models_named)
        for pk, phrase in phrases.items():
            said.setdefault(pk, []).append(phrase)
    attached = dependents_of(readings, ignore=tuple(named_models))
    for reading, old in moved:
        work = said.get(reading.pk, []) + attached.get(reading.pk, [])
        new = reading.session
        line = f"moves “{reading.paper.title}” from {_day(old.date)} to {_day(new.date)}"
        note(line + (f": {', '.join(work)}" if work else ""))
        if old.date != new.date:
            result.moves.append((reading, old.date, new.date))


def _paper_for(course: Course, rr: _ReadingRow) -> Paper:
    """The course's paper with this title (case-insensitive), created if new."""
    paper = Paper.objects.filter(course=course, title__iexact=rr.title).first()
    if paper is None:
        return Paper.objects.create(
            course=course, title=rr.title, is_placeholder=rr.placeholder, **rr.paper
        )
    _update_paper(paper, rr)
    return paper


def _update_paper(paper: Paper, rr: _ReadingRow) -> None:
    # Only fields the file gives are changed: staff may have filled in others.
    changed = False
    for field, value in rr.paper.items():
        if getattr(paper, field) != value:
            setattr(paper, field, value)
            changed = True
    if paper.is_placeholder != rr.placeholder:
        paper.is_placeholder = rr.placeholder
        changed = True
    if changed:
        paper.save()


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

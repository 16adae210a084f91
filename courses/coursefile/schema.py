"""The course file's schema layer: what every section is built from.

Each section of the course file is declared once, as pydantic models in its own app
(courses/coursefile/schedule.py, grading/coursefile.py, reviews/coursefile.py,
projects/coursefile.py); this module gives them the base model, the field types of the
format and the one way an error becomes a located ``CourseFileError``.

Why pydantic (v2, strict) rather than Django forms: the file is nested (sessions hold
readings, review kinds hold a due policy and overrides), and a pydantic error carries the
path of the value it is about (``("sessions", 1, "readings", 0, "year")``), which is the
path the file's line index knows; forms are flat (nesting means formsets of formsets) and
would coerce "yes" to True and 2013.0 to 2013. What the models know (lengths, validators,
``clean()``) is not repeated here: the schema reads lengths off the model fields, and the
loaders call ``full_clean()`` and map its errors to the file's paths (``check``).

The format's rules, the same in every section:

- a key that is null or blank is as if left out (its default applies, or it is required);
- a key no model field names is refused, with the keys that are known;
- booleans are ``true`` / ``false`` only ("yes" is refused); whole numbers are numbers;
- decimals may be strings or numbers ("35" or 35); times of day are "HH:MM" (an unquoted
  10:30, which YAML reads as the base-60 number 630, is accepted too); instants are local
  "YYYY-MM-DD HH:MM" in the course's time zone (an explicit offset is accepted).
"""

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, get_origin

import yaml
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainValidator,
    TypeAdapter,
    ValidationInfo,
    model_validator,
)
from pydantic import ValidationError as SchemaError
from pydantic_core import PydanticCustomError


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


# ------------------------------------------------------------------ lines


def index_lines(node, path: str, lines: dict[str, int]) -> None:
    """Fill ``lines`` with the 1-based line of every path under ``node`` (a YAML node)."""
    if node is None:
        return
    lines.setdefault(path or "(file)", node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = f"{path}.{key_node.value}" if path else str(key_node.value)
            lines[child] = key_node.start_mark.line + 1
            index_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index_lines(item, f"{path}[{i}]", lines)


def line_for(path: str, lines: dict[str, int]) -> int | None:
    """The line of ``path``, or of the nearest enclosing path with a known line."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            return lines.get(path)
        path = path[:cut]
    return None


def locate(error: CourseFileError, lines: dict[str, int]) -> CourseFileError:
    """``error`` with its line, found from its path (unchanged if it has one)."""
    if error.line is not None:
        return error
    return CourseFileError(error.path, error.message, line_for(error.path, lines))


def join(path: str, suffix: str) -> str:
    if not path or not suffix:
        return path or suffix
    return f"{path}{'' if suffix.startswith('[') else '.'}{suffix}"


# ------------------------------------------------------------- the models


def invalid(message: str, at: str = "") -> PydanticCustomError:
    """An error of the file in its own words; ``at`` is a path below the failing value."""
    # The message goes through the context: pydantic formats {name} in a template.
    return PydanticCustomError("coursefile", "{message}", {"message": message, "at": at})


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class FileModel(BaseModel):
    """One mapping of the file. ``title`` in a subclass's config names it in messages
    ("a reading needs a title.")."""

    model_config = ConfigDict(strict=True, extra="forbid", title="this entry")

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data):
        # What extra="forbid" and "field required" would refuse, said with the keys the
        # entry knows; and null or blank values replaced by the field's default.
        if not isinstance(data, dict):
            return data  # pydantic refuses it: "must be a mapping"
        fields = cls.model_fields
        for key in data:
            if key not in fields:
                expected = ", ".join(sorted(fields))
                raise invalid(f"unknown field (expected one of: {expected}).", at=str(key))
        data = dict(data)
        for name, field in fields.items():
            if _empty(data.get(name)):
                if field.is_required():
                    noun = cls.model_config.get("title")
                    raise invalid(f"{noun} needs a {name}.", at=name)
                if name in data:
                    data[name] = field.get_default(call_default_factory=True)
        return data


BUILT_IN = {
    "model_type": "must be a mapping (key: value lines).",
    "model_attributes_type": "must be a mapping (key: value lines).",
    "dict_type": "must be a mapping (key: value lines).",
    "list_type": "must be a list (lines starting with '-').",
    "missing": "is required.",
    "extra_forbidden": "unknown field.",
}


@cache
def _adapter(schema) -> TypeAdapter:
    return TypeAdapter(schema)


def parse(schema, data, path: str = "", *, tz=None, lines: dict[str, int] | None = None):
    """``data`` validated by ``schema`` (a FileModel, or e.g. ``list[Entry]``); instants
    without an offset are in ``tz``. Raises CourseFileError at the first bad value."""
    if data is None and get_origin(schema) is list:
        data = []  # an empty section
    try:
        return _adapter(schema).validate_python(data, context={"tz": tz})
    except SchemaError as exc:
        raise schema_error(exc, path, lines) from None


def schema_error(
    exc: SchemaError, path: str = "", lines: dict[str, int] | None = None
) -> CourseFileError:
    """The first error of a pydantic ValidationError as the file's error: its path in the
    file (under ``path``), its message in the file's words, and its line from the file's
    line index (a section, which has no index, is located by the import: ``locate``)."""
    error = exc.errors()[0]
    for part in error["loc"]:
        path = join(path, f"[{part}]" if isinstance(part, int) else str(part))
    ctx = error.get("ctx") or {}
    path = join(path, ctx.get("at", ""))
    if error["type"] == "coursefile":
        message = ctx["message"]
    else:
        message = BUILT_IN.get(error["type"], error["msg"] + ".")
    return CourseFileError(path, message, line_for(path, lines) if lines else None)


def check(
    instance: models.Model, path: str, fields: dict[str, str] | None = None, **kwargs
) -> None:
    """``instance.full_clean(**kwargs)`` (its field rules and ``clean()``), its first error
    raised as a CourseFileError at the file's path: ``fields`` maps a model field to its key
    in the file where the two differ ("claims_open_at": "claims.opens")."""
    try:
        instance.full_clean(**kwargs)
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        at = "" if field == NON_FIELD_ERRORS else (fields or {}).get(field, field)
        raise CourseFileError(join(path, at), messages[0]) from None


# -------------------------------------------------------------- the types


def _value(validate: Callable) -> PlainValidator:
    return PlainValidator(validate)


def text(max_length: int | None = None):
    """Text; a number is taken as its digits ("title: 2013"). ``max_length`` from the model
    field, e.g. ``text_of(Paper, "venue")``."""

    def validate(value) -> str:
        if isinstance(value, bool | dict | list):
            raise invalid(f"must be text, not {value!r}.")
        value = str(value).strip()
        if max_length and len(value) > max_length:
            raise invalid(f"is longer than {max_length} characters.")
        return value

    return Annotated[str, _value(validate)]


def text_of(model: type[models.Model], field: str):
    return text(model._meta.get_field(field).max_length)


Text = text()


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise invalid(f"must be true or false, not {value!r}.")
    return value


Flag = Annotated[bool, _value(_flag)]


def whole(minimum: int | None = None):
    def validate(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(f"must be a whole number, not {value!r}.")
        if minimum is not None and value < minimum:
            raise invalid(f"must be at least {minimum}.")
        return value

    return Annotated[int, _value(validate)]


Whole = whole()


def _why(exc: ValueError) -> str:
    # "2027-02-30": the shape of a date, not a day of the calendar; Python says which part.
    return "" if str(exc).startswith("Invalid isoformat") else f": {exc}"


def _day(value) -> date:
    if isinstance(value, datetime):
        raise invalid(f"must be a date (YYYY-MM-DD), not {value!r}.")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise invalid(f"must be a date (YYYY-MM-DD), not {value!r}{_why(exc)}.") from None


Day = Annotated[date, _value(_day)]


def _time_of_day(value) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 10:30 as the base-60 number 630.
        hours, minutes = divmod(value, 60)
        if 0 <= hours < 24:
            return time(hours, minutes)
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(f'must be a time of day ("HH:MM"), not {value!r}.') from None


TimeOfDay = Annotated[time, _value(_time_of_day)]

_DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _instant(value, info: ValidationInfo) -> datetime:
    shape = 'must be a date and time ("YYYY-MM-DD HH:MM")'
    if (
        isinstance(value, date)
        and not isinstance(value, datetime)
        or (isinstance(value, str) and _DAY_ONLY.fullmatch(value.strip()))
    ):
        raise invalid(f"{shape}, not {value!r}: give the time as well as the date.")
    try:
        parsed = (
            value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
        )
    except ValueError as exc:
        raise invalid(f"{shape}, not {value!r}{_why(exc)}.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=info.context["tz"])
    return parsed


Instant = Annotated[datetime, _value(_instant)]
"""A local "YYYY-MM-DD HH:MM" in the time zone ``parse`` is given (``tz``); the course's
own settings read theirs from its ``time_zone`` (courses.coursefile.schedule.TimeZone)."""


def number(*, positive: bool = False, at_most: int | None = None):
    """A decimal, 0 or more (more than 0 if ``positive``), written "35", 35 or 12.5."""
    if at_most is not None:
        bound = f"a number from 0 to {at_most}"
    else:
        bound = "a positive number" if positive else "a non-negative number"

    def validate(value) -> Decimal:
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            raise invalid(f"{value!r} is not a number.") from None
        if (
            not result.is_finite()
            or result < 0
            or (positive and result == 0)
            or (at_most is not None and result > at_most)
        ):
            raise invalid(f"{value!r} must be {bound}.")
        return result

    return Annotated[Decimal, _value(validate)]


Number = number()
Positive = number(positive=True)
Percent = number(at_most=100)


def choice(choices: type[models.TextChoices]):
    """One of a model's choices, by value."""

    def validate(value) -> str:
        if value not in choices.values:
            raise invalid(f"{value!r} is not one of: {', '.join(choices.values)}.")
        return value

    return Annotated[str, _value(validate)]


def validated_by(validator: Callable[[Any], None], convert: Callable | None = None):
    """A value the model's own field validator accepts (e.g. ``validate_time_zone``), its
    message kept; ``convert`` turns it into what the model stores."""

    def validate(value):
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise invalid(" ".join(exc.messages)) from None
        return convert(value) if convert else value

    return _value(validate)


def unique(key: Callable[[Any], Any], field: str, what: Callable[[Any], str]):
    """For a list of entries: each ``key(entry)`` at most once (the second is refused at
    ``[i].field``, with ``what(entry)`` in the message)."""

    def validate(entries: list) -> list:
        seen = set()
        for i, entry in enumerate(entries):
            if key(entry) in seen:
                raise invalid(f"“{what(entry)}” appears twice.", at=f"[{i}].{field}")
            seen.add(key(entry))
        return entries

    return AfterValidator(validate)


def fields_given(entry: FileModel, names: Iterable[str]) -> dict[str, Any]:
    """The named fields the file gives for ``entry`` (blank ones included: they clear)."""
    return {name: getattr(entry, name) for name in names if name in entry.model_fields_set}


# ------------------------------------------------------------ writing back


def format_instant(value: datetime | None, tz) -> str | None:
    """An instant as the file writes it: local "YYYY-MM-DD HH:MM" in ``tz``."""
    if value is None:
        return None
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def format_time(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None

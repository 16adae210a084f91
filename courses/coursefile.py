"""The one-file course format (YAML): import and export.

The schedule part (course settings, sessions, papers, readings) lives here.
Apps that depend on courses add their own top-level sections (review kinds,
milestones, grade components) by registering a ``Section`` in
AppConfig.ready(); courses never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class CourseFileError(Exception):
    """A problem in a course file, located by its path (e.g. "sessions[3].readings[0].title")."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.message = message
        self.line = line
        where = f"line {line}, " if line else ""
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


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    _sections[section.key] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: s.order)

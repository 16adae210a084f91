"""Per-course navigation that apps contribute to without courses importing them.

Apps declare ``nav_items`` in their hooks module (courses.plugins); a course shows only
the items whose ``visible`` says the course uses that feature (OMSCS has no claims board).
"""

from collections.abc import Callable
from dataclasses import dataclass

from courses import plugins


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str  # reversed with the course code as the only argument
    visible: Callable  # (course, role: str | None) -> bool
    order: int = 50


def items_for(course, role) -> list[NavItem]:
    items = plugins.flattened("nav_items")
    return sorted((i for i in items if i.visible(course, role)), key=lambda i: i.order)

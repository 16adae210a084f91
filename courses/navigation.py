"""Per-course navigation that apps contribute to without courses importing them.

Apps register items in their AppConfig.ready(); a course shows only the items
whose ``visible`` says the course uses that feature (OMSCS has no claims board).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str  # reversed with the course code as the only argument
    visible: Callable  # (course, role: str | None) -> bool
    order: int = 50


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)


def items_for(course, role) -> list[NavItem]:
    return sorted((i for i in _items if i.visible(course, role)), key=lambda i: i.order)

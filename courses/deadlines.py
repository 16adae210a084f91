"""What is due, gathered from every app for the dashboard and the calendar feed.

Apps register a provider in AppConfig.ready(): a function (user, courses) ->
iterable of DueItem for that user across those courses. Providers must run a
fixed number of queries whatever the number of courses or items.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class DueItem:
    course: object
    title: str
    due_at: datetime
    url: str = ""
    kind: str = ""  # "review", "milestone", "claims", "slides", "team", …
    done: bool = False
    optional: bool = False  # e.g. a review of an optional reading: never "past due"
    uid: str = field(default="")  # stable id for calendar events

    @property
    def local_due(self) -> datetime:
        return self.due_at.astimezone(self.course.tz)


_providers: list[Callable[..., Iterable[DueItem]]] = []


def register(provider: Callable[..., Iterable[DueItem]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def due_items(user, courses) -> list[DueItem]:
    items: list[DueItem] = []
    for provider in _providers:
        items.extend(provider(user, courses))
    return sorted(items, key=lambda item: item.due_at)

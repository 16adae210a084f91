"""What is due, gathered from every app for the dashboard and the calendar feed.

Apps declare ``due_items(user, courses)`` in their hooks module (courses.plugins):
an iterable of DueItem for that user across those courses, in a fixed number of
queries whatever the number of courses or items.
"""

from dataclasses import dataclass, field
from datetime import datetime

from courses import plugins


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


def due_items(user, courses) -> list[DueItem]:
    items: list[DueItem] = []
    for found in plugins.call("due_items", user, courses):
        items.extend(found)
    return sorted(items, key=lambda item: item.due_at)

"""What awaits the course staff, gathered from every app for the staff's dashboard and
the admin's index: "Grade: 23 reviews of Tue Dec 8", "Grade: 4 Project proposal".

Apps declare ``staff_work(courses, now)`` in their hooks module (courses.plugins): an
iterable of WorkItem for those courses, in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from courses import plugins


@dataclass(frozen=True)
class WorkItem:
    course: object
    label: str
    count: int
    url: str
    order: tuple = ()  # e.g. the session date: oldest first


def course_today(course, now: datetime):
    """The date it is in the course's time zone (sessions are dated locally)."""
    return now.astimezone(course.tz).date()


def staff_work(courses, now: datetime | None = None) -> list[WorkItem]:
    courses = list(courses)
    if not courses:
        return []
    now = now or timezone.now()
    items = [item for found in plugins.call("staff_work", courses, now) for item in found]
    return sorted(items, key=lambda item: (item.course.code, item.order, item.label))


# A date filter in SQL that holds for every course's local date (UTC-12 … UTC+14); the
# exact local cut is made in Python on the few grouped rows.
LATEST_LOCAL = timedelta(days=1)

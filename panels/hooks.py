"""What reviewer panels add to the course core (courses.plugins): the session's reviewer
groups read its readings' digests and get the digest email (``digest_readers``), the
course file's "panels" section, and the sessions a group reviews on its team page."""

from courses.models import Reading
from panels import coursefile
from panels.views import team_page

coursefile_sections = [coursefile.SECTION]


def digest_readers(reading_ids) -> dict[int, set[int]]:
    """{reading id: user ids of the members of its session's reviewer groups}. One query."""
    found: dict[int, set[int]] = {}
    rows = Reading.objects.filter(
        pk__in=list(reading_ids), session__reviewer_groups__team__members__isnull=False
    ).values_list("pk", "session__reviewer_groups__team__members__user")
    for reading_id, user_id in rows:
        found.setdefault(reading_id, set()).add(user_id)
    return found


__all__ = ["team_page"]  # the team page's "Reviewer panels" part

"""What attendance adds to the course core (courses.plugins): the check-in page in the
menu of courses that meet in a room, the "attendance" grade source and the course file's
"attendance" section."""

from attendance import coursefile
from attendance.providers import attendance_scores
from courses.navigation import NavItem
from grading.models import ComponentSource

nav_items = [
    NavItem(
        "Attendance",
        "attendance:attendance",
        # Online courses (no room) have no class to check in to; the page still answers.
        lambda course, role: role is not None and bool(course.location),
        order=20,
    )
]
grade_sources = {ComponentSource.ATTENDANCE: attendance_scores}
coursefile_sections = [coursefile.SECTION]

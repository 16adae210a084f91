"""What teams adds to the course core (courses.plugins): the team page in the menu."""

from courses.models import Role
from courses.navigation import NavItem

nav_items = [
    NavItem(
        "Team",
        "teams:team",
        lambda course, role: course.uses_projects and role == Role.STUDENT,
        order=40,
    )
]

"""What grading adds to the course core (courses.plugins)."""

from courses.models import STAFF_ROLES, Role
from courses.navigation import NavItem
from grading.admin import GradeComponentInline
from grading.coursefile import SECTION
from grading.engine import manual_scores

nav_items = [
    NavItem("Grades", "grading:grades", lambda course, role: role == Role.STUDENT, order=80),
    NavItem("Gradebook", "grading:gradebook", lambda course, role: role in STAFF_ROLES, order=90),
]
grade_sources = {"participation": manual_scores, "manual": manual_scores}
coursefile_sections = [SECTION]
course_admin_inlines = [GradeComponentInline]

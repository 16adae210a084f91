"""What projects adds to the course core (courses.plugins)."""

from courses.models import STAFF_ROLES
from courses.navigation import NavItem
from grading.models import ComponentSource
from projects import coursefile
from projects.models import Milestone
from projects.providers import milestone_deadlines, milestone_scores
from projects.services import send_milestone_reminders
from projects.views import team_page

nav_items = [
    NavItem(
        "Teams",
        "projects:teams",
        lambda course, role: course.uses_projects and role in STAFF_ROLES,
        order=85,
    )
]
due_items = milestone_deadlines
coursefile_sections = [coursefile.SECTION]
grade_sources = {ComponentSource.MILESTONE: milestone_scores}
reminder_senders = {"milestones": send_milestone_reminders}
__all__ = ["team_page"]  # the team page's milestones panel


def schedule_changed(course):
    """Milestones due relative to a session follow it (and versions in are judged again)."""
    Milestone.objects.filter(course=course).sync_due_times()

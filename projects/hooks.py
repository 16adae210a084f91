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


def staff_work(courses, now):
    """Per milestone: teams that submitted and have no points yet. One query; each links
    to the milestone's grading view (team by team) in the admin."""
    from django.db.models import Count, Exists, OuterRef
    from django.template.defaultfilters import pluralize
    from django.urls import reverse

    from courses.staffwork import WorkItem
    from projects.models import MilestoneGrade, Submission

    by_id = {course.pk: course for course in courses}
    graded = MilestoneGrade.objects.filter(
        milestone=OuterRef("milestone"), team=OuterRef("team"), points__isnull=False
    )
    rows = (
        Submission.objects.filter(milestone__course__in=list(by_id))
        .filter(~Exists(graded))
        .values_list("milestone__course_id", "milestone_id", "milestone__name", "milestone__due_at")
        .annotate(teams=Count("team", distinct=True))
        .order_by("milestone__due_at")
    )
    grades = reverse("admin:projects_milestonegrade_grade")
    return [
        WorkItem(
            course=by_id[course_id],
            label=f"Grade: {name}, {teams} team{pluralize(teams)}",
            count=teams,
            url=f"{grades}?milestone={milestone_id}",
            order=(due.date(),),
        )
        for course_id, milestone_id, name, due, teams in rows
    ]


__all__ = ["team_page"]  # the team page's milestones panel


def schedule_changed(course):
    """Milestones due relative to a session follow it (and versions in are judged again)."""
    Milestone.objects.filter(course=course).sync_due_times()

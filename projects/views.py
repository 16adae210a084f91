from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from courses.access import member_required, staff_required
from courses.middleware import arrival
from courses.uploads import MILESTONE_FILES
from grading import notices
from projects.forms import SubmissionForm
from projects.models import (
    Milestone,
    MilestoneAdjustment,
    MilestoneExtension,
    MilestoneGrade,
    Submission,
)
from projects.services import ProjectError, submission_create
from teams.models import Team
from teams.views import require_teams, team_page_response


@dataclass
class MilestoneRow:
    milestone: Milestone
    versions: list = field(default_factory=list)  # newest first
    grade: MilestoneGrade | None = None  # published grades only
    form: SubmissionForm | None = None
    adjustment: MilestoneAdjustment | None = None  # the viewer's own
    is_new: bool = False  # published since the viewer last opened the page

    @property
    def latest(self):
        return self.versions[0] if self.versions else None

    @property
    def points_after_late_policy(self):
        return self.grade.team_points(self.latest) if self.grade else None

    @property
    def your_points(self):
        """What the milestone gives the viewer, as their grades page counts it: the team's
        points after the late policy, then their own adjustment."""
        team_points = self.points_after_late_policy
        if team_points is None or self.adjustment is None:
            return team_points
        return self.adjustment.apply(team_points, self.milestone.max_points)


def team_page(request, course, team, bound=None):
    """The team page's milestones panel (the ``team_page`` hook): each milestone with the
    team's versions, its published grade and a submission form; ``bound`` replaces one
    milestone's form after a failed submit."""
    rows = [MilestoneRow(m) for m in Milestone.objects.for_course(course)]
    by_id = {row.milestone.pk: row for row in rows}
    for extension in MilestoneExtension.objects.filter(team=team, milestone__course=course):
        # The team's own due time: the page, its countdown and its late notes follow it.
        milestone = by_id[extension.milestone_id].milestone
        due = milestone.team_due(extension.due_at)
        if due != milestone.due_at:
            milestone.extended_from, milestone.due_at = milestone.due_at, due
        milestone.extension_reason = extension.reason
    for submission in Submission.objects.for_team(team):
        by_id[submission.milestone_id].versions.append(submission)
    for grade in MilestoneGrade.objects.filter(team=team, published=True):
        if grade.milestone_id in by_id:
            by_id[grade.milestone_id].grade = grade
    by_grade = {row.grade.pk: row for row in rows if row.grade}
    if by_grade and request.user.is_authenticated:
        for adjustment in MilestoneAdjustment.objects.filter(
            grade__in=list(by_grade), student=request.user
        ):
            by_grade[adjustment.grade_id].adjustment = adjustment
        keys = {f"milestone:{pk}": row for pk, row in by_grade.items()}
        new = notices.unseen_keys(request.user, course) & set(keys)
        for key in new:
            keys[key].is_new = True
        if new:
            notices.mark_seen(request.user, course, new)  # seen now: marked new this once
    for row in rows:
        row.milestone.course = course  # spare a query per row for the time zone
        if row.milestone.takes_submissions:
            if getattr(bound, "milestone", None) == row.milestone:
                row.form = bound
            else:
                row.form = SubmissionForm(milestone=row.milestone)
    return {"rows": rows, "team_panels": ["projects/team_milestones.html"]}


@require_POST
@member_required
def submit_view(request, access, milestone_id):
    require_teams(access)
    milestone = get_object_or_404(Milestone, pk=milestone_id, course=access.course)
    form = SubmissionForm(request.POST, request.FILES, milestone=milestone)
    if not form.is_valid():
        return team_page_response(request, access, bound=form, status=400)
    try:
        submission = submission_create(
            milestone=milestone,
            user=request.user,
            link=form.cleaned_data.get("link", ""),
            text=form.cleaned_data.get("text", ""),
            file=form.cleaned_data.get("file"),
            content_type=form.content_type,
            now=arrival(request),
        )
    except ProjectError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return team_page_response(request, access, bound=form, status=400)
        messages.error(request, error.message)
        return redirect("teams:team", access.course.code)
    note = " It is past the due time, so it is marked late." if submission.is_late else ""
    messages.success(request, f"{milestone.name}: version {submission.version} is in.{note}")
    return redirect(reverse("teams:team", args=[access.course.code]) + f"#m{milestone.pk}")


@require_GET
@member_required
def submission_file(request, access, submission_id):
    """A submitted file, for the team's members and the course staff only (404 otherwise).
    ``?view=inline`` shows a PDF in place (the grading view frames it); anything else,
    and every other type, downloads."""
    submissions = Submission.objects.filter(milestone__course=access.course).exclude(file="")
    if not access.is_staff:
        submissions = submissions.filter(team__members__user=request.user)
    submission = get_object_or_404(submissions, pk=submission_id)
    response = MILESTONE_FILES.attachment(
        submission.file,
        name=submission.original_name,
        content_type=submission.content_type,
        missing="This file is no longer in storage; ask the course staff.",
        inline=request.GET.get("view") == "inline",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def teams_overview(request, access):
    """Staff: every team, its members and the latest version per milestone."""
    require_teams(access)
    course = access.course
    teams = list(
        Team.objects.filter(course=course)
        .prefetch_related("members__user")
        .annotate(size=Count("members"))
        .order_by("name")
    )
    milestones = list(Milestone.objects.for_course(course))
    latest = {
        (s.team_id, s.milestone_id): s
        for s in Submission.objects.filter(team__course=course)
        .order_by("team_id", "milestone_id", "-version")
        .distinct("team_id", "milestone_id")
    }
    grid = [(team, [latest.get((team.pk, m.pk)) for m in milestones]) for team in teams]
    in_team = {m.user_id for team in teams for m in team.members.all()}
    unteamed = list(
        course.memberships.students()
        .exclude(user_id__in=in_team)
        .select_related("user")
        .order_by("user__name")
    )
    return render(
        request,
        "projects/team_overview.html",
        {
            "course": course,
            "active_nav": "projects:teams",
            "grid": grid,
            "milestones": milestones,
            "unteamed": unteamed,
            "now": timezone.now(),
        },
    )

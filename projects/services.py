"""Project workflows: submitting milestone work and milestone reminders (teams are
formed in the teams app)."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from courses import reminders, timing
from projects.models import (
    Deliverable,
    Milestone,
    MilestoneExtension,
    MilestoneReminderSent,
    Submission,
)
from teams.models import Team, TeamMember


class ProjectError(Exception):
    """A refused submission, with a message for the student."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@transaction.atomic
def submission_create(
    *,
    milestone: Milestone,
    user,
    link: str = "",
    text: str = "",
    file=None,
    content_type: str = "",
    now: datetime | None = None,
) -> Submission:
    """Add the next version of the user's team's work for ``milestone``.

    Nothing is overwritten: each call adds a version. After the due time the
    version is kept and marked late with its lateness.
    """
    now = now or timezone.now()
    course = milestone.course
    membership = TeamMember.objects.filter(course=course, user=user).first()
    if membership is None:
        raise ProjectError("Join or create a team before submitting.")
    if milestone.deliverable == Deliverable.NONE:
        raise ProjectError("This milestone is a meeting; there is nothing to submit.")
    fields = {Deliverable.LINK: link, Deliverable.TEXT: text, Deliverable.FILE: file}
    if not fields[milestone.deliverable]:
        raise ProjectError("Nothing was submitted.", field=milestone.deliverable)
    # The team row lock serialises versions from members submitting at once.
    team = Team.objects.select_for_update().get(pk=membership.team_id)
    last = (
        Submission.objects.filter(milestone=milestone, team=team)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    due = milestone.due_for(team)  # the team's extension, if staff gave one
    lateness = timing.late_by(now, due)
    submission = Submission(
        milestone=milestone,
        team=team,
        version=(last or 0) + 1,
        submitted_by=user,
        submitted_at=now,
        is_late=lateness is not None,
        lateness=lateness,
    )
    if milestone.deliverable == Deliverable.LINK:
        submission.link = link
    elif milestone.deliverable == Deliverable.TEXT:
        submission.text = text
    else:
        submission.content_type = content_type
        submission.original_name = (getattr(file, "name", "") or "upload")[-200:]
        submission.size = getattr(file, "size", None)
        submission.file.save(submission.original_name, file, save=False)
    submission.save()
    return submission


def send_milestone_reminders(
    *, now: datetime | None = None, window: timedelta = timedelta(hours=24)
) -> int:
    """Email each member of a team that has submitted nothing for a milestone due within
    ``window`` (check-ins, which take no submission, are left out). One reminder per
    (milestone, recipient, due time), recorded in the same transaction as the email is
    sent, so repeated or concurrent runs never send one twice. Returns the count sent."""
    now = now or timezone.now()
    soon = Q(due_at__gt=now, due_at__lte=now + window)
    extended = {
        (e.milestone_id, e.team_id): e.due_at
        for e in MilestoneExtension.objects.exclude(milestone__deliverable=Deliverable.NONE).filter(
            Q(due_at__gt=now)
            & (soon | Q(milestone__due_at__gt=now, milestone__due_at__lte=now + window))
        )
    }
    milestones = list(
        Milestone.objects.filter(soon | Q(pk__in={m for m, _ in extended}))
        .exclude(deliverable=Deliverable.NONE)
        .select_related("course")
    )
    if not milestones:
        return 0
    submitted = set(
        Submission.objects.filter(milestone__in=milestones).values_list("milestone_id", "team_id")
    )
    members = defaultdict(list)
    for member in TeamMember.objects.filter(
        course__in={m.course_id for m in milestones},
        # Members dropped from the course stay on the team's record but are not reminded.
        user__memberships__course=F("course"),
        user__memberships__dropped_at__isnull=True,
    ).select_related("user", "team"):
        members[member.course_id].append(member)
    already = set(
        MilestoneReminderSent.objects.filter(milestone__in=milestones).values_list(
            "milestone_id", "user_id", "due_at"
        )
    )
    sent = 0
    for milestone in milestones:
        for member in members[milestone.course_id]:
            if (milestone.pk, member.team_id) in submitted:
                continue
            due = milestone.team_due(extended.get((milestone.pk, member.team_id)))
            if not now < due <= now + window:
                continue  # the team's extension puts it later
            if (milestone.pk, member.user_id, due) in already:
                continue
            sent += _remind_milestone(milestone, member, due)
    return sent


def _remind_milestone(milestone: Milestone, member: TeamMember, due: datetime) -> bool:
    course, user = milestone.course, member.user
    due_local = timing.format_instant(due, course.tz, year=True)
    link = f"{settings.SITE_URL}{reverse('teams:team', args=[course.code])}#m{milestone.pk}"
    context = {
        "user": user,
        "course": course,
        "milestone": milestone,
        "team": member.team,
        "due_local": due_local,
        "link": link,
    }
    return reminders.send_once(
        lambda: MilestoneReminderSent.objects.create(milestone=milestone, user=user, due_at=due),
        subject=f"[{course.code}] {milestone.name} due {due_local}",
        message=render_to_string("projects/milestone_reminder_email.txt", context),
        to=user.email,
    )

"""Forming teams in the browser: create, join with a code, leave, switch.

Size limits hold under concurrency because every change to a team's members
locks the team row first (SELECT … FOR UPDATE) and counts under the lock; the
one-team-per-student rule is a unique constraint on TeamMember.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import Course, Membership, Role
from teams.models import Team, TeamMember


class TeamError(Exception):
    """A refused team action, with a message for the student (``field``: the form field it is about)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _check_can_change_teams(course: Course, user, now: datetime) -> None:
    if not course.uses_projects:
        raise TeamError("This course has no team projects.")
    if not Membership.objects.filter(course=course, user=user, role=Role.STUDENT).exists():
        raise TeamError("Only students of the course form teams.")
    if course.teams_locked(now):
        raise TeamError(
            "Team membership is locked since the membership deadline; ask the course staff."
        )


def _add_member(team: Team, user) -> TeamMember:
    """Add ``user`` to the locked ``team`` if a seat is free (caller holds the row lock)."""
    course = team.course
    size = team.members.count()
    if size >= course.team_max_size:
        raise TeamError(
            f"{team.name} is full ({size} of {course.team_max_size} members).", field="code"
        )
    try:
        with transaction.atomic():
            return TeamMember.objects.create(team=team, course=course, user=user)
    except IntegrityError:
        raise TeamError("You are already in a team in this course.") from None


@transaction.atomic
def team_create(
    *,
    course: Course,
    user,
    name: str,
    working_title: str = "",
    topic: str = "",
    now: datetime | None = None,
) -> Team:
    """Create a team with ``user`` as its first member; the team gets a fresh join code."""
    now = now or timezone.now()
    _check_can_change_teams(course, user, now)
    if TeamMember.objects.filter(course=course, user=user).exists():
        raise TeamError("You are already in a team; leave it first or switch with a code.")
    try:
        with transaction.atomic():
            team = Team.objects.create(
                course=course,
                name=name.strip(),
                working_title=working_title.strip(),
                topic=topic.strip(),
                created_by=user,
            )
    except IntegrityError:
        raise TeamError(
            f"A team named “{name.strip()}” already exists in this course.", field="name"
        ) from None
    team = Team.objects.select_for_update().select_related("course").get(pk=team.pk)
    _add_member(team, user)
    return team


def _locked_team_by_code(course: Course, code: str) -> Team:
    code = code.strip().upper().replace(" ", "").replace("-", "")
    team = (
        Team.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(course=course, join_code=code)
        .first()
    )
    if team is None:
        raise TeamError("No team in this course has that join code.", field="code")
    return team


@transaction.atomic
def team_join(*, course: Course, user, code: str, now: datetime | None = None) -> Team:
    """Join the team with this join code, if it has a free seat."""
    now = now or timezone.now()
    _check_can_change_teams(course, user, now)
    team = _locked_team_by_code(course, code)
    current = TeamMember.objects.filter(course=course, user=user).select_related("team").first()
    if current is not None:
        if current.team_id == team.pk:
            raise TeamError(f"You are already in {team.name}.", field="code")
        raise TeamError(
            f"You are in {current.team.name}; use “switch” to move to {team.name}.", field="code"
        )
    _add_member(team, user)
    return team


def _remove_member(course: Course, user) -> Team:
    membership = TeamMember.objects.select_related("team").filter(course=course, user=user).first()
    if membership is None:
        raise TeamError("You are not in a team.")
    team = Team.objects.select_for_update(of=("self",)).get(pk=membership.team_id)
    membership.delete()
    # An empty team with no work attached disappears; one with work stays for the record.
    if not team.members.exists() and not team.has_work():
        team.delete()
    return team


@transaction.atomic
def team_leave(*, course: Course, user, now: datetime | None = None) -> Team:
    """Leave the user's team before the membership deadline. Returns the team left."""
    now = now or timezone.now()
    _check_can_change_teams(course, user, now)
    return _remove_member(course, user)


@transaction.atomic
def team_switch(*, course: Course, user, code: str, now: datetime | None = None) -> Team:
    """Leave the current team and join the one with ``code``, all or nothing."""
    now = now or timezone.now()
    _check_can_change_teams(course, user, now)
    target = _locked_team_by_code(course, code)
    current = TeamMember.objects.filter(course=course, user=user).first()
    if current is not None and current.team_id == target.pk:
        raise TeamError(f"You are already in {target.name}.", field="code")
    if current is not None:
        _remove_member(course, user)
    _add_member(target, user)
    return target

"""Reviewer panels (CSE 585): the groups a session's panel takes its reviewers from.

A session's panel has three parts (seed 004): the authors (the group presenting the
session's paper, a claim), the reviewers (groups the staff assign to the session here) and
the rest of the class, who send one question each before the due time. After the due
time the reviewers read the class's questions with the names (the digest, and one email),
as the presenters do: ``panels.hooks.digest_readers``.
"""

from django.core.exceptions import ValidationError
from django.db import models

from courses import plugins
from courses.models import Session
from teams.models import Team, TeamMember


class ReviewerGroupQuerySet(models.QuerySet):
    def of_course(self, course):
        return self.filter(session__course=course)


class ReviewerGroup(models.Model):
    """One team sitting on one session's panel as its reviewers."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reviewer_groups")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reviewer_slots")
    assigned_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewerGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "reviewer group"
        ordering = ["session__date", "session__start_time", "team__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "team"], name="reviewergroup_once_per_session"
            )
        ]

    def __str__(self):
        return f"{self.team} reviews {self.session}"

    def clean(self):
        super().clean()
        if not (self.session_id and self.team_id):
            return
        if self.team.course_id != self.session.course_id:
            raise ValidationError({"team": "Pick a group of the session's course."})
        if not self.session.meets:
            raise ValidationError({"session": "Pick a session where class meets."})
        presented = presented_by(self.team, self.session)
        if presented:
            raise ValidationError(
                {
                    "team": f"{self.team.name} presents “{presented}” in this session: a group "
                    "does not review its own paper. Pick another group."
                }
            )


def presented_by(team: Team, session: Session) -> str:
    """The title of a reading of ``session`` that ``team`` presents (the team's claim, or,
    in a course whose students present one by one, a member's); '' when none. Two queries
    (the members, and the claims through the ``presenters`` hook)."""
    holders = {("team", team.pk)}
    holders |= {
        ("student", user_id)
        for user_id in TeamMember.objects.filter(team=team).values_list("user_id", flat=True)
    }
    readings = dict(session.readings.values_list("pk", "paper__title"))
    for found in plugins.call("presenters", [session.course_id], holders=holders):
        for reading_id, who in found.items():
            if reading_id in readings and who & holders:
                return readings[reading_id]
    return ""

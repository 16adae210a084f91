"""A team's extension on a milestone: its own due time for submitting, lateness, grades,
the team page, the dashboard and reminders; given in the admin under the milestone.

Flash Team (alice, bob) gets two more days for the proposal (due Thu 2025-10-16 23:59 PDT);
Rivals (carol) does not.
"""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from courses.deadlines import due_items
from grading.engine import ItemStatus, score_component
from grading.models import ComponentSource
from projects.models import Deliverable, MilestoneExtension, Submission
from projects.services import submission_create


@pytest.fixture
def proposal(proposal):
    proposal.deliverable = Deliverable.TEXT  # text versions keep these tests short
    proposal.save()
    return proposal


@pytest.fixture
def extension(proposal, team):
    return MilestoneExtension.objects.create(
        milestone=proposal,
        team=team,
        due_at=proposal.due_at + timedelta(days=2),
        reason="Teammate ill",
    )


def test_a_team_with_an_extension_submits_on_time_after_the_milestones_due_time(
    proposal, alice, carol, team, rival, extension
):
    # A day after the first late instant (the due minute's end, plus one microsecond).
    after = proposal.due_at + timedelta(days=1, microseconds=1)
    ours = submission_create(milestone=proposal, user=alice, text="plan", now=after)
    theirs = submission_create(milestone=proposal, user=carol, text="plan", now=after)
    assert not ours.is_late and ours.lateness is None
    assert theirs.is_late and theirs.lateness == timedelta(days=1)
    past_ours = proposal.due_at + timedelta(days=2, hours=3, microseconds=1)
    late = submission_create(milestone=proposal, user=alice, text="v2", now=past_ours)
    assert late.is_late and late.lateness == timedelta(hours=3)


def test_an_extension_given_in_the_admin_rejudges_versions_already_in(
    login, course, instructor, alice, team, proposal
):
    version = submission_create(
        milestone=proposal, user=alice, text="plan", now=proposal.due_at + timedelta(hours=5)
    )
    assert version.is_late
    client = login(instructor)
    change = reverse("admin:projects_milestone_change", args=[proposal.pk])
    form = client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    local_due = proposal.due_at.astimezone(course.tz)
    data.update(
        course=course.pk,
        due_at_0=local_due.strftime("%Y-%m-%d"),
        due_at_1=local_due.strftime("%H:%M"),
        **{
            "extensions-TOTAL_FORMS": "1",
            "extensions-INITIAL_FORMS": "0",
            "extensions-0-team": str(team.pk),
            "extensions-0-due_at_0": "2025-10-18",
            "extensions-0-due_at_1": "23:59",
            "extensions-0-reason": "Teammate ill",
        },
    )
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    version.refresh_from_db()
    assert not version.is_late and version.lateness is None


def test_grades_the_team_page_and_the_dashboard_follow_the_extension(
    login, course, alice, carol, team, rival, proposal, extension
):
    component = course.components.create(
        name="Proposal", weight=1, source=ComponentSource.MILESTONE, published=True
    )
    proposal.component = component
    proposal.save()
    day_after = proposal.due_at + timedelta(days=1)
    scores = score_component(component, [alice, carol], day_after)
    assert scores[alice.pk][0].status == ItemStatus.UPCOMING
    assert scores[alice.pk][0].due_at == extension.due_at
    assert scores[carol.pk][0].status == ItemStatus.MISSING
    with time_machine.travel(day_after, tick=False):
        page = login(alice).get(reverse("teams:team", args=[course.code])).content.decode()
    assert "Due Sat Oct 18, 11:59 PM PDT" in page and "extended for your team" in page
    assert "Teammate ill" in page
    (item,) = [i for i in due_items(alice, [course]) if i.kind == "milestone"]
    assert item.due_at == extension.due_at


def test_reminders_follow_the_teams_own_due_time(course, alice, team, rival, proposal, extension):
    def run(at):
        with time_machine.travel(at, tick=False):
            call_command("send_reminders", stdout=StringIO())

    run(proposal.due_at - timedelta(hours=20))
    assert [m.to[0] for m in mail.outbox] == ["carol@example.edu"]
    run(extension.due_at - timedelta(hours=20))
    assert sorted(m.to[0] for m in mail.outbox[1:]) == ["alice@example.edu", "bob@example.edu"]
    assert "Sat Oct 18, 2025 11:59 PM PDT" in mail.outbox[1].body
    assert not Submission.objects.exists()


def test_an_extension_never_makes_a_team_due_earlier_than_the_milestone(
    course, alice, carol, team, rival, proposal, extension
):
    """The milestone moves a week later, past Flash Team's extension: the team is due when
    everyone else is, not on its (now earlier) extension."""
    proposal.due_at += timedelta(days=7)
    proposal.save()
    proposal.restamp_lateness()
    after_extension = extension.due_at + timedelta(days=1)
    version = submission_create(milestone=proposal, user=alice, text="plan", now=after_extension)
    assert not version.is_late
    proposal.restamp_lateness()
    version.refresh_from_db()
    assert not version.is_late
    component = course.components.create(
        name="Proposal", weight=1, source=ComponentSource.MILESTONE, published=True
    )
    proposal.component = component
    proposal.save()
    scores = score_component(component, [alice], after_extension)
    assert scores[alice.pk][0].due_at == proposal.due_at

"""send_reminders reminds teams of milestones too: each member of a team that has submitted
nothing for a milestone due within the window, once per due time.

Flash Team (alice, bob) and Rivals (carol); the proposal is due Thu 2025-10-16 23:59 PDT.
"""

from datetime import timedelta
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command

from projects.models import MilestoneReminderSent, Submission


def run(at):
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("send_reminders", stdout=out)
    return out.getvalue().strip()


def test_members_of_teams_without_a_submission_are_reminded_once(
    settings, course, alice, team, rival, proposal
):
    settings.SITE_URL = "https://seminar.example.edu"
    Submission.objects.create(
        milestone=proposal,
        team=rival,
        version=1,
        submitted_by=rival.members.get().user,
        submitted_at=proposal.due_at - timedelta(days=2),
        text="plan",
    )
    assert run(proposal.due_at - timedelta(hours=30)).startswith("send_reminders: 0 ")
    out = run(proposal.due_at - timedelta(hours=20))
    assert out == "send_reminders: 2 reminders sent for the next 24 h."
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.edu", "bob@example.edu"]
    email = mail.outbox[0]
    assert "Project proposal" in email.subject and "Thu Oct 16, 2025 11:59 PM PDT" in email.body
    assert "Flash Team has not submitted it yet" in email.body
    assert f"https://seminar.example.edu/courses/{course.code}/team/#m{proposal.pk}" in email.body
    # cron every five minutes: nothing twice
    assert run(proposal.due_at - timedelta(hours=19, minutes=55)).startswith("send_reminders: 0 ")
    assert len(mail.outbox) == 2
    # the due time moves a day later: a new reminder when it comes near again
    proposal.due_at += timedelta(days=1)
    proposal.save()
    run(proposal.due_at - timedelta(hours=20))
    assert len(mail.outbox) == 4
    assert MilestoneReminderSent.objects.count() == 4


def test_check_ins_and_submitted_milestones_send_nothing(course, alice, team, checkin, proposal):
    Submission.objects.create(
        milestone=proposal,
        team=team,
        version=1,
        submitted_by=alice,
        submitted_at=proposal.due_at - timedelta(days=2),
        text="plan",
    )
    run(proposal.due_at - timedelta(hours=2))
    run(checkin.due_at - timedelta(hours=2))
    assert mail.outbox == []

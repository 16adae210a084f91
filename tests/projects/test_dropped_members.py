"""Flash Team is alice and bob; bob is dropped from the course (work kept, access ended)."""

from datetime import timedelta
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command

from courses.services.roster import roster_import
from teams.models import TeamMember


def test_dropped_team_members_get_no_milestone_reminders(course, alice, bob, team, proposal):
    roster_import(course=course, text="email\nalice@example.edu\n", drop_missing=True)
    with time_machine.travel(proposal.due_at - timedelta(hours=20), tick=False):
        call_command("send_reminders", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["alice@example.edu"]]
    assert TeamMember.objects.filter(team=team, user=bob).exists()  # the team's record stays

"""Relative due times read as people say them, and counts agree with their nouns."""

from datetime import date

import pytest
from django.urls import reverse

from courses import timing
from projects.models import Milestone, MilestoneGrade, RelativeDue
from tests.factories import MilestoneFactory, SessionFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thursday(course):
    return SessionFactory(course=course, date=date(2027, 2, 11))


def test_a_milestone_due_after_class_reads_as_people_say_it(course, thursday):
    summary = Milestone(
        course=course, name="Summary", session=thursday, relative_kind=RelativeDue.AFTER
    )
    summary.hours_after = 24
    assert summary.describe_due() == "24 h after class starts on Thu Feb 11"
    summary.hours_after = 0
    assert summary.describe_due() == "when class starts on Thu Feb 11"


def test_a_due_policy_at_the_start_of_class_never_says_0_h():
    assert timing.DuePolicy(timing.AFTER, hours_after=0).describe() == "when class starts"
    assert timing.DuePolicy(timing.AFTER, hours_after=24).describe() == "24 h after class starts"


def test_one_team_gets_one_grade_row_in_the_singular(login, course, instructor):
    # instructor: staff of the course; one team, so one row.
    TeamFactory(course=course, name="Solo")
    proposal = MilestoneFactory(course=course, name="Proposal")
    response = login(instructor).post(
        reverse("admin:projects_milestone_changelist"),
        {"action": "prepare_grades", "_selected_action": [proposal.pk]},
        follow=True,
    )
    assert "1 grade row added; grade them" in response.content.decode()
    assert MilestoneGrade.objects.count() == 1

"""The team page tells a student without a team what happens at the membership deadline:
the course staff place them. dave: a student of `course` without a team."""

from datetime import datetime

import time_machine
from django.urls import reverse

from tests.conftest import LA


def test_before_the_deadline_a_student_without_team_learns_staff_will_place_them(
    login, course, dave, before_deadline
):
    page = login(dave).get(reverse("teams:team", args=[course.code])).content.decode()
    note = page.split('id="no-team-at-deadline">', 1)[1].split("</p>", 1)[0]
    assert "Not in a team by the membership deadline, Tue Oct 7, 11:59 PM PDT?" in note
    assert "The course staff then place you in a team themselves" in note


def test_after_the_deadline_a_student_without_team_is_told_staff_place_them(login, course, dave):
    with time_machine.travel(datetime(2025, 10, 8, 0, 0, tzinfo=LA), tick=False):
        page = login(dave).get(reverse("teams:team", args=[course.code])).content.decode()
    assert "The course staff place every student still without a team" in page
    assert 'id="no-team-at-deadline"' not in page

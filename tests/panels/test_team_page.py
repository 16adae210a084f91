"""The reviewer group's team page says which sessions it reviews and when the class's
questions arrive, then links the digest. People: tests/panels/conftest.py."""

from datetime import timedelta

import pytest
import time_machine

from tests.panels.conftest import OPEN, QUESTION_DUE

pytestmark = pytest.mark.django_db


def team_page(panel, login, who, at):
    with time_machine.travel(at, tick=False):
        return login(panel[who]).get(f"/courses/{panel['course'].code}/team/").content.decode()


def test_a_reviewer_sees_the_session_and_when_the_questions_arrive(panel, login):
    page = team_page(panel, login, "tom", QUESTION_DUE - timedelta(days=1))
    assert "Your team reviews Tue Nov 4: Inference (4 of 5)" in page
    assert "the questions arrive after Mon Nov 3, 3:00 PM EST" in page
    assert "/digest/" not in page


def test_after_the_due_time_it_links_the_questions(panel, login):
    page = team_page(panel, login, "tia", OPEN)
    assert "the questions arrived Mon Nov 3, 3:00 PM EST" in page
    assert f"/courses/cse585-f25/readings/{panel['vllm'].pk}/digest/" in page


def test_groups_that_review_nothing_see_no_panel_part(panel, login):
    page = team_page(panel, login, "sam", QUESTION_DUE - timedelta(days=1))
    assert "Reviewer panels" not in page


def test_a_session_whose_paper_has_no_presenter_yet_says_so(panel, login):
    from claims.models import Claim

    Claim.objects.filter(reading=panel["orca"]).delete()
    page = team_page(panel, login, "ned", QUESTION_DUE - timedelta(days=1))
    assert "Your team reviews Thu Nov 6" in page
    assert "No questions are asked for this session yet" in page

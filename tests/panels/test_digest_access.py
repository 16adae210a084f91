"""Who reads a session's questions, and when: its reviewer groups read the digest as its
presenters do, from the question due time on, with the names; nobody else gains anything.
People: tests/panels/conftest.py."""

from datetime import timedelta

import pytest
import time_machine

from panels.models import ReviewerGroup
from tests.panels.conftest import OPEN, QUESTION_DUE

pytestmark = pytest.mark.django_db


def digest(panel, login, who, at, reading="vllm"):
    url = f"/courses/{panel['course'].code}/readings/{panel[reading].pk}/digest/"
    with time_machine.travel(at, tick=False):
        return login(panel[who]).get(url)


def test_a_reviewer_reads_the_questions_with_names_from_the_due_time(asked, login):
    page = digest(asked, login, "tom", OPEN)
    assert page.status_code == 200
    text = page.content.decode()
    for question, name in (
        ("Does paging survive long prompts?", "Una M"),
        ("What about prefix sharing?", "Ned M"),
        ("How big are the blocks?", "Tom M"),
    ):
        assert question in text and f"— {name}" in text
    assert "A classmate" not in text
    assert digest(asked, login, "tia", OPEN).status_code == 200


def test_before_the_due_time_the_digest_is_not_open_to_reviewers(asked, login):
    # "Due 3:00 PM" covers its whole minute: at 15:00:59 it has not opened yet.
    assert digest(asked, login, "tom", QUESTION_DUE - timedelta(hours=3)).status_code == 404
    assert digest(asked, login, "tom", OPEN - timedelta(seconds=1)).status_code == 404
    # Presenters see when it opens, as before.
    assert digest(asked, login, "sam", QUESTION_DUE - timedelta(hours=3)).status_code == 200


def test_presenters_read_at_the_same_instant_as_reviewers(asked, login):
    at = OPEN
    sam, tom = digest(asked, login, "sam", at), digest(asked, login, "tom", at)
    assert sam.status_code == tom.status_code == 200
    assert "— Una M" in sam.content.decode()


@pytest.mark.parametrize("who", ["una", "ned"])
def test_other_students_still_get_404(asked, login, who):
    """una has no group; ned's group reviews another session (Thu Nov 6)."""
    assert digest(asked, login, who, QUESTION_DUE + timedelta(days=1)).status_code == 404


def test_a_group_taken_off_the_panel_loses_the_digest(asked, login):
    ReviewerGroup.objects.filter(team=asked["caching"]).delete()
    assert digest(asked, login, "tom", QUESTION_DUE + timedelta(hours=1)).status_code == 404


def test_a_dropped_reviewer_reads_nothing(asked, login):
    from django.utils import timezone

    from courses.models import Membership

    Membership.all_objects.filter(user=asked["tia"]).update(dropped_at=timezone.now())
    assert digest(asked, login, "tia", QUESTION_DUE + timedelta(hours=1)).status_code == 404


def test_a_reviewer_of_one_session_does_not_read_another_sessions_digest(asked, login):
    # Caching presents Orca (Thu) and reviews Tue only; Neutral reviews Thu.
    orca_due = QUESTION_DUE + timedelta(days=2)
    assert digest(asked, login, "ned", orca_due + timedelta(hours=1), "orca").status_code == 200
    assert digest(asked, login, "sam", orca_due + timedelta(hours=1), "orca").status_code == 404


def test_the_reviewers_digest_runs_the_same_queries_for_5_and_25_questions(panel, login):
    from tests import factories as f
    from tests.panels.conftest import ask

    def count(n):
        for i in range(n - len(panel["question"].reviews.all())):
            student = f.StudentFactory(course=panel["course"], name=f"Asker {n}-{i}")
            panel[f"asker{n}-{i}"] = student
            ask(panel, f"asker{n}-{i}", f"Question {i}?")
        client = login(panel["tom"])
        url = f"/courses/{panel['course'].code}/readings/{panel['vllm'].pk}/digest/"
        with time_machine.travel(QUESTION_DUE + timedelta(hours=1), tick=False):
            client.get(url)  # warm: the session and the user are cached like in a visit
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
        return len(queries)

    assert count(5) == count(25)

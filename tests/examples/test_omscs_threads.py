"""The OMSCS examples run their discussion weeks as threads: examples/omscs-seminar.yaml (the
original 16 weeks) and examples/omscs-seminar-revised.yaml (seed 003's revision, two weeks
per block), which has the same course code, so importing it over the original revises the
course in place and every post and review moves with its reading.

People: omar, a student of the imported course; prof, its instructor.
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.core.management import call_command

from courses.coursefile import export_course, export_data, import_course
from courses.models import Course, Membership, Reading, Role
from discussions.models import DiscussionSettings, Post, ThreadRule
from grading.models import GradeComponent
from reviews.models import Review, ReviewKind

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CODE = "omscs-sys-ml-f25"
NEW_YORK = ZoneInfo("America/New_York")
FILES = ["omscs-seminar.yaml", "omscs-seminar-revised.yaml"]


def load(name):
    return import_course((EXAMPLES / name).read_text()).course


@pytest.mark.parametrize("name", FILES)
def test_both_plans_have_a_thread_on_every_reading_whose_first_post_is_the_review(name):
    course = load(name)
    rule = ThreadRule.objects.get(course=course)
    assert (rule.kind.name, rule.counts_as_review) == ("Discussion post", True)
    settings = DiscussionSettings.objects.get(course=course)
    assert (settings.see_after_posting, settings.allow_anonymous) == (True, True)
    assert sum(c.weight for c in GradeComponent.objects.filter(course=course)) == 100


@pytest.mark.parametrize("name", FILES)
def test_each_omscs_file_imports_with_the_command_and_is_a_fixed_point(name, capsys):
    call_command("import_course", str(EXAMPLES / name))
    assert f"{CODE} created" in capsys.readouterr().out
    course = Course.objects.get(code=CODE)
    first = export_data(course)
    assert yaml.safe_load(export_course(course))["discussions"] == first["discussions"]
    result = import_course(export_course(course))
    assert (result.created, result.readings_added, result.readings_removed) == (False, 0, 0)
    assert export_data(Course.objects.get(code=CODE)) == first
    copy = import_course(export_course(course), code="copy").course
    again = export_data(copy)
    again["course"]["code"] = CODE
    assert again == first


def test_the_revision_runs_two_weeks_per_block():
    course = load("omscs-seminar-revised.yaml")
    sessions = list(course.sessions.order_by("date"))
    assert len(sessions) == 8
    assert [s.date.isoformat() for s in sessions][::7] == ["2025-08-27", "2025-12-03"]
    assert {s.date.weekday() for s in sessions} == {2}  # Wednesdays
    assert [s.title.split(":")[0] for s in sessions] == [
        f"Weeks {n} and {n + 1}" for n in range(1, 17, 2)
    ]
    blocks = [[r.paper.title for r in s.readings.order_by("order")] for s in sessions]
    assert blocks[1] == [
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "Mind the Memory Gap",
    ]
    # The same sixteen readings as the original plan.
    original = set(load("omscs-seminar.yaml").readings.values_list("paper__title", flat=True))
    revised = set(Reading.objects.filter(course=course).values_list("paper__title", flat=True))
    assert revised == original


def test_importing_the_revision_over_the_original_keeps_every_post_and_review(make_user, client):
    course = load("omscs-seminar.yaml")
    omar = make_user("omar@example.edu", "Omar Ortiz")
    Membership.objects.create(user=omar, course=course, role=Role.STUDENT)
    bert = Reading.objects.get(course=course, paper__title__startswith="BERT")
    assert str(bert.session.date) == "2025-09-03"
    client.force_login(omar)
    with time_machine.travel(datetime(2025, 9, 1, 12, 0, tzinfo=NEW_YORK), tick=False):
        response = client.post(
            f"/courses/{CODE}/readings/{bert.pk}/discussion/",
            {"body": "BERT pre-trains both ways."},
        )
    assert response.status_code == 302
    review = Review.objects.get(reading=bert, student=omar)
    result = load("omscs-seminar-revised.yaml")
    bert.refresh_from_db()
    assert str(bert.session.date) == "2025-09-10"  # moved to its block's session
    assert Post.objects.get(reading=bert).review == review
    kind = ReviewKind.objects.get(course=result)
    assert kind.thread_rule.counts_as_review
    # The revised due time (Tue 9/9 23:59) is later: the post stays on time.
    page = client.get(f"/courses/{CODE}/readings/{bert.pk}/discussion/").content.decode()
    assert "(on time)" in page and "BERT pre-trains both ways." in page

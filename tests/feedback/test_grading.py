"""Presenter feedback as a grade source ("feedback"): each presentation of the student is
an item out of the component's max_points, graded at the classmates' mean rating scaled to
it once the window closed with enough responses, excused with fewer, upcoming before.
People: see conftest.py."""

import re
from decimal import Decimal
from fractions import Fraction

import pytest

from grading.engine import GradeContext, compute_gradebook
from tests.factories import ClaimFactory, GradeComponentFactory, StudentFactory, TeamFactory
from tests.feedback.conftest import AFTER, OPEN

pytestmark = pytest.mark.django_db


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def component(course):
    return GradeComponentFactory(
        course=course,
        name="Presentation feedback",
        weight=Decimal(100),
        source="feedback",
        max_points=Decimal(10),
        published=True,
    )


def score_of(course, student, now):
    book = compute_gradebook(course, now=now, student_ids=[student.pk])
    return book.rows[0].components[0]


def test_the_presenters_mean_rating_scaled_to_the_component_once_the_window_closed(
    course, component, page, pat, three_more
):
    score = score_of(course, pat, AFTER)
    (item,) = score.items
    assert item.status == "graded"
    # (5+4+4) + (4+4+3) + (3+5+2) = 34 of 45: 10 x 34/45 points, one exact division.
    assert item.earned == Decimal(10) * Decimal(34) / Decimal(45)
    assert item.possible == 10
    assert item.label.startswith("Presenter feedback: FlashInfer")
    assert item.note == "mean 3.8 / 5 from 3 responses"
    assert score.current_fraction == score.projected_fraction == score.ceiling_fraction
    assert score.current_fraction == Decimal(34) / Decimal(45)


def test_before_the_window_closes_the_item_is_upcoming(course, component, page, pat, three_more):
    score = score_of(course, pat, OPEN)
    assert [i.status for i in score.items] == ["upcoming"]
    # Nothing counts yet; the floor counts it 0 and the ceiling at full marks.
    assert score.current_fraction is None
    assert score.projected_fraction == 0 and score.ceiling_fraction == 1


def test_with_fewer_responses_than_the_minimum_the_item_is_excused(
    course, component, page, pat, give, alice, bob
):
    give(alice, 5, 5, 5)
    give(bob, 5, 5, 5)
    score = score_of(course, pat, AFTER)
    assert [(i.status, i.note) for i in score.items] == [("excused", "fewer than 3 responses")]
    assert score.current_fraction is None


def test_a_student_who_presents_nothing_has_one_missing_item_after_claims_close(
    course, component, page, alice
):
    (item,) = score_of(course, alice, AFTER).items
    assert (item.label, item.status) == ("No presentation", "missing")
    september = AFTER.replace(month=9, day=26)  # the claim window is open
    assert score_of(course, alice, september).items[0].status == "upcoming"


def test_criteria_on_different_scales_each_count_on_their_own_scale(
    course, component, rules, page, pat, give, alice, bob, carol
):
    rules.rubric = [
        {"key": "clarity", "label": "Clarity", "scale": 5},
        {"key": "depth", "label": "Depth", "scale": 3},
        {"key": "discussion", "label": "Discussion", "scale": 7},
    ]
    rules.save()
    for student, ratings in ((alice, (5, 3, 7)), (bob, (2, 1, 4)), (carol, (4, 2, 1))):
        give(student, *ratings)
    (item,) = score_of(course, pat, AFTER).items
    fractions = [
        Fraction(r, s)
        for ratings in ((5, 3, 7), (2, 1, 4), (4, 2, 1))
        for r, s in zip(ratings, (5, 3, 7), strict=True)
    ]
    mean = sum(fractions) / len(fractions)
    assert item.earned == Decimal(10) * Decimal(mean.numerator) / Decimal(mean.denominator)
    assert item.note.startswith("mean 66% from 3")


def test_in_a_team_course_every_member_of_the_presenting_team_gets_the_item(
    course, component, rules, reading, give, alice, bob, carol, dave
):
    course.presents_by = "team"
    course.save()
    team = TeamFactory(course=course, name="Flash", created_by=alice, members=[alice, bob])
    ClaimFactory(course=course, reading=reading, by_team=True, team=team)
    give(carol, 4, 4, 4)
    give(dave, 2, 2, 2)
    give(StudentFactory(course=course), 3, 3, 3)
    for member in (alice, bob):
        (item,) = score_of(course, member, AFTER).items
        assert item.status == "graded" and item.earned == Decimal(6)  # 27/45 of 10
    assert score_of(course, carol, AFTER).items[0].label == "No presentation"


def test_the_grades_page_and_the_gradebook_show_the_item_and_the_what_if_takes_it(
    client, course, component, page, pat, three_more, instructor, at
):
    at(OPEN)
    client.force_login(pat)
    response = client.get(f"/courses/{course.code}/grades/")
    html = text_of(response)
    assert "Presenter feedback: FlashInfer" in html and "feedback closes Thu Nov 6" in html
    # The what-if takes the open item: 10 points a student can type a score for.
    assert response.context["what_if_open"]
    assert response.context["what_if"]["components"][0]["open"] == "10.00"
    at(AFTER)
    html = text_of(client.get(f"/courses/{course.code}/grades/"))
    assert "7.56 / 10" in html  # 10 x 34/45 = 7.555…, shown to two decimals
    client.force_login(instructor)
    book = client.get(f"/courses/{course.code}/gradebook/?expand={component.pk}")
    assert "Presenter feedback: FlashInfer" in text_of(book)
    assert "75.56" in text_of(book)


def test_the_provider_runs_the_same_queries_for_any_number_of_students(
    course, component, page, three_more, django_assert_num_queries
):
    from feedback.providers import feedback_scores

    students = list(StudentFactory.create_batch(3, course=course))
    for more in (0, 20):
        students += StudentFactory.create_batch(more, course=course)
        component.course = type(course).objects.get(pk=course.pk)  # settings not read yet
        with django_assert_num_queries(4):
            feedback_scores(component, GradeContext(component.course, students, AFTER))


def test_the_course_file_accepts_a_feedback_component():
    from courses.coursefile import export_course, import_course
    from tests.courses.test_coursefile import SEED_001

    text = SEED_001.replace(
        "{name: Class participation, weight: '10', source: participation}",
        "{name: Class participation, weight: '10', source: feedback}",
    )
    assert text != SEED_001
    result = import_course(text)
    assert result.course.components.get(name="Class participation").source == "feedback"
    assert "source: feedback" in export_course(result.course)

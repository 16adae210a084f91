"""Rubrics: criteria with points, per review kind or milestone, in the course file and
the admin; the grading view scores each criterion and the points are their sum."""

from decimal import Decimal

import pytest

from courses import coursefile
from courses.coursefile import CourseFileError
from projects.models import Milestone
from reviews.models import Review, ReviewKind
from tests import factories as f
from tests.reviews.test_grade_queue import build, queue_url

pytestmark = pytest.mark.django_db

RUBRIC = [
    {"criterion": "Summary", "points": "4", "description": "The paper's idea in your words"},
    {"criterion": "Critique", "points": "6"},
]


def test_a_review_kinds_rubric_round_trips_through_the_course_file(paper_review, course):
    paper_review.max_points = Decimal(10)
    paper_review.rubric = RUBRIC
    paper_review.save()
    data = coursefile.export_data(course)
    assert data["review_kinds"][0]["rubric"] == RUBRIC
    data.pop("components", None)
    data["review_kinds"][0]["rubric"][1]["points"] = "5"
    data["review_kinds"][0]["rubric"].append({"criterion": "Question", "points": "1"})
    coursefile.import_data(data)
    kind = ReviewKind.objects.get(pk=paper_review.pk)
    assert [(c["criterion"], c["points"]) for c in kind.rubric] == [
        ("Summary", "4"), ("Critique", "5"), ("Question", "1"),
    ]  # fmt: skip


def test_a_rubric_that_does_not_add_up_to_the_maximum_is_refused_at_its_path(paper_review, course):
    data = coursefile.export_data(course)
    data.pop("components", None)
    data["review_kinds"][0]["max_points"] = "10"
    data["review_kinds"][0]["rubric"] = [{"criterion": "Summary", "points": "4"}]
    with pytest.raises(CourseFileError) as error:
        coursefile.import_data(data)
    assert error.value.path == "review_kinds[0].rubric"
    assert "The criteria add up to 4 points; the maximum is 10." in error.value.message


@pytest.mark.parametrize(
    ("rubric", "message"),
    [
        ([{"criterion": "A", "points": "5"}, {"criterion": "A", "points": "5"}], "criterion"),
        ([{"criterion": "A", "points": "0"}], "must be a positive number"),
        ([{"points": "5"}], "criterion"),
    ],
)
def test_a_malformed_rubric_is_refused_with_a_message(paper_review, course, rubric, message):
    data = coursefile.export_data(course)
    data.pop("components", None)
    data["review_kinds"][0]["rubric"] = rubric
    with pytest.raises(CourseFileError, match=message) as error:
        coursefile.import_data(data)
    assert error.value.path.startswith("review_kinds[0].rubric")


def test_a_milestones_rubric_round_trips_through_the_course_file(course):
    f.MilestoneFactory(course=course, name="Final report", max_points=Decimal(10), rubric=RUBRIC)
    data = coursefile.export_data(course)
    assert data["milestones"][0]["rubric"] == RUBRIC
    data["milestones"][0]["rubric"] = [{"criterion": "All", "points": "10"}]
    data.pop("components", None)
    coursefile.import_data(data)
    assert Milestone.objects.get().rubric == [{"criterion": "All", "points": "10"}]


def test_the_admin_refuses_a_rubric_that_does_not_add_up_next_to_the_field(
    client, paper_review, instructor
):
    client.force_login(instructor)
    url = f"/admin/reviews/reviewkind/{paper_review.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "component"}
    data |= {
        "prompts": '[{"key": "summary", "label": "Summary"}]',
        "readings": paper_review.readings,
        "rubric": '[{"criterion": "Summary", "points": 3}]',
        "due_time": "23:59",
        "overrides-TOTAL_FORMS": "0",
        "overrides-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["rubric"] == ["The criteria add up to 3 points; the maximum is 1."]


def test_grading_a_review_with_a_rubric_sums_the_criteria(client):
    course, instructor, reading, reviews = build(2)
    kind = reviews[0].kind
    kind.rubric = RUBRIC
    kind.save()
    client.force_login(instructor)
    html = client.get(queue_url(reading, reviews[0])).content.decode()
    assert "out of 4: The paper&#x27;s idea in your words" in html
    data = {"criterion_0": "3", "criterion_1": "5.5", "feedback": "Good.", "publish": "on",
            "save_next": "1"}  # fmt: skip
    assert client.post(queue_url(reading, reviews[0]), data).status_code == 302
    review = Review.objects.get(pk=reviews[0].pk)
    assert review.points == Decimal("8.5")
    assert review.rubric_scores == {"Summary": "3", "Critique": "5.5"}
    # Criteria left blank leave it ungraded; the saved scores are shown again.
    html = client.get(queue_url(reading, reviews[0])).content.decode()
    assert 'value="5.5"' in html

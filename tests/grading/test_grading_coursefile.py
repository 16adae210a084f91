"""The "components" section of the course file: export, load, and what loading refuses."""

from decimal import Decimal

import pytest

from courses.coursefile import CourseFileError
from grading import coursefile as grading_coursefile
from grading.models import GradeComponent, ManualScore

pytestmark = pytest.mark.django_db
D = Decimal

ECS289D = [
    {"name": "Project proposal", "group": "Project", "weight": "1", "source": "milestone"},
    {"name": "Mid-term report", "group": "Project", "weight": "4", "source": "milestone"},
    {"name": "Final presentation", "group": "Project", "weight": "10", "source": "milestone"},
    {"name": "Final report and code", "group": "Project", "weight": "35", "source": "milestone"},
    {"name": "Class presentation", "weight": "25", "source": "presentation", "max_points": "10"},
    {"name": "Paper reviews", "weight": "15", "source": "reviews", "published": True},
    {"name": "Class participation", "weight": "10", "source": "participation"},
    {"name": "Optional reviews", "weight": "5", "bonus": True, "source": "bonus_reviews"},
]


def test_components_load_and_export_round_trip(course):
    grading_coursefile.load_components(course, ECS289D)
    exported = grading_coursefile.export_components(course)
    assert [c["name"] for c in exported] == [c["name"] for c in ECS289D]
    assert exported[4] == {
        "name": "Class presentation",
        "group": "",
        "weight": "25",
        "bonus": False,
        "source": "presentation",
        "max_points": "10",
        "published": False,
        "order": 4,
    }
    grading_coursefile.load_components(course, exported)
    assert grading_coursefile.export_components(course) == exported


def test_loading_updates_by_name_and_deletes_components_absent_from_the_file(course):
    grading_coursefile.load_components(course, ECS289D)
    reviews_id = GradeComponent.objects.get(course=course, name="Paper reviews").pk
    revised = [dict(c) for c in ECS289D if c["name"] != "Optional reviews"]
    revised[5]["weight"] = "14"
    revised[6]["weight"] = "11"
    grading_coursefile.load_components(course, revised)
    reviews = GradeComponent.objects.get(course=course, name="Paper reviews")
    assert (reviews.pk, reviews.weight) == (reviews_id, D("14"))
    assert not GradeComponent.objects.filter(course=course, name="Optional reviews").exists()


def test_loading_refuses_weights_that_do_not_add_up_to_100(course):
    off = [dict(c) for c in ECS289D]
    off[0]["weight"] = "3"
    with pytest.raises(CourseFileError, match="102.00%, 2.00 over 100") as error:
        grading_coursefile.load_components(course, off)
    assert error.value.path == "components"
    assert not GradeComponent.objects.filter(course=course).exists()


def test_loading_refuses_to_delete_a_component_that_has_scores(course, alice):
    grading_coursefile.load_components(course, ECS289D)
    participation = GradeComponent.objects.get(course=course, name="Class participation")
    ManualScore.objects.create(component=participation, student=alice, points=D(90))
    without = [dict(c) for c in ECS289D if c["name"] != "Class participation"]
    without[5]["weight"] = "25"
    with pytest.raises(CourseFileError, match="1 manual score"):
        grading_coursefile.load_components(course, without)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"source": "quiz"}, "components[0].source", "is not one of"),
        ({"weight": "lots"}, "components[0].weight", "is not a number"),
        ({"weight": "-1"}, "components[0].weight", "non-negative"),
        ({"bonus": "yes"}, "components[0].bonus", "true or false"),
        # At the key itself, as in every section (it used to point at the entry).
        ({"colour": "red"}, "components[0].colour", r"unknown field \(expected one of: bonus,"),
        ({"name": ""}, "components[0].name", "needs a name"),
    ],
)
def test_loading_points_at_the_bad_entry(course, change, path, message):
    data = [dict(c) for c in ECS289D]
    data[0].update(change)
    with pytest.raises(CourseFileError, match=message) as error:
        grading_coursefile.load_components(course, data)
    assert error.value.path == path


def test_the_grading_app_declares_the_section_with_order_20():
    from courses.coursefile import sections

    section = next(s for s in sections() if s.key == "components")
    assert section.order == 20

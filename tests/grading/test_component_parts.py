"""A component with several sources, weighted inside it (CSE 585's participation: the
questions 50 + in-class participation 50): each part scores like a component of its source;
current over the parts that count now, floor and ceiling over all of them; in the course
file, the admin, the grades page, the gradebook and the what-if's data.

Ada's participation (10% of the grade): her question on the Nov 4 reading is graded 1 / 1,
the Dec 1 one is upcoming; no in-class score yet."""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from courses.coursefile import CourseFileError
from grading.engine import compute_gradebook
from grading.models import ComponentPart, ComponentSource, GradeComponent, ManualScore
from tests import factories as f
from tests.factories import LA

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 11, 10, 12, 0, tzinfo=LA)
D = Decimal


@pytest.fixture
def participation_of_ada():
    course = f.CourseFactory(code="cse585-f25")
    staff = f.MembershipFactory(course=course, instructor=True, user__name="Mosharaf").user
    ada = f.MembershipFactory(course=course, user__name="Ada Lovelace").user
    f.GradeComponentFactory(
        course=course, name="Project", weight=90, source=ComponentSource.MANUAL, published=True
    )
    participation = f.GradeComponentFactory(
        course=course, name="Participation", weight=10, source=ComponentSource.SEVERAL,
        published=True,
    )  # fmt: skip
    ComponentPart.objects.create(component=participation, source="reviews", weight=50, order=0)
    ComponentPart.objects.create(
        component=participation, source="participation", weight=50, order=1
    )
    kind = f.ReviewKindFactory(
        course=course, name="Question", max_points=D(1), component=participation
    )
    past = f.ReadingFactory(session__course=course, paper__course=course, paper__title="FlashInfer")
    f.ReadingFactory(
        session__course=course, session__date=date(2025, 12, 2), paper__course=course,
        paper__title="DistServe",
    )  # fmt: skip
    at = datetime(2025, 11, 3, 20, 0, tzinfo=LA)
    f.ReviewFactory(kind=kind, reading=past, student=ada, submitted_at=at, first_submitted_at=at,
                    points=D(1))  # fmt: skip
    return course, staff, ada, participation


def ada_participation(course, ada):
    book = compute_gradebook(course)
    return book.row_for(ada).score_for(GradeComponent.objects.get(name="Participation"))


@time_machine.travel(NOW, tick=False)
def test_parts_combine_by_their_weights_inside(participation_of_ada):
    course, staff, ada, participation = participation_of_ada
    score = ada_participation(course, ada)
    questions, in_class = score.parts
    assert (questions.current_percent, questions.projected_percent) == (D(100), D(50))
    assert in_class.current_fraction is None  # no score entered yet: ungraded
    # Current: only the questions count now; floor: in class as 0; ceiling: as full marks.
    assert score.current_percent == D(100)
    assert score.projected_percent == D(25)
    assert score.ceiling_fraction == D(1)
    ManualScore.objects.create(component=participation, student=ada, points=D(80))
    score = ada_participation(course, ada)
    assert score.current_percent == D(90)  # (50 x 100 + 50 x 80) / 100
    assert score.projected_percent == D(65)  # (50 x 50 + 50 x 80) / 100
    assert score.ceiling_fraction * 100 == D(90)  # (50 x 100 + 50 x 80) / 100
    assert score.projected_points == D("6.5")  # of the course's 10


@time_machine.travel(NOW, tick=False)
def test_the_grades_page_and_the_gradebook_show_the_parts(client, participation_of_ada):
    course, staff, ada, participation = participation_of_ada
    client.force_login(ada)
    html = client.get(f"/courses/{course.code}/grades/").content.decode()
    assert (
        'reviews <span class="text-body-secondary">(50% of it)</span>: 1.00 / 1.00 = 100.00%'
        in html
    )
    assert (
        'participation <span class="text-body-secondary">(50% of it)</span>: not graded yet' in html
    )
    data = json.loads(
        html.split('id="what-if-data" type="application/json">')[1].split("</script>")[0]
    )
    parts = next(c for c in data["components"] if c["id"] == str(participation.pk))["parts"]
    assert [(p["id"], p["weight"]) for p in parts] == [
        (f"{participation.pk}-0", "50.00"), (f"{participation.pk}-1", "50.00"),
    ]  # fmt: skip
    assert f'data-component="{participation.pk}-0"' in html  # the upcoming question's box
    client.force_login(staff)
    book = client.get(f"/courses/{course.code}/gradebook/").content.decode()
    assert "reviews 50 + participation 50" in book
    assert "reviews (50%): 50.00%; participation (50%): 0.00%" in book


CSE585 = [
    {"name": "Project", "weight": "90", "source": "manual"},
    {"name": "Participation", "weight": "10",
     "parts": [{"source": "reviews", "weight": "50"}, {"source": "participation", "weight": "50"}]},
]  # fmt: skip


def test_the_course_file_takes_parts_and_gives_them_back(course):
    from grading import coursefile as grading_coursefile

    grading_coursefile.load_components(course, CSE585)
    component = GradeComponent.objects.get(course=course, name="Participation")
    assert component.source == "several"
    assert [(p.source, p.weight) for p in component.parts.all()] == [
        ("reviews", D(50)), ("participation", D(50)),
    ]  # fmt: skip
    exported = grading_coursefile.export_components(course)
    assert exported[1]["source"] == "several"
    assert exported[1]["parts"] == CSE585[1]["parts"]
    exported[1]["parts"] = [{"source": "participation", "weight": "100"}]
    grading_coursefile.load_components(course, exported)
    assert [p.source for p in component.parts.all()] == ["participation"]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"parts": [{"source": "reviews", "weight": "50"}]}, "components[1].parts",
         "The parts' weights add up to 50.00%, 50.00 short of 100."),
        ({"source": "reviews"}, "components[1]", "a component with parts has source 'several'"),
        ({"bonus": True}, "components[1]", "a bonus component has one source, not parts"),
        ({"parts": [{"source": "several", "weight": "100"}]}, "components[1]", "cannot be 'several'"),
        ({"parts": []}, "components[1]", "give its source, or its parts"),
    ],
)  # fmt: skip
def test_the_course_file_refuses_parts_that_cannot_stand(course, change, path, message):
    from grading import coursefile as grading_coursefile

    data = [dict(CSE585[0]), dict(CSE585[1]) | change]
    with pytest.raises(CourseFileError) as error:
        grading_coursefile.load_components(course, data)
    assert error.value.path.startswith(path), error.value.path
    assert message in error.value.message


def test_the_admin_refuses_parts_that_do_not_add_up_next_to_them(client, participation_of_ada):
    course, staff, ada, participation = participation_of_ada
    client.force_login(staff)
    url = f"/admin/grading/gradecomponent/{participation.pk}/change/"
    parts = list(participation.parts.all())
    data = {
        "course": course.pk, "name": "Participation", "group": "", "weight": "10",
        "source": "several", "max_points": "100", "published": "on", "order": "0",
        "parts-TOTAL_FORMS": "2", "parts-INITIAL_FORMS": "2",
        "parts-MIN_NUM_FORMS": "0", "parts-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, part in enumerate(parts):
        data |= {f"parts-{i}-id": part.pk, f"parts-{i}-component": participation.pk,
                 f"parts-{i}-source": part.source, f"parts-{i}-weight": "40", f"parts-{i}-order": i}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert (
        "The parts&#x27; weights add up to 80.00%, 20.00 short of 100." in response.content.decode()
    )
    data["source"] = "manual"
    data["parts-0-weight"] = data["parts-1-weight"] = "50"
    html = client.post(url, data).content.decode()
    assert "Only a component whose source is “several sources” has parts" in html
    data["source"] = "several"
    assert client.post(url, data).status_code == 302

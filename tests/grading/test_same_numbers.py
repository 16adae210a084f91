"""One student's items show the same number in all five places: the reviews list, the team
page, the grades page, the gradebook (its component expanded into items) and the CSV
(of every item).

Ada's review of "FlashInfer" (out of 10) was graded 8.75 and is 2 hours late at 10% per
started day: 7.875, shown "7.88" everywhere (half up, never "7.87" in one place and "7.88"
in another). Her team's proposal (out of 10) got 9, and Ada -1 ("Missed the meetings"): 8
for her, 9 for Ben."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from grading.models import ComponentSource
from reviews.models import LatePolicy
from tests import factories as f
from tests.factories import LA, SESSION_DAY

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 11, 10, 12, 0, tzinfo=LA)


@pytest.fixture
def course_of_ada():
    course = f.CourseFactory(code="ecs289d-f25")
    staff = f.MembershipFactory(course=course, instructor=True, user__name="Yang").user
    ada = f.MembershipFactory(course=course, user__name="Ada Lovelace").user
    ben = f.MembershipFactory(course=course, user__name="Ben Bitdiddle").user
    reviews = f.GradeComponentFactory(
        course=course, name="Paper reviews", weight=50, source=ComponentSource.REVIEWS,
        published=True,
    )  # fmt: skip
    project = f.GradeComponentFactory(
        course=course, name="Project proposal", weight=50, source=ComponentSource.MILESTONE,
        published=True,
    )  # fmt: skip
    kind = f.ReviewKindFactory(
        course=course, max_points=Decimal(10), component=reviews,
        late_policy=LatePolicy.PENALTY, late_penalty_percent=Decimal(10),
    )  # fmt: skip
    reading = f.ReadingFactory(
        session__course=course, paper__course=course, paper__title="FlashInfer"
    )
    due = datetime.combine(SESSION_DAY - timedelta(days=1), datetime.max.time(), LA)
    late = due + timedelta(hours=2)
    f.ReviewFactory(
        kind=kind, reading=reading, student=ada, submitted_at=late, first_submitted_at=late,
        points=Decimal("8.75"), feedback="Sharp critique.", feedback_published=True,
    )  # fmt: skip
    milestone = f.MilestoneFactory(
        course=course, name="Project proposal", max_points=Decimal(10), component=project,
        due_at=datetime(2025, 10, 16, 23, 59, tzinfo=LA),
    )  # fmt: skip
    team = f.TeamFactory(course=course, name="Team Rocket", members=[ada, ben])
    f.SubmissionFactory(
        milestone=milestone, team=team, submitted_at=datetime(2025, 10, 16, 20, 0, tzinfo=LA)
    )
    grade = f.MilestoneGradeFactory(milestone=milestone, team=team, points=9, published=True)
    f.MilestoneAdjustmentFactory(grade=grade, student=ada, delta=-1, reason="Missed the meetings")
    return course, staff, ada, ben, reviews, project


def items_csv(client, course):
    response = client.get(f"/courses/{course.code}/gradebook.csv?items=1")
    assert response["Content-Disposition"].endswith('-grades-items.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, possible, *students = rows
    return {row[0]: dict(zip(header, row, strict=True)) for row in students}, dict(
        zip(header, possible, strict=True)
    )


@time_machine.travel(NOW, tick=False)
def test_one_students_items_show_the_same_numbers_in_all_five_places(client, course_of_ada):
    course, staff, ada, ben, reviews, project = course_of_ada
    code = course.code

    client.force_login(ada)
    review_list = client.get(f"/courses/{code}/reviews/").content.decode()
    team_page = client.get(f"/courses/{code}/team/").content.decode()
    grades = client.get(f"/courses/{code}/grades/").content.decode()
    for html in (review_list, grades):
        assert "7.88 / 10" in html and "7.87 /" not in html
    for html in (team_page, grades):
        assert "<strong>8 / 10</strong>" in html or "8 / 10" in html
    assert "Missed the meetings" in team_page
    assert "9 / 10" not in grades  # Ada's is 8: the team's 9 is not hers

    client.force_login(ben)
    assert "<strong>9 / 10</strong>" in client.get(f"/courses/{code}/team/").content.decode()
    assert "9 / 10" in client.get(f"/courses/{code}/grades/").content.decode()

    client.force_login(staff)
    expanded = client.get(f"/courses/{code}/gradebook/?expand={reviews.pk}").content.decode()
    assert ">7.88 / 10<" in expanded and "7.87 /" not in expanded
    expanded = client.get(f"/courses/{code}/gradebook/?expand={project.pk}").content.decode()
    ada_row = expanded[expanded.index("Ada Lovelace") : expanded.index("Ben Bitdiddle")]
    assert "8 / 10" in ada_row
    ben_row = expanded[expanded.index("Ben Bitdiddle") :]
    assert "9 / 10" in ben_row

    students, possible = items_csv(client, course)
    review_column = next(c for c in possible if c.startswith("Paper reviews: "))
    milestone_column = next(c for c in possible if c.startswith("Project proposal: "))
    assert (possible[review_column], possible[milestone_column]) == ("10", "10")
    assert students["Ada Lovelace"][review_column] == "7.88"
    assert students["Ada Lovelace"][milestone_column] == "8"
    assert students["Ben Bitdiddle"][milestone_column] == "9"
    assert students["Ben Bitdiddle"][review_column] == "0"  # missing: his review never came


@time_machine.travel(NOW, tick=False)
def test_a_published_grade_is_marked_new_on_the_team_page_once(client, course_of_ada):
    from projects.admin import tell_team_if_published
    from projects.models import MilestoneGrade

    course, staff, ada, ben, reviews, project = course_of_ada
    tell_team_if_published(MilestoneGrade.objects.get())
    client.force_login(ada)
    first = client.get(f"/courses/{course.code}/team/").content.decode()
    assert '<span class="badge text-bg-primary">new</span>' in first
    again = client.get(f"/courses/{course.code}/team/").content.decode()
    assert '<span class="badge text-bg-primary">new</span>' not in again

"""What reviews provides to courses: grade items with late policies, the bonus, deadlines,
and the course-file section.

alice owes reviews of `reading` (required) and `optional_reading`, both due 07:59 UTC on 11-04.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from courses import coursefile
from courses.coursefile import CourseFileError
from courses.deadlines import due_items
from courses.timing import end_of_minute as eom
from grading.engine import score_component
from reviews.models import LatePolicy, Review, ReviewKind

DUE = datetime(2025, 11, 4, 7, 59, tzinfo=UTC)


def write(kind, reading, user, late=timedelta(0), points=None, **extra):
    at = DUE + late if late else DUE - timedelta(hours=1)
    return Review.objects.create(
        kind=kind,
        reading=reading,
        student=user,
        submitted_at=at,
        first_submitted_at=at,
        points=points,
        **extra,
    )


@pytest.mark.parametrize(
    ("policy", "late", "expected"),
    [
        (LatePolicy.ACCEPT, timedelta(days=3), Decimal("1")),
        (LatePolicy.NO_CREDIT, timedelta(minutes=1), Decimal("0")),
        (LatePolicy.PENALTY, timedelta(minutes=1), Decimal("0.90")),  # one started day
        (LatePolicy.PENALTY, timedelta(days=1, minutes=1), Decimal("0.80")),  # two started days
        (LatePolicy.PENALTY, timedelta(days=30), Decimal("0")),  # floored at 0
        (LatePolicy.PENALTY, timedelta(0), Decimal("1")),  # on time
    ],
)
def test_late_policies_decide_the_earned_points(
    paper_review, reading, alice, policy, late, expected
):
    paper_review.late_policy = policy
    paper_review.save()
    write(paper_review, reading, alice, late=late, points=Decimal("1"))
    scores = score_component(paper_review.component, [alice], DUE + timedelta(days=40))
    (item,) = scores[alice.pk]
    assert item.status == "graded"
    assert item.earned == expected


def test_a_penalty_is_exact_and_rounded_only_for_display(paper_review, reading, alice):
    """0.75 points, 10 % off for one started day: 0.675, not 0.68 (SPEC: rounding only at
    display and at the letter boundary)."""
    write(paper_review, reading, alice, late=timedelta(minutes=1), points=Decimal("0.75"))
    scores = score_component(paper_review.component, [alice], DUE + timedelta(days=40))
    (item,) = scores[alice.pk]
    assert item.earned == Decimal("0.675")


def test_a_review_graded_before_its_due_time_counts_at_once(paper_review, reading, alice):
    """SPEC, Grading: a grade counts as soon as it is published, even before the due time
    (the old rule counted it from the due time on)."""
    write(paper_review, reading, alice, late=timedelta(hours=-5), points=Decimal("1"))
    provider = score_component  # the component's source: "reviews"
    (early,) = provider(paper_review.component, [alice], DUE - timedelta(hours=1))[alice.pk]
    assert early.status == "graded" and early.earned == Decimal("1")
    (due,) = provider(paper_review.component, [alice], DUE + timedelta(minutes=1))[alice.pk]
    assert due.status == "graded" and due.earned == Decimal("1")


def test_review_items_cover_required_readings_with_each_status(
    paper_review, course, reading, optional_reading, october_reading, alice, bob
):
    write(paper_review, reading, alice)  # ungraded
    write(paper_review, october_reading, bob, points=Decimal("1"), is_excused=True)
    provider = score_component  # the component's source: "reviews"
    scores = provider(paper_review.component, [alice, bob], DUE + timedelta(hours=1))
    assert {i.label.split(": ", 1)[1]: i.status for i in scores[alice.pk]} == {
        "Megatron-LM": "missing",
        reading.paper.title: "ungraded",
    }
    assert {i.status for i in scores[bob.pk]} == {"excused", "missing"}
    early = provider(paper_review.component, [alice], datetime(2025, 10, 1, tzinfo=UTC))
    assert {i.status for i in early[alice.pk]} == {"upcoming", "ungraded"}
    assert all(i.possible == Decimal("1") for i in scores[alice.pk])


def test_bonus_items_are_the_optional_readings_and_missing_ones_score_zero(
    paper_review, bonus_component, reading, optional_reading, alice, bob
):
    write(paper_review, optional_reading, alice, points=Decimal("1"))
    scores = score_component(bonus_component, [alice, bob], DUE + timedelta(hours=1))
    assert [(i.status, i.earned) for i in scores[alice.pk]] == [("graded", Decimal("1"))]
    assert [(i.status, i.earned) for i in scores[bob.pk]] == [("missing", Decimal("0"))]


def test_providers_run_a_fixed_number_of_queries(
    paper_review, reading, alice, bob, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        score_component(paper_review.component, [alice, bob], DUE)


def test_deadlines_list_the_students_reviews_with_done_flag(
    paper_review, course, reading, optional_reading, alice, instructor
):
    write(paper_review, reading, alice)
    items = [i for i in due_items(alice, [course]) if i.kind == "review"]
    assert [(i.title.split(": ", 1)[1], i.done, i.optional) for i in items] == [
        (reading.paper.title, True, False),
        (f"{optional_reading.paper.title} (optional, bonus)", False, True),
    ]
    assert items[0].due_at == eom(DUE)
    assert [i for i in due_items(instructor, [course]) if i.kind == "review"] == []


def test_course_file_round_trip_keeps_the_review_kinds(paper_review, course, reading):
    data = coursefile.export_data(course)
    (exported,) = data["review_kinds"]
    assert exported["component"] == "Paper reviews"
    assert exported["due"] == {"kind": "before", "days_before": 1, "at": "23:59"}
    exported["name"] = "Review"
    exported["late"] = {"policy": "accept"}
    data.pop("components", None)
    coursefile.import_data(data)
    kind = ReviewKind.objects.get(course=course)
    assert (kind.pk, kind.name, kind.late_policy) == (paper_review.pk, "Review", "accept")
    assert kind.component == paper_review.component


def test_course_file_names_a_missing_component_clearly(paper_review, course, reading):
    data = coursefile.export_data(course)
    data.pop("components", None)
    data["review_kinds"][0]["component"] = "Nonexistent"
    with pytest.raises(CourseFileError) as error:
        coursefile.import_data(data)
    assert error.value.path == "review_kinds[0].component"
    assert "no grade component named 'Nonexistent'" in error.value.message


def test_course_file_refuses_to_remove_a_kind_with_reviews(paper_review, course, reading, alice):
    write(paper_review, reading, alice)
    data = coursefile.export_data(course)
    data.pop("components", None)
    data["review_kinds"] = []
    with pytest.raises(CourseFileError, match="has reviews"):
        coursefile.import_data(data)


# The CSE 585 example of the README's "Course file: review_kinds" section.
CSE585_YAML = """\
review_kinds:
  - name: Summary
    written_by: team
    readings: own
    due: {kind: after, hours_after: 24}
    late: {policy: no_credit}
    max_points: "10"
    component: Paper Summary
    prompts:
      - {key: problem, label: "What is the problem and why is it important?", required: true}
      - {key: hypothesis, label: "What is the hypothesis of the work?", required: true}
      - {key: solution, label: "What is the proposed solution, and what key insight guides their solution?", required: true}
      - {key: drawbacks, label: "What is one (or more) drawback or limitation of the proposal, and how will you improve it?", required: true}
  - name: Question
    written_by: student
    readings: presented
    due: {kind: before, days_before: 1, at: "15:00"}
    late: {policy: no_credit}
    component: Participation
    prompts:
      - {key: question, label: "One insightful question for the authors", required: true, gather: true}
"""


def test_the_readme_cse585_example_loads(other_course):
    import yaml

    from grading.models import ComponentSource, GradeComponent
    from reviews.coursefile import load_kinds

    for name in ("Paper Summary", "Participation"):
        GradeComponent.objects.create(
            course=other_course, name=name, weight=Decimal("10"), source=ComponentSource.REVIEWS
        )
    load_kinds(other_course, yaml.safe_load(CSE585_YAML)["review_kinds"])
    summary, question = ReviewKind.objects.filter(course=other_course)
    assert (summary.written_by, summary.readings, summary.due_kind, summary.due_hours_after) == (
        "team",
        "own",
        "after",
        24,
    )
    assert (question.readings, str(question.due_time), question.late_policy) == (
        "presented",
        "15:00:00",
        "no_credit",
    )


def test_the_dashboard_lists_required_work_first_and_never_calls_optional_work_overdue(
    login, paper_review, course, reading, optional_reading, alice, instructor
):
    client = login(alice)
    with time_machine.travel(DUE - timedelta(hours=3), tick=False):
        page = client.get("/").content.decode()
    due_next, optional = page.split("Due next", 1)[1].split("Optional, if you like", 1)
    assert reading.paper.title in due_next and optional_reading.paper.title not in due_next
    assert f"{optional_reading.paper.title} (optional, bonus)" in optional
    with time_machine.travel(DUE + timedelta(hours=3), tick=False):
        page = client.get("/").content.decode()
    past = page.split("Past due, not submitted", 1)[1]
    assert reading.paper.title in past and optional_reading.paper.title not in past
    staff_page = login(instructor).get("/").content.decode()
    assert f"/courses/{course.code}/gradebook/" in staff_page and "Reviews to grade" in staff_page

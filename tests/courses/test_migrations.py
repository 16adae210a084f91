"""Data migrations, run on rows made with the historical models.

Migration 0009 gives each course its own papers: two courses that read one shared
paper (with claims, claim events and reviews on both readings) end up with a paper
row each, the same details in both, and every reading, claim, event and review still
there and attached.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

LA = ZoneInfo("America/Los_Angeles")
BEFORE = ("courses", "0008_membership_dropped")
AFTER = ("courses", "0009_papers_per_course")


# The apps whose migrations come after courses 0009 (the whole-minute and move migrations)
# go back to where they were before it; every other app stays at its latest.
BEFORE_0009 = [
    ("reviews", "0005_whole_minute_deadlines_and_more_days"),
    ("projects", "0006_whole_minute_deadlines_and_more_days"),
    ("teams", None),
    ("claims", None),
    ("grading", None),
    ("lti", None),  # built on courses' latest migration
    ("attendance", None),  # built on courses' latest migration too
    ("panels", None),  # likewise
    ("feedback", None),  # and presenter feedback
    ("discussions", None),  # built on courses' and reviews' latest migrations
]


def migrate(courses_node):
    """Migrate the courses app to ``courses_node`` (the apps built on it to before the
    models moved, the rest to their latest) and return the historical models there."""
    executor = MigrationExecutor(connection)
    held = {app for app, _ in BEFORE_0009}
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] != "courses" and node[0] not in held
    ]
    targets = [courses_node, *BEFORE_0009, *others]
    executor.migrate(targets)
    applied = [node for node in targets if node[1] is not None]
    return MigrationExecutor(connection).loader.project_state(applied).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def make_course(apps, code, paper, day, student, kind_name):
    Course = apps.get_model("courses", "Course")
    course = Course.objects.create(
        code=code,
        title=code,
        term="Fall 2025",
        time_zone="America/Los_Angeles",
        default_start_time=time(10, 30),
        presenters_per_reading=2,
        claims_per_presenter=1,
    )
    session = apps.get_model("courses", "Session").objects.create(
        course=course, date=day, kind="regular", title=f"{code} session"
    )
    reading = apps.get_model("courses", "Reading").objects.create(
        course=course, session=session, paper=paper, order=1
    )
    claim = apps.get_model("courses", "Claim").objects.create(
        course=course,
        reading=reading,
        student=student,
        claimed_at=datetime(2025, 9, 25, 12, 0, tzinfo=LA),
    )
    apps.get_model("courses", "ClaimEvent").objects.create(
        course=course, reading=reading, claim=claim, action="claim", holder=student.name
    )
    kind = apps.get_model("reviews", "ReviewKind").objects.create(
        course=course, name=kind_name, slug="review", prompts=[{"key": "s", "label": "S"}]
    )
    review = apps.get_model("reviews", "Review").objects.create(
        kind=kind, reading=reading, student=student, answers={"s": "fine"}
    )
    return course, reading, claim, review


def test_0009_gives_each_course_its_own_copy_of_a_shared_paper(old_apps):
    apps = old_apps
    User = apps.get_model("seminar", "User")
    # alice is in ECS 289D, bob in CSE 585; both courses read the same paper row.
    alice = User.objects.create(email="alice@example.edu", name="Alice Archer")
    bob = User.objects.create(email="bob@example.edu", name="Bob Baker")
    shared = apps.get_model("courses", "Paper").objects.create(
        title="Orca: A Distributed Serving System",
        authors="Yu et al.",
        venue="OSDI",
        year=2022,
        url="https://www.usenix.org/conference/osdi22/presentation/yu",
    )
    ecs, ecs_reading, ecs_claim, ecs_review = make_course(
        apps, "ecs289d-f25", shared, date(2025, 10, 7), alice, "Paper review"
    )
    cse, cse_reading, cse_claim, cse_review = make_course(
        apps, "cse585-f25", shared, date(2025, 10, 9), bob, "Question"
    )

    apps = migrate(AFTER)

    Paper = apps.get_model("courses", "Paper")
    Reading = apps.get_model("courses", "Reading")
    ecs_paper = Reading.objects.get(pk=ecs_reading.pk).paper
    cse_paper = Reading.objects.get(pk=cse_reading.pk).paper
    # The first course keeps the original row; the other has a copy of its own.
    assert ecs_paper.pk == shared.pk and ecs_paper.course_id == ecs.pk
    assert cse_paper.pk != shared.pk and cse_paper.course_id == cse.pk
    fields = ("title", "authors", "venue", "year", "url", "is_placeholder")
    assert [getattr(cse_paper, f) for f in fields] == [getattr(ecs_paper, f) for f in fields]
    assert Paper.objects.count() == 2

    assert sorted(Reading.objects.values_list("course_id", flat=True)) == sorted([ecs.pk, cse.pk])
    Claim = apps.get_model("courses", "Claim")
    assert Claim.objects.get(pk=ecs_claim.pk).reading_id == ecs_reading.pk
    assert Claim.objects.get(pk=cse_claim.pk).reading_id == cse_reading.pk
    Review = apps.get_model("reviews", "Review")
    assert Review.objects.get(pk=ecs_review.pk).reading_id == ecs_reading.pk
    assert Review.objects.get(pk=cse_review.pk).reading_id == cse_reading.pk
    # Claim events keep the paper's title and the session's date from now on.
    events = apps.get_model("courses", "ClaimEvent").objects.order_by("course_id")
    assert [(e.reading_id, e.paper_title, e.session_date) for e in events] == [
        (ecs_reading.pk, shared.title, date(2025, 10, 7)),
        (cse_reading.pk, shared.title, date(2025, 10, 9)),
    ]


def test_0009_gives_unplaced_papers_to_the_oldest_course_and_separates_twin_titles(old_apps):
    apps = old_apps
    User = apps.get_model("seminar", "User")
    Paper = apps.get_model("courses", "Paper")
    alice = User.objects.create(email="alice@example.edu", name="Alice Archer")
    orca = Paper.objects.create(title="Orca")
    ecs, ecs_reading, _, _ = make_course(apps, "ecs289d-f25", orca, date(2025, 10, 7), alice, "R")
    # Staff typed the same title twice (read in one session and another), and one unplaced.
    twin = Paper.objects.create(title="ORCA")
    session = apps.get_model("courses", "Session").objects.create(
        course=ecs, date=date(2025, 10, 9), kind="regular"
    )
    twin_reading = apps.get_model("courses", "Reading").objects.create(
        course=ecs, session=session, paper=twin, order=1
    )
    unplaced = Paper.objects.create(title="Not placed yet")

    apps = migrate(AFTER)

    Paper = apps.get_model("courses", "Paper")
    Reading = apps.get_model("courses", "Reading")
    assert Paper.objects.get(pk=unplaced.pk).course_id == ecs.pk
    assert Reading.objects.get(pk=ecs_reading.pk).paper.title == "Orca"
    assert Reading.objects.get(pk=twin_reading.pk).paper.title == "ORCA (2)"

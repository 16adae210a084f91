"""A database made by the migrations of commit cfd836c migrates forward with every row intact.

The database is built from nothing on the migrations as they were at cfd836c, filled
through the historical models of that state (a course with everything the apps keep),
then migrated to today's leaf migrations, whatever they are. Every table of the old
schema is read with raw SQL before and after, by table name, so the test stays valid
when models move to other apps and keep their tables (``db_table``).

Allowed differences, each asserted exactly:
- new columns and new tables;
- deadline columns end their minute (SPEC, Time): 23:59:00 becomes 23:59:59.999999;
- a submission's lateness is judged again against those deadlines;
- papers belong to one course: a paper read by two courses gets a copy, and a reading
  may point to the copy, which has the same details.

Run alone with ``pytest -m migrations``. It leaves the test database at the latest
migrations (the ``migrator`` fixture of django-test-migrations runs ``migrate`` at the end).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.migrations

LA = ZoneInfo("America/Los_Angeles")

# The leaf migrations of the project's apps at cfd836c; Django's apps and axes at theirs.
OLD_LEAVES = [
    ("courses", "0006_second_presenter_by_count"),
    ("reviews", "0004_admin_times_in_course_zone"),
    ("projects", "0005_milestone_extensions"),
    ("seminar", "0001_initial"),
]
THIRD_PARTY_APPS = ("admin", "auth", "contenttypes", "sessions", "axes")
PROJECT_APPS = {app for app, _ in OLD_LEAVES}

DEADLINES = {
    "courses_course": ("claims_close_at", "team_deadline"),
    "projects_milestone": ("due_at",),
    "projects_milestoneextension": ("due_at",),
    "reviews_dueoverride": ("due_at",),
    "reviews_extension": ("due_at",),
    # reminders sent record the due time they were for, so none goes out twice
    "reviews_remindersent": ("due_at",),
    "projects_milestoneremindersent": ("due_at",),
}
PAPER_DETAILS = ("title", "authors", "venue", "year", "url", "is_placeholder")
MICROSECOND = timedelta(microseconds=1)


def test_a_database_from_cfd836c_migrates_forward_with_every_row_intact(migrator):
    empty_database(migrator)
    old = migrator.apply_tested_migration(old_targets()).apps
    build_course(old)
    tables = sorted(
        model._meta.db_table
        for model in old.get_models(include_auto_created=True)
        if model._meta.app_label in PROJECT_APPS
    )
    before = {table: rows(table) for table in tables}
    assert [table for table in tables if not before[table]] == [], "fill every old table"

    migrator.apply_tested_migration(MigrationLoader(connection).graph.leaf_nodes())

    after = {table: rows(table) for table in tables}
    for table in tables:
        if table != "courses_paper":
            assert after[table].keys() == before[table].keys(), f"rows of {table} changed"
        for pk, old_row in before[table].items():
            assert pk in after[table], f"{table} row {pk} is gone"
            new_row = comparable(table, after[table][pk], after)
            assert set(old_row) <= set(new_row), f"{table} lost a column"
            expected = expected_row(table, old_row, before)
            assert {column: new_row[column] for column in old_row} == expected, (table, pk)
    # Papers: a new row is a course's copy of an old paper.
    old_details = {details(paper) for paper in before["courses_paper"].values()}
    for pk, paper in after["courses_paper"].items():
        if pk not in before["courses_paper"]:
            assert details(paper) in old_details


def empty_database(migrator):
    """An empty database, as a new installation of cfd836c starts from.

    ``apply_initial_migration`` drops every table and forgets every applied migration,
    then applies the full plan up to its target: naming the plan's first app, before its
    first migration, applies nothing. (Given cfd836c's leaves it would apply the plan up to
    the last of them, newer courses and projects migrations included, so the old state is
    reached with ``apply_tested_migration``, which applies exactly what the targets need.)
    Functions made by RunSQL outlive their tables; a
    database of cfd836c has only the ones its migrations make, so they go too.
    """
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    first_migration, _ = plan[0]
    migrator.apply_initial_migration((first_migration.app_label, None))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.oid::regprocedure::text FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
            """
        )
        for (function,) in cursor.fetchall():
            cursor.execute(f"DROP FUNCTION {function} CASCADE")  # noqa: S608 (names from pg_proc)
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert cursor.fetchone() == (0,)


def old_targets():
    leaves = MigrationLoader(connection).graph.leaf_nodes()
    return OLD_LEAVES + [node for node in leaves if node[0] in THIRD_PARTY_APPS]


def rows(table):
    """Every row of ``table`` by primary key, as {column: value}."""
    with connection.cursor() as cursor:
        (pk,) = connection.introspection.get_primary_key_columns(cursor, table)
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        columns = [column.name for column in cursor.description]
        return {row[columns.index(pk)]: dict(zip(columns, row, strict=True)) for row in cursor}


def details(paper):
    return tuple(paper[field] for field in PAPER_DETAILS)


def comparable(table, row, snapshot):
    """``row`` with what may be renumbered replaced by what it stands for: a reading's
    paper by the paper's details (a copy made for its course has the same)."""
    if table == "courses_reading":
        row = dict(row, paper_id=details(snapshot["courses_paper"][row["paper_id"]]))
    return row


def end_of_minute(instant):
    return instant.replace(second=59, microsecond=999999)


def expected_row(table, old_row, before):
    """What ``old_row`` must read after migrating forward."""
    expected = comparable(table, old_row, before)
    for column in DEADLINES.get(table, ()):
        if expected[column] is not None:
            expected[column] = end_of_minute(expected[column])
    if table == "projects_submission":
        # Judged against the team's due time, which now ends its minute; late counts
        # from the first late instant.
        milestone = before["projects_milestone"][old_row["milestone_id"]]
        due = end_of_minute(milestone["due_at"])
        for extension in before["projects_milestoneextension"].values():
            if (extension["milestone_id"], extension["team_id"]) == (
                old_row["milestone_id"],
                old_row["team_id"],
            ):
                due = max(due, end_of_minute(extension["due_at"]))
        late = old_row["submitted_at"] > due
        expected["is_late"] = late
        expected["lateness"] = old_row["submitted_at"] - due - MICROSECOND if late else None
    return expected


def build_course(apps):
    """One course with everything cfd836c kept, made through its historical models.

    The claim trigger of courses 0004-0006 is active: one active claim per student,
    seat 1 of readings nobody holds; a withdrawn claim is history and always goes in.

    - yang: instructor; tao: TA.
    - alice, bob: students, both on team "Batching"; alice presents Orca (graded),
      bob claimed Vidur, withdrew, and presents Sarathi.
    - A second course reads Orca too (the paper row is shared at cfd836c).
    """

    def model(label):
        app, name = label.split(".")
        return apps.get_model(app, name).objects

    def at(*args):
        return datetime(*args, tzinfo=LA)

    users = {
        key: model("seminar.User").create(
            email=f"{key}@example.edu", name=name, password="!", is_staff=staff
        )
        for key, name, staff in [
            ("yang", "Yang Zhou", True),
            ("tao", "Tao Lin", True),
            ("alice", "Alice Archer", False),
            ("bob", "Bob Baker", False),
        ]
    }
    yang, tao, alice, bob = users.values()
    claim_type = model("contenttypes.ContentType").create(app_label="courses", model="claim")
    tao.user_permissions.add(
        model("auth.Permission").create(
            content_type=claim_type, codename="change_claim", name="Can change claim"
        )
    )
    tao.groups.add(model("auth.Group").create(name="Teaching assistants"))
    course = model("courses.Course").create(
        code="ecs289d-f25",
        title="Datacenter Systems for LLMs",
        term="Fall 2025",
        institution="UC Davis",
        time_zone="America/Los_Angeles",
        default_start_time=time(10, 30),
        location="Kemper 1065",
        claims_open_at=at(2025, 9, 25, 12, 0),
        claims_close_at=at(2025, 9, 30, 23, 59),
        presenters_per_reading=2,
        claims_per_presenter=1,
        slides_due_hours=24,
        team_min_size=2,
        team_max_size=4,
        team_deadline=at(2025, 10, 7, 23, 59),
    )
    for user, role in [(yang, "instructor"), (tao, "ta"), (alice, "student"), (bob, "student")]:
        model("courses.Membership").create(course=course, user=user, role=role, section="A01")

    session = {
        day: model("courses.Session").create(
            course=course, date=date(2025, 10, day), kind=kind, topic=topic, title=topic
        )
        for day, kind, topic in [
            (7, "regular", "Serving"),
            (9, "regular", "Scheduling"),
            (14, "holiday", "No class"),
        ]
    }
    papers = [
        model("courses.Paper").create(
            title=title, authors=authors, venue="OSDI", year=year, url=url
        )
        for title, authors, year, url in [
            ("Orca", "Yu et al.", 2022, "https://www.usenix.org/conference/osdi22/presentation/yu"),
            ("Vidur", "Agrawal et al.", 2024, "https://arxiv.org/abs/2405.05465"),
            ("Sarathi-Serve", "Agrawal et al.", 2024, "https://arxiv.org/abs/2403.02310"),
        ]
    ]
    orca, vidur, sarathi = (
        model("courses.Reading").create(
            course=course, session=session[day], paper=paper, order=order
        )
        for paper, day, order in [(papers[0], 7, 1), (papers[1], 7, 2), (papers[2], 9, 1)]
    )

    team = model("courses.Team").create(
        course=course, name="Batching", working_title="Batch it", created_by=alice
    )
    for user in (alice, bob):
        model("courses.TeamMember").create(course=course, team=team, user=user)

    claims, events = model("courses.Claim"), model("courses.ClaimEvent")
    alice_claim = claims.create(
        course=course,
        reading=orca,
        student=alice,
        claimed_by=alice,
        claimed_at=at(2025, 9, 25, 12, 0, 1),
        points=Decimal("9.50"),
        feedback="Clear slides.",
    )
    withdrawn = claims.create(
        course=course,
        reading=vidur,
        student=bob,
        claimed_by=bob,
        claimed_at=at(2025, 9, 25, 12, 0, 2),
        withdrawn_at=at(2025, 9, 26, 9, 0),
        withdrawn_by=bob,
    )
    bob_claim = claims.create(
        course=course,
        reading=sarathi,
        student=bob,
        claimed_by=tao,
        by_staff=True,
        reason="swap agreed in class",
        claimed_at=at(2025, 9, 26, 9, 5),
    )
    for claim, action, actor, holder in [
        (alice_claim, "claim", alice, alice),
        (withdrawn, "claim", bob, bob),
        (withdrawn, "withdraw", bob, bob),
        (bob_claim, "assign", tao, bob),
    ]:
        events.create(
            course=course,
            reading=claim.reading,
            claim=claim,
            action=action,
            actor=actor,
            holder=holder.name,
        )
    model("courses.Slides").create(
        reading=orca,
        file="slides/ecs289d-f25/orca.pdf",
        original_name="orca.pdf",
        content_type="application/pdf",
        uploaded_by=alice,
    )

    components = {
        source: model("courses.GradeComponent").create(
            course=course, name=name, group="Course", weight=weight, source=source, order=order
        )
        for order, (name, weight, source) in enumerate(
            [
                ("Reviews", Decimal("30"), "reviews"),
                ("Presentation", Decimal("20"), "presentation"),
                ("Project", Decimal("40"), "milestone"),
                ("Participation", Decimal("10"), "manual"),
            ]
        )
    }
    model("courses.ManualScore").create(
        component=components["manual"], student=alice, points=Decimal("95"), feedback="Engaged."
    )

    kind = model("reviews.ReviewKind").create(
        course=course,
        name="Paper review",
        slug="review",
        prompts=[{"key": "summary", "label": "Summary"}],
        component=components["reviews"],
    )
    model("reviews.Review").create(
        kind=kind,
        reading=vidur,
        student=alice,
        answers={"summary": "A simulator for LLM serving."},
        submitted_at=at(2025, 10, 6, 20, 0),
        first_submitted_at=at(2025, 10, 6, 19, 0),
        points=Decimal("1"),
        feedback="Good.",
        feedback_published=True,
        graded_by=tao,
        graded_at=at(2025, 10, 8, 9, 0),
    )
    model("reviews.Review").create(
        kind=kind, reading=orca, student=bob, answers={"summary": "Iteration-level batching."}
    )
    model("reviews.DueOverride").create(
        kind=kind, session=session[9], due_at=at(2025, 10, 8, 12, 0, 30), reason="guest talk"
    )
    model("reviews.Extension").create(
        course=course,
        kind=kind,
        reading=sarathi,
        student=alice,
        due_at=at(2025, 10, 10, 23, 59),
        reason="sick",
    )
    model("reviews.ReminderSent").create(
        kind=kind,
        reading=orca,
        user=bob,
        due_at=at(2025, 10, 6, 23, 59),
        sent_at=at(2025, 10, 6, 0, 0),
    )

    milestone = model("projects.Milestone").create(
        course=course,
        name="Proposal",
        description="Two pages.",
        due_at=at(2025, 10, 20, 23, 59),
        late_policy="penalty",
        late_penalty_pct=Decimal("10"),
        component=components["milestone"],
    )
    model("projects.MilestoneExtension").create(
        milestone=milestone, team=team, due_at=at(2025, 10, 22, 23, 59), reason="conference"
    )
    # Saved in the extended due minute (late at cfd836c, on time now) and half an hour after.
    for version, submitted_at in [(1, at(2025, 10, 22, 23, 59, 30)), (2, at(2025, 10, 23, 0, 30))]:
        model("projects.Submission").create(
            milestone=milestone,
            team=team,
            version=version,
            submitted_at=submitted_at,
            submitted_by=alice,
            file=f"submissions/proposal-v{version}.pdf",
            original_name="proposal.pdf",
            content_type="application/pdf",
            size=12345,
            is_late=True,
            lateness=submitted_at - at(2025, 10, 22, 23, 59),
        )
    grade = model("projects.MilestoneGrade").create(
        milestone=milestone, team=team, points=Decimal("88"), feedback="Solid.", published=True
    )
    model("projects.MilestoneAdjustment").create(
        grade=grade, student=bob, delta=Decimal("-5"), reason="missed the meeting"
    )
    model("projects.MilestoneReminderSent").create(
        milestone=milestone,
        user=alice,
        due_at=at(2025, 10, 22, 23, 59),
        sent_at=at(2025, 10, 22, 0, 0),
    )

    # A second course reads the same paper row, as cfd836c shared papers between courses.
    other = model("courses.Course").create(
        code="cse585-f25",
        title="Advanced Scalable Systems for GenAI",
        term="Fall 2025",
        time_zone="America/Detroit",
    )
    other_session = model("courses.Session").create(course=other, date=date(2025, 10, 8))
    model("courses.Reading").create(course=other, session=other_session, paper=papers[0], order=1)

"""Gradebook benchmark: compute and render the gradebook of a big course.

Run:  .venv/bin/python bench/gradebook.py [--students 500] [--readings 40] [--db seminar_bench_gradebook]

It rebuilds a dedicated database (default seminar_bench_gradebook, on the embedded
PostgreSQL) and seeds one ECS 289D-like course: N students, R readings (one in
four optional) in two-reading sessions, a review kind feeding "Paper reviews"
whose optional-reading reviews feed the bonus, about 90% of reviews written
(some late under a 10% per-day penalty, a few excused, most graded), teams of
5 with four milestones graded per team and some per-student adjustments,
every reading presented with points on the claim, and participation scores.
Then it times, best of a few runs: computing the gradebook (and its query
count), rendering the staff gradebook page, and writing the Canvas CSV.
Not a test: figures go to standard output and bench/results/gradebook.txt.
"""

import argparse
import functools
import io
import os
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COURSE_CODE = "bench-grades"
D = Decimal


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--readings", type=int, default=40)
    parser.add_argument(
        "--db", default="seminar_bench_gradebook", help="database name (seminar_bench_gradebook)"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the database if seeded")
    return parser.parse_args()


def configure(db_name: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",  # plain static files, no manifest
            "SEMINAR_DB_NAME": db_name,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()


def rebuild_database(db_name: str) -> None:
    import psycopg2
    from django.core.management import call_command
    from django.db import connections
    from psycopg2 import sql

    settings = connections["default"].settings_dict
    connections.close_all()
    conn = psycopg2.connect(
        host=settings["HOST"], port=settings["PORT"], user="postgres", dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db_name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_name)))
    conn.close()
    call_command("migrate", verbosity=0)


def seed(n_students: int, n_readings: int, rng: random.Random):
    """The course, from the shared factories (tests/factories.py); the many rows (users,
    memberships, claims, reviews, grades) are built unsaved and bulk-inserted."""
    from django.contrib.auth import get_user_model

    from claims.models import Claim
    from courses.models import Membership
    from grading.models import ComponentSource, ManualScore
    from teams.models import TeamMember
    from tests import factories as f

    S = ComponentSource
    first_day = date(2025, 9, 30)  # a Tuesday: two sessions a week, Tue and Thu
    course = f.CourseFactory(
        code=COURSE_CODE,
        title="Gradebook benchmark",
        term="Bench",
        claims_open_at=datetime(2025, 9, 25, 19, tzinfo=UTC),
        claims_close_at=datetime(2025, 10, 1, 6, 59, tzinfo=UTC),
        presenters_per_reading=2,
        claims_per_presenter=1,
        team_min_size=3,
        team_max_size=5,
        team_deadline=None,
    )
    make = functools.partial(f.GradeComponentFactory, course=course, published=True)
    components = {
        "proposal": make(name="Project proposal", group="Project", weight=1, source=S.MILESTONE, order=1),
        "midterm": make(name="Mid-term report", group="Project", weight=4, source=S.MILESTONE, order=2),
        "final_pres": make(name="Final presentation", group="Project", weight=10, source=S.MILESTONE, order=3),
        "final": make(name="Final report and code", group="Project", weight=35, source=S.MILESTONE, order=4),
        "presentation": make(name="Class presentation", weight=25, source=S.PRESENTATION, max_points=10, order=5),
        "reviews": make(name="Paper reviews", weight=15, source=S.REVIEWS, order=6),
        "participation": make(name="Class participation", weight=10, source=S.PARTICIPATION, order=7),
        "bonus": make(name="Optional-reading reviews", weight=5, is_bonus=True, source=S.BONUS_REVIEWS, order=8),
    }  # fmt: skip

    readings = []
    for index in range(n_readings):
        if index % 2 == 0:
            pair = index // 2
            day = first_day + timedelta(days=7 * (pair // 2) + 2 * (pair % 2))
            session = f.SessionFactory(course=course, date=day)
        readings.append(
            f.ReadingFactory(
                session=session,
                paper__title=f"Bench paper {index + 1}",
                order=index % 2,
                required=index % 4 != 3,
            )
        )

    users = get_user_model().objects.bulk_create(
        f.UserFactory.build(
            email=f"grade{i:04d}@example.edu", name=f"Student {i:04d}", student_id=f"91{i:07d}",
            password=None,
        )
        for i in range(n_students)
    )  # fmt: skip
    Membership.objects.bulk_create(
        f.MembershipFactory.build(user=u, course=course, student=True, section=f"A0{i % 3 + 1}")
        for i, u in enumerate(users)
    )
    ManualScore.objects.bulk_create(
        f.ManualScoreFactory.build(
            component=components["participation"], student=u, points=D(rng.randint(60, 100))
        )
        for u in users
        if rng.random() < 0.95
    )

    # Presentations: first seats for every reading, then second seats.
    presenters = rng.sample(users, min(len(users), 2 * len(readings)))
    for seat in (1, 2):
        chunk = presenters[(seat - 1) * len(readings) : seat * len(readings)]
        Claim.objects.bulk_create(
            f.ClaimFactory.build(
                course=course, reading=r, student=u, seat=seat, points=D(rng.randint(6, 10))
            )
            for r, u in zip(readings, chunk, strict=False)
        )

    teams = [
        (f.TeamFactory(course=course, name=f"Team {t + 1:03d}"), users[start : start + 5])
        for t, start in enumerate(range(0, len(users), 5))
    ]
    TeamMember.objects.bulk_create(
        f.TeamMemberFactory.build(team=team, course=course, user=u)
        for team, members in teams
        for u in members
    )

    seeded = {"reviews": 0, "milestone grades": 0}
    seeded["reviews"] = _seed_reviews(course, components, readings, users, rng)
    seeded["milestone grades"] = _seed_milestones(course, components, teams, rng)
    return course, seeded


def _seed_reviews(course, components, readings, users, rng) -> int:
    try:
        from reviews.models import LatePolicy, Review
    except ImportError:  # reviews not installed: the gradebook simply has no review scores
        return 0
    from tests import factories as f

    kind = f.ReviewKindFactory(
        course=course,
        name="Paper review",
        slug="review",
        prompts=[{"key": "summary", "label": "Summary", "required": True}],
        late_policy=LatePolicy.PENALTY,
        late_penalty_percent=D(10),
        max_points=D(10),
        component=components["reviews"],
        counts_optional_as_bonus=True,
    )
    rows = []
    for reading in readings:
        due = datetime.combine(
            reading.session.date - timedelta(days=1), dtime(23, 59), tzinfo=course.tz
        )
        for user in users:
            if rng.random() > (0.9 if reading.required else 0.4):
                continue
            late = rng.random() < 0.05
            at = due + (timedelta(hours=rng.randint(1, 40)) if late else -timedelta(hours=3))
            rows.append(
                f.ReviewFactory.build(
                    kind=kind,
                    reading=reading,
                    student=user,
                    answers={"summary": "A fine paper."},
                    submitted_at=at,
                    first_submitted_at=at,
                    is_excused=rng.random() < 0.01,
                    points=D(rng.randint(5, 10)) if rng.random() < 0.95 else None,
                )
            )
    Review.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _seed_milestones(course, components, teams, rng) -> int:
    try:
        from projects.models import MilestoneAdjustment, MilestoneGrade
    except ImportError:
        return 0
    from tests import factories as f

    specs = [
        ("Proposal", "proposal", datetime(2025, 10, 14, 6, 59, tzinfo=UTC)),
        ("Mid-term report", "midterm", datetime(2025, 11, 7, 7, 59, tzinfo=UTC)),
        ("Final presentation", "final_pres", datetime(2025, 12, 4, 18, 30, tzinfo=UTC)),
        ("Final report and code", "final", datetime(2025, 12, 12, 7, 59, tzinfo=UTC)),
    ]
    grades = []
    for order, (name, key, due) in enumerate(specs):
        milestone = f.MilestoneFactory(
            course=course, name=name, due_at=due, component=components[key], order=order
        )
        grades += MilestoneGrade.objects.bulk_create(
            f.MilestoneGradeFactory.build(
                milestone=milestone, team=team, points=D(rng.randint(70, 100)), published=True
            )
            for team, _ in teams
        )
    members = {team.pk: m for team, m in teams}
    MilestoneAdjustment.objects.bulk_create(
        f.MilestoneAdjustmentFactory.build(
            grade=g, student=rng.choice(members[g.team_id]), delta=D(rng.choice([-10, -5, 5])),
            reason="individual contribution",
        )
        for g in grades
        if rng.random() < 0.2
    )  # fmt: skip
    return len(grades)


def best_of(runs: int, fn):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    args = parse_args()
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    say(
        f"gradebook  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {os.cpu_count()} CPUs, "
        f"embedded PostgreSQL, {args.students} students x {args.readings} readings"
    )
    configure(args.db)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from courses.models import Course
    from grading.canvas import write_canvas_csv
    from grading.engine import compute_gradebook
    from grading.views import gradebook

    rng = random.Random(args.seed)
    course = None
    if args.keep:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a database kept from an older checkout
        course = Course.objects.filter(code=COURSE_CODE).first()
    if course is None:
        rebuild_database(args.db)
        start = time.perf_counter()
        course, seeded = seed(args.students, args.readings, rng)
        say(
            f"seeded {args.students} students x {args.readings} readings "
            + ", ".join(f"{n} {what}" for what, n in seeded.items())
            + f" in {time.perf_counter() - start:.1f} s"
        )
    staff = get_user_model().objects.create_superuser(
        email=f"bench-{secrets.token_hex(4)}@example.edu", password=None
    )

    with CaptureQueriesContext(connection) as queries:
        book = compute_gradebook(course)
    items = sum(len(s.items) for r in book.rows for s in r.components)
    say(
        f"gradebook: {len(book.rows)} students x {len(book.components)} components, "
        f"{items} items, {len(queries.captured_queries)} queries"
    )

    best, median, _ = best_of(args.runs, lambda: compute_gradebook(course))
    say(f"compute with items: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms")
    with CaptureQueriesContext(connection) as queries:
        compute_gradebook(course, summed=True)
    best, median, _ = best_of(args.runs, lambda: compute_gradebook(course, summed=True))
    say(
        f"compute summed (page, CSV): best {best * 1000:.0f} ms, median {median * 1000:.0f} ms, "
        f"{len(queries.captured_queries)} queries"
    )

    from courses.models import Membership
    from grading import engine as grading

    students = [
        m.user for m in Membership.objects.students().filter(course=course).select_related("user")
    ]
    for component in book.components:
        # Each provider alone, with a context of its own (the gradebook shares one).
        took, _, _ = best_of(
            args.runs, lambda c=component: grading.score_component(c, students, book.now)
        )

        def summed(c=component):
            context = grading.GradeContext(course, students, book.now, summed=True)
            return grading.score_component(c, students, book.now, context=context)

        took_summed, _, _ = best_of(args.runs, summed)
        say(
            f"  provider {component.source:<14} {component.name:<26} best {took * 1000:.0f} ms"
            f", summed {took_summed * 1000:.0f} ms"
        )

    factory = RequestFactory()

    def render_page():
        request = factory.get(f"/courses/{course.code}/gradebook/")
        request.user = staff
        response = gradebook(request, course.code)
        assert response.status_code == 200
        return response

    best_page, median_page, response = best_of(args.runs, render_page)
    say(
        f"page (compute + render): best {best_page * 1000:.0f} ms, "
        f"median {median_page * 1000:.0f} ms, {len(response.content) / 1024:.0f} KiB"
    )
    views = sys.modules["grading.views"]
    summed_book = compute_gradebook(course, summed=True)
    views.compute_gradebook = lambda course, **kwargs: summed_book  # render alone
    best_render, median_render, _ = best_of(args.runs, render_page)
    views.compute_gradebook = compute_gradebook
    say(f"render alone: best {best_render * 1000:.0f} ms, median {median_render * 1000:.0f} ms")

    def csv_out():
        out = io.StringIO()
        write_canvas_csv(compute_gradebook(course, summed=True), out)
        return out.getvalue()

    best_csv, median_csv, text = best_of(args.runs, csv_out)
    say(f"csv: best {best_csv * 1000:.0f} ms, median {median_csv * 1000:.0f} ms, {len(text)} bytes")
    staff.delete()
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "gradebook.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

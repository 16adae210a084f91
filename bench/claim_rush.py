"""Claim rush: N students press "claim" at the instant the claim window opens.

Run:  .venv/bin/python bench/claim_rush.py            (see bench/README.md)

It rebuilds a dedicated database (default seminar_bench) on the embedded
PostgreSQL, seeds one course (40 claimable readings, 2 seats each, 1 claim per
student) and N students with signed-in sessions, serves the app with gunicorn
on loopback, and fires every student's POST /courses/<code>/claims/readings/<id>/claim/
at the same instant: the window's opening. Popular papers are picked more often
(a Zipf-like spread), as in a real rush. Then it checks the invariants in the
database and repeats the rush against a baseline view that does one insert in
one transaction (same server, middleware, session and user lookup), to show
what the claim rules cost on top of "one write". Figures go to standard output
and to bench/results/claim_rush.txt.
"""

import argparse
import http.client
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF = secrets.token_hex(16)  # a 32-character secret: valid as cookie and header
COURSE_CODE = "bench-rush"
READINGS = 40


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200, help="simulated students (200)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--db", default="seminar_bench", help="database name (seminar_bench)")
    parser.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    parser.add_argument("--seed", type=int, default=4)
    return parser.parse_args()


def configure(db_name: str) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SEMINAR_DB_NAME": db_name,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


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


def seed(students: int):
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from bench.urls import BASELINE_TABLE
    from courses.models import Course, Membership, Paper, Reading, Role, Session

    now = datetime.now(UTC)
    course = Course.objects.create(
        code=COURSE_CODE,
        title="Claim rush",
        term="Bench",
        claims_open_at=now + timedelta(hours=1),
        claims_close_at=now + timedelta(days=1),
        presenters_per_reading=2,
        claims_per_presenter=1,
    )
    readings = []
    for week in range(READINGS // 2):
        session = Session.objects.create(
            course=course, date=date(2025, 10, 1) + timedelta(days=7 * week)
        )
        for order in (1, 2):
            paper = Paper.objects.create(title=f"Paper {week + 1}.{order}")
            readings.append(Reading.objects.create(session=session, paper=paper, order=order))
    User = get_user_model()
    users = [
        User(email=f"rush{i:04d}@example.edu", name=f"Student {i:04d}") for i in range(students)
    ]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    Membership.objects.bulk_create(
        [Membership(user=u, course=course, role=Role.STUDENT) for u in users]
    )
    cookies = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"sessionid={store.session_key}; csrftoken={CSRF}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {BASELINE_TABLE} (id bigserial PRIMARY KEY, user_id bigint NOT NULL,"  # noqa: S608
            " at timestamptz NOT NULL DEFAULT now())"
        )
    return course, readings, cookies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "seminar.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        server.terminate()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")
    # Warm every worker (imports, database connection) so the rush measures requests.
    for _ in range(workers * 4):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
    return server


def rush(port: int, jobs: list[tuple[str, str]], start_at: float):
    """POST every (cookie, path) at wall-clock ``start_at``; return per-request results."""
    results: list = [None] * len(jobs)
    ready = threading.Barrier(len(jobs) + 1)

    def student(index, cookie, target):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.connect()
            ready.wait()
            time.sleep(max(0.0, start_at - time.time()))
            began = time.perf_counter()
            conn.request(
                "POST",
                target,
                body=b"",
                headers={"Cookie": cookie, "X-CSRFToken": CSRF, "Content-Length": "0"},
            )
            response = conn.getresponse()
            response.read()
            results[index] = (began, time.perf_counter(), response.status)
        except Exception as exc:  # noqa: BLE001 - reported as "no answer"
            results[index] = (None, None, repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=student, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    ready.wait()
    for thread in threads:
        thread.join()
    return results


def summarize(label: str, results) -> tuple[dict, list[str]]:
    done = [r for r in results if r[0] is not None]
    latencies = sorted((end - began) * 1000 for began, end, _ in done)
    statuses = Counter(str(r[2]) for r in results)
    wall = max(end for _, end, _ in done) - min(began for began, _, _ in done)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]

    figures = {
        "requests": len(results),
        "rps": len(done) / wall if wall else float("nan"),
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "max": latencies[-1],
    }
    lines = [
        f"{label}",
        f"  requests      {figures['requests']} (HTTP status: {dict(sorted(statuses.items()))})",
        f"  throughput    {figures['rps']:.0f} requests/s over {wall * 1000:.0f} ms",
        f"  latency (ms)  p50 {figures['p50']:.1f}  p95 {figures['p95']:.1f}  p99 {figures['p99']:.1f}  max {figures['max']:.1f}",
    ]
    return figures, lines


def check_invariants(course, readings) -> list[str]:
    from courses.models import Claim, ClaimEvent

    course.refresh_from_db()
    active = list(Claim.objects.active().filter(course=course))
    per_reading = Counter(c.reading_id for c in active)
    per_student = Counter(c.student_id for c in active)
    problems = []
    if per_reading and max(per_reading.values()) > course.presenters_per_reading:
        problems.append("a reading exceeds its capacity")
    if per_student and max(per_student.values()) > course.claims_per_presenter:
        problems.append("a student exceeds the claim limit")
    holders: dict[int, int] = {r.pk: 0 for r in readings}
    for event in ClaimEvent.objects.filter(course=course).select_related("claim").order_by("id"):
        if event.claim.seat > 1 and not all(holders.values()):
            problems.append(f"second seat opened while a reading was free ({event})")
        holders[event.reading_id] += 1
    events = ClaimEvent.objects.filter(course=course).count()
    if events != len(active):
        problems.append(f"{len(active)} claims but {events} audit events")
    seats = Counter(c.seat for c in active)
    return problems, len(active), len(per_reading), seats


def main():
    args = parse_args()
    env = configure(args.db)
    print(f"Rebuilding database {args.db} …", flush=True)
    rebuild_database(args.db)
    course, readings, cookies = seed(args.students)
    port = args.port or free_port()
    print(f"Serving with gunicorn ({args.workers} sync workers) on 127.0.0.1:{port} …", flush=True)
    server = start_server(env, port, args.workers)
    try:
        rng = random.Random(args.seed)
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(readings))]
        picks = rng.choices(readings, weights=weights, k=len(cookies))
        jobs = [
            (cookie, f"/courses/{COURSE_CODE}/claims/readings/{reading.pk}/claim/")
            for cookie, reading in zip(cookies, picks, strict=True)
        ]
        opens = time.time() + 3
        course.claims_open_at = datetime.fromtimestamp(opens, UTC)
        course.save(update_fields=["claims_open_at"])
        claim_results = rush(port, jobs, opens + 0.005)
        claim_figures, claim_lines = summarize(
            f"Claim rush: {args.students} students, {len(readings)} readings, window opens",
            claim_results,
        )
        problems, claimed, distinct, seats = check_invariants(course, readings)

        baseline_jobs = [(cookie, "/bench/baseline/") for cookie in cookies]
        baseline_results = rush(port, baseline_jobs, time.time() + 2)
        base_figures, base_lines = summarize(
            "Baseline: one insert in one transaction, same server", baseline_results
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    answered = sum(1 for r in claim_results if r[2] == 302)
    lines = [
        f"claim_rush  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  "
        f"gunicorn {args.workers} workers, {os.cpu_count()} CPUs, embedded PostgreSQL",
        "",
        *claim_lines,
        f"  answered      {answered}/{len(claim_results)} with a definite answer (302 to the board)",
        f"  claims        {claimed} succeeded ({distinct} readings taken; seats {dict(sorted(seats.items()))}); "
        f"{len(claim_results) - claimed} told who holds their pick",
        f"  invariants    {'OK' if not problems else 'VIOLATED: ' + '; '.join(problems)}",
        "",
        *base_lines,
        "",
        f"Ratio: claim throughput is {claim_figures['rps'] / base_figures['rps']:.2f}x the baseline; "
        f"p50 {claim_figures['p50'] / base_figures['p50']:.2f}x, p99 {claim_figures['p99'] / base_figures['p99']:.2f}x its latency.",
    ]
    text = "\n".join(lines)
    print(text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "claim_rush.txt").write_text(text + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

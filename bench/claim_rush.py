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
import selectors
import socket
import subprocess
import sys
import time
from collections import Counter, deque
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
    # CPUs + 1 sync workers: PostgreSQL runs on the same cores, so gunicorn's usual
    # 2 x CPUs + 1 only adds context switches (measured: 3 or 4 beat 5 and 8 here).
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument(
        "--arrival",
        default="both",
        choices=["both", "burst", "spread"],
        help="burst: every request in the same instant; spread: over --spread-ms (both)",
    )
    parser.add_argument("--spread-ms", type=float, default=1000)
    parser.add_argument(
        "--profile-only", action="store_true", help="only the in-process figures, no server"
    )
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
            paper = Paper.objects.create(course=course, title=f"Paper {week + 1}.{order}")
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


def start_server(env: dict, port: int, workers: int, worker_class: str, threads: int):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "seminar.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
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


def claim_path(reading) -> str:
    return f"/courses/{COURSE_CODE}/claims/readings/{reading.pk}/claim/"


def request_bytes(port: int, cookie: str, target: str) -> bytes:
    return (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        f"X-CSRFToken: {CSRF}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode()


def rush(port: int, jobs: list[tuple[float, bytes]], start_at: float):
    """Send each request at ``start_at`` + its offset (seconds, wall clock); return results.

    One thread and non-blocking sockets: the load generator shares the CPUs with
    the server, so it must cost next to nothing (200 client threads cost the
    server a large share of two cores). Each student opens a connection when
    they click, sends one request and reads the answer to the end. Latency is
    counted from the scheduled click, so a client that falls behind shows up
    as latency instead of hiding it.
    """
    base = time.perf_counter() + (start_at - time.time())
    order = deque(sorted(range(len(jobs)), key=lambda i: jobs[i][0]))
    results: list = [None] * len(jobs)
    selector = selectors.DefaultSelector()
    buffers: dict[int, bytearray] = {}
    open_sockets = 0
    give_up = base + max(offset for offset, _ in jobs) + 120
    while order or open_sockets:
        now = time.perf_counter()
        if now > give_up:
            break
        while order and base + jobs[order[0]][0] <= now:
            index = order.popleft()
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            selector.register(sock, selectors.EVENT_WRITE, index)
            buffers[index] = bytearray()
            open_sockets += 1
        timeout = (base + jobs[order[0]][0] - time.perf_counter()) if order else 1.0
        for key, mask in selector.select(max(0.0, timeout)):
            sock, index = key.fileobj, key.data
            try:
                if mask & selectors.EVENT_WRITE:
                    sock.sendall(jobs[index][1])
                    selector.modify(sock, selectors.EVENT_READ, index)
                    continue
                chunk = sock.recv(65536)
            except OSError as exc:
                chunk, error = b"", repr(exc)
            else:
                error = None
            if chunk:
                buffers[index] += chunk
                continue
            ended = time.perf_counter()
            selector.unregister(sock)
            sock.close()
            open_sockets -= 1
            head = bytes(buffers.pop(index)[:12])
            status = head[9:12].decode() if head.startswith(b"HTTP/") else (error or "no answer")
            results[index] = (base + jobs[index][0], ended, status)
    for index, result in enumerate(results):
        if result is None:
            results[index] = (None, None, "no answer")
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
    from claims.models import Claim, ClaimEvent

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


def reset_claims(course, opens_at: datetime) -> None:
    """Forget every claim and open the window at ``opens_at`` (between scenarios)."""
    from claims.models import Claim, ClaimEvent

    ClaimEvent.objects.filter(course=course).delete()
    Claim.objects.filter(course=course).delete()
    course.claims_open_at = opens_at
    course.save(update_fields=["claims_open_at"])


def profile_in_process(course, readings, cookies) -> list[str]:
    """Queries per request and time under the course lock, one request at a time.

    Runs the views in this process (Django's test client, the same middleware and
    session cookies), so it shows the work of one request with no contention:
    the floor under what the rush measures.
    """
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    reset_claims(course, datetime.now(UTC) - timedelta(minutes=1))
    lock = {"held": [], "since": None}

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "FOR UPDATE" in sql and "courses_course" in sql and lock["since"] is None:
            lock["since"] = time.perf_counter()
        return result

    real_commit, real_rollback = connection.commit, connection.rollback

    def released(method):
        def wrapper(*args, **kwargs):
            outcome = method(*args, **kwargs)
            if lock["since"] is not None:
                lock["held"].append((time.perf_counter() - lock["since"]) * 1000)
                lock["since"] = None
            return outcome

        return wrapper

    def measure(label, requests):
        times, cpu, counts, statuses = [], [], [], Counter()
        for cookie, target in requests:
            client = Client(HTTP_HOST="127.0.0.1", HTTP_X_CSRFTOKEN=CSRF)
            for part in cookie.split("; "):
                name, value = part.split("=", 1)
                client.cookies[name] = value
            with CaptureQueriesContext(connection) as queries:
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.post(target)
                times.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
            counts.append(sum(1 for q in queries if q["sql"] not in ("BEGIN", "COMMIT")))
            statuses[response.status_code] += 1
        return (
            f"  {label:<30} {statistics.median(counts):>3.0f} queries  "
            f"median {statistics.median(times):5.2f} ms ({statistics.median(cpu):5.2f} ms CPU in "
            f"Django)  n={len(times)}, HTTP {dict(statuses)}"
        )

    half = len(readings) // 2
    connection.commit, connection.rollback = released(real_commit), released(real_rollback)
    try:
        with connection.execute_wrapper(watch):
            lines = [
                "In-process, one request at a time (no contention): queries and time per request",
                measure("baseline (one insert)", [(c, "/bench/baseline/") for c in cookies[:40]]),
                measure(
                    "claim, wins a free reading",
                    [(cookies[i], claim_path(readings[i])) for i in range(half)],
                ),
                measure(
                    "claim, reading already taken",
                    [(cookies[half + i], claim_path(readings[i % half])) for i in range(40)],
                ),
            ]
    finally:
        connection.commit, connection.rollback = real_commit, real_rollback
    held = sorted(lock["held"])
    lines.append(
        f"  course-row lock held (claims that reached it): median {statistics.median(held):.2f} ms, "
        f"max {held[-1]:.2f} ms over {len(held)} claims"
    )
    return lines


def server_cpu(server) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each gunicorn worker and each PostgreSQL backend of our
    database: the server's own cost of a rush, whatever else the machine is doing."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    processes = [("app", p) for p in psutil.Process(server.pid).children()]
    for pid in backends:
        try:
            processes.append(("db", psutil.Process(pid)))
        except psutil.NoSuchProcess:
            pass
    used = {}
    for kind, process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        used[process.pid] = (kind, times.user + times.system)
    return used


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of server CPU per request between two server_cpu() readings."""
    spent = {"app": 0.0, "db": 0.0}
    for pid, (kind, seconds) in after.items():
        spent[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    per_request = {kind: seconds * 1000 / requests for kind, seconds in spent.items()}
    per_request["total"] = per_request["app"] + per_request["db"]
    return per_request


def cpu_line(cpu: dict) -> str:
    return (
        f"  server CPU    {cpu['total']:.2f} ms per request: gunicorn workers {cpu['app']:.2f}, "
        f"PostgreSQL backends {cpu['db']:.2f}"
    )


def arrivals(kind: str, count: int, spread_ms: float, rng: random.Random) -> list[float]:
    """Seconds after the window opens at which each student's request leaves."""
    if kind == "burst":
        return [0.005] * count  # all in the same instant, just after the opening
    return sorted(0.005 + rng.uniform(0, spread_ms / 1000) for _ in range(count))


def main():
    args = parse_args()
    load_before = os.getloadavg()
    env = configure(args.db)
    print(f"Rebuilding database {args.db} …", flush=True)
    rebuild_database(args.db)
    course, readings, cookies = seed(args.students)
    profile_lines = profile_in_process(course, readings, cookies)
    print("\n".join(profile_lines), flush=True)
    if args.profile_only:
        return 0
    port = args.port or free_port()
    server_label = (
        f"gunicorn {args.workers} {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
        + f", {os.cpu_count()} CPUs, embedded PostgreSQL, client and server on the same machine"
    )
    print(f"Serving: {server_label}, 127.0.0.1:{port} …", flush=True)
    server = start_server(env, port, args.workers, args.worker_class, args.threads)
    rng = random.Random(args.seed)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(readings))]
    picks = rng.choices(readings, weights=weights, k=len(cookies))
    claim_requests = [
        request_bytes(port, cookie, claim_path(reading))
        for cookie, reading in zip(cookies, picks, strict=True)
    ]
    base_requests = [request_bytes(port, cookie, "/bench/baseline/") for cookie in cookies]
    # Warm every worker on both paths (imports, URL resolver, first queries) while the
    # window is still closed: a claim now is answered "Claiming opens …" and changes nothing.
    warm = [request_bytes(port, cookies[0], claim_path(picks[0])), base_requests[0]] * (
        10 * args.workers
    )
    rush(port, [(i * 0.002, request) for i, request in enumerate(warm)], time.time())
    scenarios = ["burst", "spread"] if args.arrival == "both" else [args.arrival]
    report = []
    violated = False
    try:
        for kind in scenarios:
            offsets = arrivals(kind, len(cookies), args.spread_ms, rng)
            how = (
                "all in the same instant"
                if kind == "burst"
                else f"spread uniformly over the first {args.spread_ms:.0f} ms"
            )
            opens = time.time() + 2
            reset_claims(course, datetime.fromtimestamp(opens, UTC))
            cpu_before = server_cpu(server)
            claim_results = rush(port, list(zip(offsets, claim_requests, strict=True)), opens)
            claim_cpu = cpu_per_request(cpu_before, server_cpu(server), len(claim_results))
            claim_figures, claim_lines = summarize(
                f"Claim rush: {args.students} students, {len(readings)} readings, {how}",
                claim_results,
            )
            problems, claimed, distinct, seats = check_invariants(course, readings)
            violated = violated or bool(problems)
            cpu_before = server_cpu(server)
            base_results = rush(
                port, list(zip(offsets, base_requests, strict=True)), time.time() + 1
            )
            base_cpu = cpu_per_request(cpu_before, server_cpu(server), len(base_results))
            base_figures, base_lines = summarize(
                f"Baseline: one insert in one transaction, same server, {how}", base_results
            )
            answered = sum(1 for r in claim_results if r[2] == "302")
            report += [
                f"== {kind} ==",
                *claim_lines,
                f"  answered      {answered}/{len(claim_results)} with a definite answer (302 to the board)",
                f"  claims        {claimed} succeeded ({distinct} readings taken; seats "
                f"{dict(sorted(seats.items()))}); {len(claim_results) - claimed} told who holds their pick",
                f"  invariants    {'OK' if not problems else 'VIOLATED: ' + '; '.join(problems)}",
                cpu_line(claim_cpu),
                *base_lines,
                cpu_line(base_cpu),
                f"  ratio         claim throughput {claim_figures['rps'] / base_figures['rps']:.2f}x the "
                f"baseline's; p50 {claim_figures['p50'] / base_figures['p50']:.2f}x, "
                f"p95 {claim_figures['p95'] / base_figures['p95']:.2f}x its latency; "
                f"server CPU per request {base_cpu['total'] / claim_cpu['total']:.2f}x",
                "",
            ]
    finally:
        server.terminate()
        server.wait(timeout=30)

    text = "\n".join(
        [
            f"claim_rush  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {server_label}",
            "load average before the run (other work on the machine): "
            + " ".join(f"{x:.2f}" for x in load_before),
            "",
            *profile_lines,
            "",
            *report,
        ]
    )
    print(text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "claim_rush.txt").write_text(text + "\n")
    return 1 if violated else 0


if __name__ == "__main__":
    sys.exit(main())

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

--servers N runs N gunicorn instances and splits the students between them;
--pgbouncer puts PgBouncer (transaction pooling) between them and PostgreSQL;
--campus seeds many courses whose windows open at the same instant. Those runs
write to their own results file (claim_rush_<modes>.txt).
"""

import argparse
import contextlib
import http.client
import os
import random
import secrets
import selectors
import signal
import socket
import statistics
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
        "--rounds",
        type=int,
        default=5,
        help="claim and baseline passes per arrival pattern, alternating which goes first; "
        "the report gives every round and the medians (5)",
    )
    parser.add_argument(
        "--profile-only", action="store_true", help="only the in-process figures, no server"
    )
    parser.add_argument("--db", default="seminar_bench", help="database name (seminar_bench)")
    parser.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="gunicorn instances, each with --workers workers, on their own ports; "
        "the students are split round-robin between them (1)",
    )
    parser.add_argument(
        "--pgbouncer",
        action="store_true",
        help="every gunicorn instance reaches PostgreSQL through PgBouncer in transaction mode",
    )
    parser.add_argument(
        "--pool-size", type=int, default=20, help="PgBouncer's default_pool_size (20)"
    )
    parser.add_argument(
        "--campus",
        action="store_true",
        help="--courses courses of --students-per-course students, every claim window "
        "opening at the same instant (--students is then ignored)",
    )
    parser.add_argument("--courses", type=int, default=20, help="with --campus (20)")
    parser.add_argument("--students-per-course", type=int, default=100, help="with --campus (100)")
    args = parser.parse_args()
    if args.servers < 1:
        parser.error("--servers must be at least 1")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.campus and args.courses < 1:
        parser.error("--courses must be at least 1")
    return args


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


def create_baseline_table() -> None:
    from django.db import connection

    from bench.urls import BASELINE_TABLE

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {BASELINE_TABLE} (id bigserial PRIMARY KEY, user_id bigint NOT NULL,"  # noqa: S608
            " at timestamptz NOT NULL DEFAULT now())"
        )


def seed(students: int, code: str = COURSE_CODE, email_prefix: str = "rush"):
    """One course (40 claimable readings, 2 seats each, 1 claim per student) and its
    signed-in students: (course, readings, session cookies)."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from courses.models import Course, Membership, Paper, Reading, Role, Session

    now = datetime.now(UTC)
    course = Course.objects.create(
        code=code,
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
        User(email=f"{email_prefix}{i:04d}@example.edu", name=f"Student {i:04d}")
        for i in range(students)
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
            "--config",
            str(ROOT / "bench" / "gunicorn.conf.py"),
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
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn on port {port} exited with status {server.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /healthz within 60 s")
        # Warm every worker (imports, database connection) so the rush measures requests.
        for _ in range(workers * 4):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server) -> None:
    """Stop a gunicorn master (it stops its workers); kill it if it hangs."""
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def claim_path(reading, code: str = COURSE_CODE) -> str:
    return f"/courses/{code}/claims/readings/{reading.pk}/claim/"


def request_bytes(port: int, cookie: str, target: str) -> bytes:
    return (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        f"X-CSRFToken: {CSRF}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode()


def rush(jobs: list[tuple[float, int, bytes]], start_at: float):
    """Send each request (offset, port, bytes) at ``start_at`` + its offset (seconds, wall
    clock) to 127.0.0.1:port; return results.

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
    give_up = base + max(offset for offset, _, _ in jobs) + 120
    while order or open_sockets:
        now = time.perf_counter()
        if now > give_up:
            break
        while order and base + jobs[order[0]][0] <= now:
            index = order.popleft()
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", jobs[index][1]))
            selector.register(sock, selectors.EVENT_WRITE, index)
            buffers[index] = bytearray()
            open_sockets += 1
        timeout = (base + jobs[order[0]][0] - time.perf_counter()) if order else 1.0
        for key, mask in selector.select(max(0.0, timeout)):
            sock, index = key.fileobj, key.data
            try:
                if mask & selectors.EVENT_WRITE:
                    sock.sendall(jobs[index][2])
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
        began = time.perf_counter()
        result = execute(sql, params, many, context)
        if sql.lstrip().startswith("WITH course AS ("):
            # A claim in one statement (claims/services.py) holds the lock only inside it,
            # from taking it to its own commit: at most the statement's time.
            lock["held"].append((time.perf_counter() - began) * 1000)
        elif "FOR UPDATE" in sql and "courses_course" in sql and lock["since"] is None:
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

    code = course.code
    half = len(readings) // 2
    winners = cookies[:half]  # each takes a reading of the first half
    losers = cookies[half : half + 40]  # each asks for one of those readings, taken
    connection.commit, connection.rollback = released(real_commit), released(real_rollback)
    try:
        with connection.execute_wrapper(watch):
            lines = [
                "In-process, one request at a time (no contention): queries and time per request",
                measure("baseline (one insert)", [(c, "/bench/baseline/") for c in cookies[:40]]),
                measure(
                    "claim, wins a free reading",
                    [(c, claim_path(readings[i], code)) for i, c in enumerate(winners)],
                ),
            ]
            if losers:
                lines.append(
                    measure(
                        "claim, reading already taken",
                        [(c, claim_path(readings[i % half], code)) for i, c in enumerate(losers)],
                    )
                )
    finally:
        connection.commit, connection.rollback = real_commit, real_rollback
    held = sorted(lock["held"])
    lines.append(
        f"  course-row lock held (claims that reached it): median {statistics.median(held):.2f} ms, "
        f"max {held[-1]:.2f} ms over {len(held)} claims"
    )
    return lines


def server_cpu(servers, bouncer=None) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each gunicorn worker (of every instance), each PostgreSQL
    backend of our database and PgBouncer (``bouncer``: its process, if any): the server's
    own cost of a rush, whatever else the machine is doing."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    processes = [("app", p) for server in servers for p in psutil.Process(server.pid).children()]
    if bouncer is not None:
        processes.append(("pool", psutil.Process(bouncer.pid)))
    for pid in backends:
        try:
            processes.append(("db", psutil.Process(pid)))
        except psutil.NoSuchProcess:
            pass
    used = {}
    for kind, process in processes:
        try:
            used[process.pid] = (kind, cpu_seconds(process))
        except psutil.NoSuchProcess:
            continue
    return used


def cpu_seconds(process) -> float:
    """CPU time a process has used: the scheduler's nanoseconds (/proc/<pid>/schedstat)
    where Linux keeps them, else user + system time, which comes in clock ticks (10 ms:
    over 200 requests and a dozen processes, a tenth of a millisecond per request)."""
    import psutil

    try:
        with open(f"/proc/{process.pid}/schedstat") as stat:
            return int(stat.read().split()[0]) / 1e9
    except FileNotFoundError:
        if not psutil.pid_exists(process.pid):
            raise psutil.NoSuchProcess(process.pid) from None
    except (OSError, ValueError, IndexError):
        pass
    times = process.cpu_times()
    return times.user + times.system


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of server CPU per request between two server_cpu() readings."""
    spent = {"app": 0.0, "db": 0.0}
    for pid, (kind, seconds) in after.items():
        spent[kind] = spent.get(kind, 0.0) + seconds - before.get(pid, (kind, 0.0))[1]
    per_request = {kind: seconds * 1000 / requests for kind, seconds in spent.items()}
    per_request["total"] = per_request["app"] + per_request["db"] + per_request.get("pool", 0.0)
    return per_request


def vacuum(table_names=()) -> None:
    """VACUUM ANALYZE ``table_names`` (every table: none named), then CHECKPOINT: the rows
    a reset deleted are gone and the planner knows the tables as autovacuum keeps them on a
    production database, so neither pass pays for the other's leftovers (nor the first for
    the seed, nor either for a checkpoint the other's writes called for)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(table_names)}")
        # And write every dirty page now, so no checkpoint lands in the middle of a pass.
        cursor.execute("CHECKPOINT")


PASS_TABLES = ["courses_claim", "courses_claimevent", "django_session", "bench_baseline"]


def one_round(
    args, groups, students, offsets, claim_requests, base_requests, servers, bouncer, claim_first
) -> dict:
    """One claim pass and one baseline pass with the same arrivals: their figures, server
    CPU, PgBouncer's counters, and the invariants after the claim pass."""
    bouncer_process = bouncer.process if bouncer else None
    found = {}

    def measured(name, requests, start_at):
        """One pass of ``requests`` from ``start_at``, after VACUUM: its results, server CPU
        and PgBouncer's counters, as found[name + "_results" / "_cpu" / "_pool"]."""
        vacuum(PASS_TABLES)
        pool_before = bouncer.stats() if bouncer else None
        cpu_before = server_cpu(servers, bouncer_process)
        results = rush([(o, p, r) for o, (p, r) in zip(offsets, requests, strict=True)], start_at)
        found[f"{name}_cpu"] = cpu_per_request(
            cpu_before, server_cpu(servers, bouncer_process), len(results)
        )
        if bouncer:
            found[f"{name}_pool"] = pgbouncer_line(pool_before, bouncer.stats(), len(results))
        found[f"{name}_results"] = results
        return results

    def claim_pass():
        opens = time.time() + 2
        for group_course, _, _ in groups:
            reset_claims(group_course, datetime.fromtimestamp(opens, UTC))
        results = measured("claim", claim_requests, opens)
        problems, claimed, distinct, seats = [], 0, 0, Counter()
        for group_course, group_readings, _ in groups:
            in_course, n_claims, n_readings, n_seats = check_invariants(
                group_course, group_readings
            )
            prefix = f"{group_course.code}: " if args.campus else ""
            problems += [prefix + problem for problem in in_course]
            claimed, distinct = claimed + n_claims, distinct + n_readings
            seats.update(n_seats)
        found.update(problems=problems, claimed=claimed, distinct=distinct, seats=seats)
        if args.campus:
            found["per_course"] = per_course_line(results, students)

    def base_pass():
        measured("base", base_requests, time.time() + 1)

    for one_pass in (claim_pass, base_pass) if claim_first else (base_pass, claim_pass):
        one_pass()
    found["claim_first"] = claim_first
    return found


def round_report(args, kind, how, rounds, groups, readings, students) -> list[str]:
    """Every round in a line, the medians of the ratios, and the round with the median
    throughput ratio in full."""
    if args.campus:
        title = (
            f"Campus claim rush: {args.courses} courses x {args.students_per_course} "
            f"students ({len(students)}), {len(readings)} readings each, every window "
            f"opening at the same instant, {how}"
        )
    else:
        title = f"Claim rush: {args.students} students, {len(readings)} readings, {how}"
    for found in rounds:
        found["claim_figures"], found["claim_lines"] = summarize(title, found["claim_results"])
        found["base_figures"], found["base_lines"] = summarize(
            f"Baseline: one insert in one transaction, same server, {how}", found["base_results"]
        )
        found["rps_ratio"] = found["claim_figures"]["rps"] / found["base_figures"]["rps"]
        found["cpu_ratio"] = found["claim_cpu"]["total"] / found["base_cpu"]["total"]
    lines = [f"== {kind} ==", f"{len(rounds)} rounds, each a claim pass and a baseline pass:"]
    for number, found in enumerate(rounds, start=1):
        order = "claims first" if found["claim_first"] else "baseline first"
        lines.append(
            f"  round {number} ({order:>14}): {found['claim_figures']['rps']:4.0f} vs "
            f"{found['base_figures']['rps']:4.0f} requests/s = {found['rps_ratio']:.2f}x; "
            f"CPU {found['claim_cpu']['total']:.2f} vs {found['base_cpu']['total']:.2f} ms "
            f"= {found['cpu_ratio']:.2f}x; invariants "
            + ("OK" if not found["problems"] else "VIOLATED")
        )
    median_rps = statistics.median(r["rps_ratio"] for r in rounds)
    median_cpu = statistics.median(r["cpu_ratio"] for r in rounds)
    lines.append(
        f"  median        claim throughput {median_rps:.2f}x the baseline's; "
        f"server CPU per request {median_cpu:.2f}x the baseline's"
    )
    shown = sorted(rounds, key=lambda r: r["rps_ratio"])[(len(rounds) - 1) // 2]
    answered = sum(1 for r in shown["claim_results"] if r[2] == "302")
    checked = f" (checked in each of the {len(groups)} courses)" if args.campus else ""
    courses_note = f" over {len(groups)} courses" if args.campus else ""
    problems = [p for r in rounds for p in r["problems"]]
    claims, base = shown["claim_figures"], shown["base_figures"]
    lines += [
        f"The median round (round {rounds.index(shown) + 1}) in full:",
        *shown["claim_lines"],
        f"  answered      {answered}/{len(shown['claim_results'])} with a definite answer "
        "(302 to the board)",
        f"  claims        {shown['claimed']} succeeded{courses_note} ({shown['distinct']} readings "
        f"taken; seats {dict(sorted(shown['seats'].items()))}); "
        f"{len(shown['claim_results']) - shown['claimed']} told who holds their pick",
        f"  invariants    {'OK in every round' + checked if not problems else 'VIOLATED: ' + '; '.join(problems)}",
        *([shown["per_course"]] if args.campus else []),
        cpu_line(shown["claim_cpu"]),
        *([shown["claim_pool"]] if "claim_pool" in shown else []),
        *shown["base_lines"],
        cpu_line(shown["base_cpu"]),
        *([shown["base_pool"]] if "base_pool" in shown else []),
        f"  ratio         claim throughput {claims['rps'] / base['rps']:.2f}x the "
        f"baseline's; p50 {claims['p50'] / base['p50']:.2f}x, "
        f"p95 {claims['p95'] / base['p95']:.2f}x its latency; "
        f"server CPU per request {shown['cpu_ratio']:.2f}x the baseline's",
        "",
    ]
    return lines


def cpu_line(cpu: dict) -> str:
    return (
        f"  server CPU    {cpu['total']:.2f} ms per request: gunicorn workers {cpu['app']:.2f}, "
        f"PostgreSQL backends {cpu['db']:.2f}"
        + (f", PgBouncer {cpu['pool']:.2f}" if "pool" in cpu else "")
    )


def arrivals(kind: str, count: int, spread_ms: float, rng: random.Random) -> list[float]:
    """Seconds after the window opens at which each student's request leaves."""
    if kind == "burst":
        return [0.005] * count  # all in the same instant, just after the opening
    return sorted(0.005 + rng.uniform(0, spread_ms / 1000) for _ in range(count))


def pgbouncer_line(before: dict, after: dict, requests: int) -> str:
    """What PgBouncer saw between two PgBouncer.stats() readings, per request."""

    def spent(name):
        return (after.get(name, 0) - before.get(name, 0)) / requests

    servers = sum(after.get(k, 0) for k in ("sv_active", "sv_idle", "sv_used", "sv_tested"))
    return (
        f"  PgBouncer     {spent('total_xact_count'):.1f} transactions, "
        f"{spent('total_query_count'):.1f} queries per request; clients waited "
        f"{spent('total_wait_time') / 1000:.2f} ms per request for a server connection; "
        f"{servers} server connections for {after.get('cl_active', 0)} clients after it"
    )


def campus_seed(courses: int, students: int) -> list[tuple]:
    """``courses`` courses like seed()'s, each with its own readings and students."""
    groups = []
    for number in range(1, courses + 1):
        print(f"  seeding course {number}/{courses} …", end="\r", flush=True)
        groups.append(seed(students, f"{COURSE_CODE}-{number:02d}", f"rush-c{number:02d}-"))
    print(flush=True)
    return groups


def per_course_line(results, students) -> str:
    """Spread between courses: claims won and latency of each course's requests."""
    from claims.models import Claim

    courses = {group[0].pk for group, _, _ in students}
    won = Counter(
        Claim.objects.active().filter(course__in=courses).values_list("course_id", flat=True)
    )
    latencies: dict[int, list[float]] = {pk: [] for pk in courses}
    for (began, ended, _), (group, _, _) in zip(results, students, strict=True):
        if began is not None:
            latencies[group[0].pk].append((ended - began) * 1000)

    def pct(values, p):
        values = sorted(values) or [float("nan")]
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    p50 = [pct(v, 50) for v in latencies.values()]
    p95 = [pct(v, 95) for v in latencies.values()]
    counts = [won.get(pk, 0) for pk in courses]
    return (
        f"  per course    claims {min(counts)}-{max(counts)}; latency p50 "
        f"{min(p50):.1f}-{max(p50):.1f} ms, p95 {min(p95):.1f}-{max(p95):.1f} ms"
    )


def main():
    args = parse_args()
    # A plain `kill` unwinds like Ctrl-C: the finally blocks stop gunicorn and PgBouncer.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    load_before = os.getloadavg()
    env = configure(args.db)
    print(f"Rebuilding database {args.db} …", flush=True)
    rebuild_database(args.db)
    if args.campus:
        groups = campus_seed(args.courses, args.students_per_course)
    else:
        groups = [seed(args.students)]
    create_baseline_table()
    vacuum()
    course, readings, cookies = groups[0]
    profile_lines = profile_in_process(course, readings, cookies)
    print("\n".join(profile_lines), flush=True)
    if args.profile_only:
        return 0
    ports = [args.port + i for i in range(args.servers)] if args.port else []
    while len(ports) < args.servers:
        port = free_port()
        if port not in ports:
            ports.append(port)
    workers = f"{args.workers} {args.worker_class} workers" + (
        f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    )
    server_label = (
        f"gunicorn {workers}"
        if args.servers == 1
        else f"{args.servers} gunicorn instances x {workers}"
    ) + f", {os.cpu_count()} CPUs, embedded PostgreSQL"
    if args.pgbouncer:
        from bench.pgbouncer import ensure_pgbouncer, version

        ensure_pgbouncer()
        server_label += f" through {version()} (transaction pooling, pool size {args.pool_size})"
    server_label += ", client and server on the same machine"
    rng = random.Random(args.seed)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(READINGS)]
    # One (course group, session cookie, pick) per student, popular papers picked more often.
    students = []
    for group in groups:
        picks = rng.choices(group[1], weights=weights, k=len(group[2]))
        students += [(group, cookie, pick) for cookie, pick in zip(group[2], picks, strict=True)]
    if args.campus:
        rng.shuffle(students)  # the courses' students arrive mixed, not course by course
    # Round-robin: student i talks to server i mod N.
    student_ports = [ports[i % len(ports)] for i in range(len(students))]
    claim_requests = [
        (port, request_bytes(port, cookie, claim_path(pick, group[0].code)))
        for port, (group, cookie, pick) in zip(student_ports, students, strict=True)
    ]
    base_requests = [
        (port, request_bytes(port, cookie, "/bench/baseline/"))
        for port, (_, cookie, _) in zip(student_ports, students, strict=True)
    ]
    report = []
    header = []
    violated = False
    with contextlib.ExitStack() as stack:  # stops every server and PgBouncer, also on errors
        bouncer = None
        server_env = env
        if args.pgbouncer:
            from django.db import connections

            from bench.pgbouncer import PgBouncer

            direct = connections["default"].settings_dict
            bouncer = PgBouncer(
                direct["HOST"],
                direct["PORT"],
                direct["NAME"],
                pool_size=args.pool_size,
                max_client_conn=max(1000, 2 * args.servers * args.workers * args.threads),
            )
            bouncer_port = stack.enter_context(bouncer)
            header.append(
                f"PgBouncer on 127.0.0.1:{bouncer_port} (pool_mode transaction, default_pool_size "
                f"{args.pool_size}), to PostgreSQL over the {bouncer.route}"
            )
            print(header[-1], flush=True)
            server_env = {
                **env,
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{bouncer_port}/{direct['NAME']}",
                "DATABASE_TRANSACTION_POOLING": "true",
                "CONN_MAX_AGE": "60",
            }
        print(
            f"Serving: {server_label}, " + ", ".join(f"127.0.0.1:{port}" for port in ports) + " …",
            flush=True,
        )
        servers = []
        for port in ports:
            server = start_server(server_env, port, args.workers, args.worker_class, args.threads)
            stack.callback(stop_server, server)
            servers.append(server)
        # Warm every worker on both paths (imports, URL resolver, first queries) while the
        # window is still closed: a claim now is answered "Claiming opens …" and changes nothing.
        _, first_cookie, first_pick = students[0]
        first_code = students[0][0][0].code
        warm = []
        for _ in range(10 * args.workers):
            for port in ports:
                warm += [
                    (port, request_bytes(port, first_cookie, claim_path(first_pick, first_code))),
                    (port, request_bytes(port, first_cookie, "/bench/baseline/")),
                ]
        rush([(i * 0.002, port, request) for i, (port, request) in enumerate(warm)], time.time())
        scenarios = ["burst", "spread"] if args.arrival == "both" else [args.arrival]
        for kind in scenarios:
            offsets = arrivals(kind, len(students), args.spread_ms, rng)
            how = (
                "all in the same instant"
                if kind == "burst"
                else f"spread uniformly over the first {args.spread_ms:.0f} ms"
            )
            rounds = []
            for number in range(args.rounds):
                # Alternate which pass goes first, so neither always follows the other.
                rounds.append(
                    one_round(
                        args,
                        groups,
                        students,
                        offsets,
                        claim_requests,
                        base_requests,
                        servers,
                        bouncer,
                        claim_first=number % 2 == 0,
                    )
                )
            violated = violated or any(r["problems"] for r in rounds)
            report += round_report(args, kind, how, rounds, groups, readings, students)

    flags = []
    if args.campus:
        flags.append(
            f"--campus --courses {args.courses} --students-per-course {args.students_per_course}"
        )
    if args.servers > 1:
        flags.append(f"--servers {args.servers}")
    if args.pgbouncer:
        flags.append("--pgbouncer")
    text = "\n".join(
        [
            f"claim_rush  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {server_label}",
            *([f"options: {' '.join(flags)}"] if flags else []),
            "load average before the run (other work on the machine): "
            + " ".join(f"{x:.2f}" for x in load_before),
            *header,
            "",
            *profile_lines,
            "",
            *report,
        ]
    )
    print(text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    modes = (
        (["campus"] if args.campus else [])
        + ([f"{args.servers}servers"] if args.servers > 1 else [])
        + (["pgbouncer"] if args.pgbouncer else [])
    )
    (results / "_".join(["claim_rush", *modes])).with_suffix(".txt").write_text(text + "\n")
    return 1 if violated else 0


if __name__ == "__main__":
    sys.exit(main())

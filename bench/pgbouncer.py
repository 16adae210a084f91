"""PgBouncer in transaction mode in front of the bench's PostgreSQL (claim_rush.py --pgbouncer).

``ensure_pgbouncer()`` installs Debian's ``pgbouncer`` package when it is missing (as
root, with apt-get, like dev.py does for Chromium) or stops with how to install it.
``PgBouncer(...)`` is a context manager: it writes an ini file and a userlist in a
temporary folder, runs ``pgbouncer <ini>`` in the foreground, waits until it accepts
connections, yields its port (127.0.0.1 only, no unix socket) and stops it on exit.

Route to the server. PgBouncer refuses to run as root, so as root it runs as the OS
user ``postgres`` (``-u postgres``). The embedded server listens only on a unix socket
in its data folder (mode 0700, owned by the OS user ``pgserver``), which ``postgres``
cannot enter; PostgreSQL refuses to start on a data folder that others can enter, so
chmod is no way out. The first of these that works is used:

1. the unix socket, as ``postgres`` (or as the current user when not root);
2. TCP on 127.0.0.1:<port>, when the server listens there;
3. the unix socket, as the owner of the socket folder (the user the server runs as).
"""

import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

PGBOUNCER = Path("/usr/sbin/pgbouncer")
INSTALL = "apt-get update && apt-get install -y pgbouncer"


def ensure_pgbouncer() -> Path:
    """The pgbouncer binary: installed with apt-get when missing and we are root."""
    if PGBOUNCER.exists():
        return PGBOUNCER
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(
            f"PgBouncer is not installed ({PGBOUNCER} is missing) and this bench can install it "
            f"only as root on Debian/Ubuntu. Install it: `sudo sh -c '{INSTALL}'`, then run again."
        )
    print("Installing PgBouncer (apt-get install -y pgbouncer) …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "pgbouncer"]):
        if subprocess.run(command, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            raise SystemExit(
                f"`{' '.join(command)}` failed: install PgBouncer by hand ({INSTALL})."
            )
    if not PGBOUNCER.exists():
        raise SystemExit(f"apt-get installed pgbouncer, but {PGBOUNCER} is still missing.")
    return PGBOUNCER


def version() -> str:
    out = subprocess.run([str(PGBOUNCER), "--version"], capture_output=True, text=True).stdout
    return out.split("\n", 1)[0].strip() or "PgBouncer"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_user(user: pwd.struct_passwd | None, *test_args: str) -> bool:
    """Whether ``test <test_args>`` succeeds as ``user`` (None: as ourselves).

    Run in a child with the user's uid, gid and groups, so every folder on the path
    and any ACL count, as they will for PgBouncer.
    """
    if user is None or user.pw_uid == os.geteuid():
        return subprocess.run(["test", *test_args]).returncode == 0
    return (
        subprocess.run(
            ["test", *test_args],
            user=user.pw_uid,
            group=user.pw_gid,
            extra_groups=os.getgrouplist(user.pw_name, user.pw_gid),
        ).returncode
        == 0
    )


def _listens_on_tcp(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class PgBouncer:
    """``with PgBouncer(socket_dir, port, dbname) as bouncer_port:`` — see the module doc.

    ``pg_host_socket_dir`` is the server's HOST as Django has it: a unix-socket folder
    (an absolute path) or a TCP host name. After ``__enter__``: ``process`` (the
    pgbouncer subprocess, for its CPU), ``route`` (how it reaches the server, as text),
    ``port``, and ``stats()``.
    """

    def __init__(
        self,
        pg_host_socket_dir: str,
        pg_port: int | str,
        dbname: str,
        pool_size: int = 20,
        max_client_conn: int = 1000,
        run_as: str | None = None,
    ):
        self.pg_host = str(pg_host_socket_dir)
        self.pg_port = int(pg_port)
        self.dbname = dbname
        self.pool_size = pool_size
        self.max_client_conn = max_client_conn
        self.run_as = run_as
        self.process = None
        self.port = None
        self.route = ""
        self._dir = None
        self._log = None

    # -- where pgbouncer runs and how it reaches the server -------------------------------
    def _choose_route(self) -> tuple[pwd.struct_passwd | None, str, str]:
        """(user to run as or None for ourselves, host for pgbouncer, description)."""
        root = os.geteuid() == 0
        user = pwd.getpwnam(self.run_as or "postgres") if root else None
        name = user.pw_name if user else pwd.getpwuid(os.geteuid()).pw_name
        if not self.pg_host.startswith("/"):  # already TCP (DATABASE_URL with a host name)
            return user, self.pg_host, f"TCP {self.pg_host}:{self.pg_port}, as OS user {name}"
        sock = f"{self.pg_host}/.s.PGSQL.{self.pg_port}"
        if _as_user(user, "-w", sock):
            return user, self.pg_host, f"unix socket {sock}, as OS user {name}"
        why = f"OS user {name} cannot reach {sock}"
        if _listens_on_tcp(self.pg_port):
            return user, "127.0.0.1", f"TCP 127.0.0.1:{self.pg_port}, as OS user {name} ({why})"
        owner = pwd.getpwuid(os.stat(self.pg_host).st_uid)
        if root and owner.pw_uid != 0 and _as_user(owner, "-w", sock):
            mode = stat.S_IMODE(os.stat(self.pg_host).st_mode)
            return (
                owner,
                self.pg_host,
                f"unix socket {sock}, as OS user {owner.pw_name}, the socket folder's owner "
                f"({why}: folder mode {mode:04o}; the server has no TCP listener)",
            )
        raise SystemExit(
            f"PgBouncer cannot reach PostgreSQL: {why} and nothing listens on "
            f"127.0.0.1:{self.pg_port}. Let the server listen on TCP (listen_addresses) or "
            "run the bench as root (PgBouncer then runs as the socket folder's owner)."
        )

    def _write_config(self, user, host: str) -> Path:
        self._dir = Path(tempfile.mkdtemp(prefix="bench-pgbouncer-"))
        ini = self._dir / "pgbouncer.ini"
        userlist = self._dir / "userlist.txt"
        userlist.write_text('"postgres" ""\n')
        ini.write_text(
            "\n".join(
                [
                    "[databases]",
                    f"{self.dbname} = host={host} port={self.pg_port} dbname={self.dbname}"
                    " user=postgres",
                    "",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    f"listen_port = {self.port}",
                    "unix_socket_dir =",
                    "pool_mode = transaction",
                    "auth_type = trust",
                    f"auth_file = {userlist}",
                    "admin_users = postgres",
                    f"max_client_conn = {self.max_client_conn}",
                    f"default_pool_size = {self.pool_size}",
                    "ignore_startup_parameters = extra_float_digits,options",
                    "log_connections = 0",
                    "log_disconnections = 0",
                    "stats_period = 1",  # SHOW STATS totals are refreshed this often
                    "logfile =",
                    "pidfile =",
                    "",
                ]
            )
        )
        if user is not None and user.pw_uid != os.geteuid():
            for path in (self._dir, ini, userlist):
                os.chown(path, user.pw_uid, user.pw_gid)
            if not _as_user(user, "-r", str(ini)) or not _as_user(user, "-r", str(userlist)):
                raise SystemExit(f"OS user {user.pw_name} cannot read {self._dir}")
        return ini

    # -- context manager ------------------------------------------------------------------
    def __enter__(self) -> int:
        ensure_pgbouncer()
        user, host, self.route = self._choose_route()
        self.port = _free_port()
        try:
            ini = self._write_config(user, host)
            command = [str(PGBOUNCER)]
            if os.geteuid() == 0:
                command += ["-u", user.pw_name]  # PgBouncer refuses to run as root
            self._log = open(self._dir / "pgbouncer.log", "wb")  # noqa: SIM115
            self.process = subprocess.Popen(
                [*command, str(ini)], stdout=self._log, stderr=subprocess.STDOUT
            )
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self.port

    def _wait_ready(self, timeout: float = 20) -> None:
        import psycopg2

        deadline = time.monotonic() + timeout
        error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                conn = psycopg2.connect(
                    host="127.0.0.1",
                    port=self.port,
                    dbname=self.dbname,
                    user="postgres",
                    connect_timeout=3,
                )
            except psycopg2.OperationalError as exc:
                error = exc
                time.sleep(0.1)
                continue
            try:  # a query goes through to the server: the whole route works
                with conn.cursor() as cursor:
                    cursor.execute("SELECT 1")
                return
            except psycopg2.Error as exc:
                error = exc
                time.sleep(0.1)
            finally:
                conn.close()
        log = (self._dir / "pgbouncer.log").read_text(errors="replace")[-2000:]
        raise SystemExit(
            f"PgBouncer on 127.0.0.1:{self.port} did not serve {self.dbname} ({self.route}): "
            f"{error}\n{log}"
        )

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    # -- figures --------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        """Totals so far for our database (admin console: SHOW STATS, SHOW POOLS).

        PgBouncer refreshes its totals every stats_period (1 s): we wait that long first.
        """
        import decimal

        import psycopg2

        time.sleep(1.1)
        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, dbname="pgbouncer", user="postgres"
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                figures = {}
                for command in ("SHOW STATS", "SHOW POOLS"):
                    cursor.execute(command)
                    names = [column.name for column in cursor.description]
                    for row in cursor.fetchall():
                        if row[0] == self.dbname:
                            for name, value in zip(names, row, strict=True):
                                if isinstance(value, int | decimal.Decimal):
                                    figures[name] = figures.get(name, 0) + int(value)
                return figures
        finally:
            conn.close()

#!/usr/bin/env python3
"""Seminar's two commands, on a fresh machine with only Python 3.11 and git.

    python3 dev.py serve   # set everything up, load the demo course, serve http://127.0.0.1:8000
                           # (and start the background worker that sends email)
    python3 dev.py test    # lint (ruff, django-upgrade, djLint), then pytest on PostgreSQL

Both create .venv/ and install the project into it when pyproject.toml changes.
Without DATABASE_URL the app starts its own PostgreSQL server in .pgdata/.
`test` passes its extra arguments to pytest and fails when Chromium is missing (browser
tests run in CI, always); outside CI, SEMINAR_SKIP_BROWSER=1 skips them on purpose.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
STAMP = VENV / ".installed"


def run(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run(
        [str(a) for a in args], cwd=ROOT, check=kwargs.pop("check", True), **kwargs
    )


def find_python311() -> str:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if not found:
        sys.exit("Seminar needs Python 3.11 (python3.11 was not found on PATH).")
    return found


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PY.exists():
        run(find_python311(), "-m", "venv", VENV)
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def chromium_path() -> str:
    """Where the browser tests look for Chromium (tests/browser.py reads it the same way)."""
    return os.environ.get("SEMINAR_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def have_chromium() -> bool:
    path = chromium_path()
    return os.path.isfile(path) and os.access(path, os.X_OK)


def skip_browser() -> bool:
    """SEMINAR_SKIP_BROWSER is a developer's explicit opt-out; under CI it is ignored."""
    return bool(os.environ.get("SEMINAR_SKIP_BROWSER")) and not os.environ.get("CI")


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium: install it when missing, else stop here.

    A test run without the browser tests must never pass unnoticed (CI=true never skips).
    """
    if skip_browser():
        print("chromium: SEMINAR_SKIP_BROWSER is set, browser tests will be skipped", flush=True)
        return
    if os.environ.get("SEMINAR_SKIP_BROWSER"):
        print("chromium: SEMINAR_SKIP_BROWSER is ignored because CI is set", flush=True)
    may_install = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    # A custom SEMINAR_CHROMIUM path is not where apt-get would put the browser.
    if not have_chromium() and may_install and not os.environ.get("SEMINAR_CHROMIUM"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env, stdout=subprocess.DEVNULL)
        run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            env=env,
            stdout=subprocess.DEVNULL,
        )
    if not have_chromium():
        sys.exit(
            f"dev.py test: Chromium was not found at {chromium_path()}, so the browser tests "
            "cannot run. Install it (apt-get install chromium; dev.py does this itself as root) "
            "or point SEMINAR_CHROMIUM at it. Outside CI, SEMINAR_SKIP_BROWSER=1 skips the "
            "browser tests on purpose."
        )
    print(f"chromium: {chromium_path()}", flush=True)


def python_files() -> list[str]:
    """The project's .py files: tracked, or new and not ignored, and still on disk."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return sorted({name for name in listed if (ROOT / name).is_file()})


def lint() -> None:
    """Run every checker (each prints its findings), then stop if any of them found something."""
    files = python_files()
    checks = [
        ("ruff check", "ruff check .", ["ruff", "check", "."]),
        ("ruff format", "ruff format --check .", ["ruff", "format", "--check", "."]),
        (
            "django-upgrade",
            f"django-upgrade --target-version 5.2 --check <the {len(files)} files of git ls-files>",
            ["django_upgrade", "--target-version", "5.2", "--check", *files],
        ),
        ("djlint", "djlint templates --lint", ["djlint", "templates", "--lint"]),
    ]
    failed = []
    for name, shown, args in checks:
        print(f"+ {shown}", flush=True)
        code = subprocess.run([str(PY), "-m", *args], cwd=ROOT, check=False).returncode
        print(f"{name}: {'ok' if code == 0 else f'FAILED (exit {code})'}", flush=True)
        if code:
            failed.append(name)
    if failed:
        sys.exit(
            f"dev.py test: {', '.join(failed)} found problems (see above), so pytest was not run."
        )


def manage(*args) -> None:
    run(PY, "manage.py", *args)


PORT_VARIABLE = "SEMINAR_PORT"  # another port for serve, e.g. when 8000 is taken


def port(environ=os.environ) -> str:
    return environ.get(PORT_VARIABLE, "").strip() or "8000"


def url(environ=os.environ) -> str:
    return f"http://127.0.0.1:{port(environ)}/"


FALSE_WORDS = {"0", "false", "no", "off"}  # seminar/env.py's; DEBUG is on unless one of them


def debug_on(environ=os.environ) -> bool:
    """Whether the server will run with DEBUG, read as seminar/settings.py reads it."""
    return environ.get("DEBUG", "").strip().lower() not in FALSE_WORDS


def sign_in_banner(demo_output: str, *, debug: bool) -> str:
    """What serve prints last before the server's own lines: the address and, in DEBUG,
    the demo's accounts and password (the "Sign in as" line `manage.py demo` ends with)."""
    lines = ["", f"Seminar is at {url()}"]
    if debug:
        lines += [line for line in demo_output.splitlines() if is_sign_in(line)]
    return "\n".join([*lines, ""])


def is_sign_in(line: str) -> bool:
    return line.startswith("Sign in as ")


def serve(extra: list[str]) -> None:
    ensure_venv()
    manage("migrate", "--no-input", "-v", "0")
    demo = run(PY, "manage.py", "demo", stdout=subprocess.PIPE, text=True, check=False)
    # The sign-in line comes once, in the banner below.
    print("".join(ln for ln in demo.stdout.splitlines(True) if not is_sign_in(ln)), end="")
    if demo.returncode:
        sys.exit(demo.returncode)
    # The background worker, as in production: it sends every email (printed here by the
    # console mail backend) and runs the reminders' schedule. Same process group as the
    # server, so Ctrl-C stops both.
    subprocess.Popen([str(PY), "manage.py", "worker", "-v", "0"], cwd=ROOT)
    # Printed here, once, before exec: runserver's autoreloader runs manage.py again in a
    # child process, so anything printed from inside it would come twice or scroll away.
    print(sign_in_banner(demo.stdout, debug=debug_on()), flush=True)
    os.execv(str(PY), [str(PY), "manage.py", "runserver", f"127.0.0.1:{port()}", *extra])


def workers(extra: list[str]) -> list[str]:
    """pytest-xdist's workers: one per core, at most 4 (each has its own test database, live
    servers and Chromium; the claim race needs ~110 connections of the server's 300), unless
    the command line says (-n 0 runs in this one process)."""
    if any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in extra):
        return []
    # Whole files to a worker: a file's module fixtures (the accessibility walk's world and
    # server) are built once.
    return ["-n", str(max(1, min(os.cpu_count() or 1, 4))), "--dist", "loadfile"]


def test(extra: list[str]) -> None:
    ensure_venv()
    ensure_chromium()
    lint()
    result = run(PY, "-m", "pytest", "--create-db", *workers(extra), *extra, check=False)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"serve": serve, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    os.chdir(ROOT)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()

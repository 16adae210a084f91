#!/usr/bin/env python3
"""Seminar's two commands, on a fresh machine with only Python 3.11 and git.

    python3 dev.py serve   # set everything up, load the demo course, serve http://127.0.0.1:8000
    python3 dev.py test    # run the whole test suite (lint, unit, browser) on PostgreSQL

Both create .venv/ and install the project into it when pyproject.toml changes.
Without DATABASE_URL the app starts its own PostgreSQL server in .pgdata/.
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


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install it when missing and we may."""
    if shutil.which("chromium") or os.environ.get("SEMINAR_SKIP_BROWSER"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
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
    else:
        print(
            "chromium is not installed: browser tests will be skipped (apt-get install chromium).",
            flush=True,
        )


def manage(*args) -> None:
    run(PY, "manage.py", *args)


def serve(extra: list[str]) -> None:
    ensure_venv()
    manage("migrate", "--no-input", "-v", "0")
    manage("demo")
    os.execv(str(PY), [str(PY), "manage.py", "runserver", "127.0.0.1:8000", *extra])


def test(extra: list[str]) -> None:
    ensure_venv()
    ensure_chromium()
    run(PY, "-m", "ruff", "check", ".")
    result = run(PY, "-m", "pytest", "--create-db", *extra, check=False)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"serve": serve, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    os.chdir(ROOT)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()

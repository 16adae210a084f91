"""The README's first command, from a fresh clone, to a signed-in student, using only what
the terminal and the sign-in page show.

The tree is copied as a clone has it (the files git tracks and the new ones it does not
ignore, uncommitted edits included), with no database: `python3 dev.py serve` starts its
own embedded PostgreSQL in the copy, migrates, builds the demo and serves it. The copy
borrows this checkout's .venv, which dev.py accepts as up to date when pyproject.toml is
the same (the pip install itself is what the fresh-clone proof in the closing note covers).
SEMINAR_PORT keeps it off port 8000, where a developer may be running the demo.
"""

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.browser import Watched

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 240


def clone_tree(dest: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file():  # a file deleted in the working tree is not in a clone either
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to(ROOT / ".venv")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def newcomer_environment(port: int) -> dict:
    """A shell's environment, without what the test run itself set."""
    own = ("DATABASE_URL", "DJANGO_", "SEMINAR_", "PYTEST", "DEBUG", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env["SEMINAR_PORT"] = str(port)
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    return env


class Terminal:
    """The output of a command, line by line, as someone watching it would read it."""

    def __init__(self, process):
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str, seconds: float) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"never printed {pattern!r}; it printed:\n" + "\n".join(self.lines))


def wait_until_served(url: str, seconds: float) -> None:
    assert url.startswith("http://127.0.0.1:")
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url + "healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def stop(process, tree: Path) -> None:
    """Ctrl-C, as a newcomer would; then make sure the copy's PostgreSQL is gone too."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    process.stdout.close()
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(tree) in part for part in proc.info["cmdline"] or ()):
            proc.kill()


def test_the_first_command_gets_a_newcomer_signed_in_as_a_student(browser, tmp_path):
    tree = tmp_path / "seminar"
    clone_tree(tree)
    port = free_port()
    process = subprocess.Popen(
        ["python3", "dev.py", "serve"],
        cwd=tree,
        env=newcomer_environment(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        terminal = Terminal(process)
        url = terminal.wait_for(r"^Seminar is at (http://\S+)$", STARTUP_SECONDS)[1]
        sign_in = terminal.wait_for(r"^Sign in as .*password for all: (\S+)$", 5)
        student = re.search(r"or (\S+@\S+) …", sign_in[0])[1]
        assert url == f"http://127.0.0.1:{port}/"
        assert student == "student01@example.edu"
        wait_until_served(url, 60)

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = Watched(context.new_page(), url.rstrip("/"), "first-command")
        try:
            page.page.goto(url)
            p = page.page
            assert "/accounts/login/" in p.url
            # The sign-in page itself says who to sign in as, and with what.
            demo = p.locator("#demo-accounts")
            assert demo.get_by_text(student, exact=False).first.is_visible()
            assert demo.get_by_text(sign_in[1]).is_visible()
            p.get_by_label("Email address").fill(student)
            p.get_by_label("Password").fill(sign_in[1])
            p.get_by_role("button", name="Sign in", exact=True).click()
            p.wait_for_load_state()
            assert p.get_by_role("heading", name="Hello, Ada").is_visible()
            assert (
                p.get_by_role("link", name="Sign out").count()
                or p.get_by_role("button", name="Sign out").count()
            )
            page.shot("signed-in")
            assert page.problems == []
        finally:
            context.close()
        # serve started the background worker too: a password-reset email, queued by the
        # page, is printed in the terminal by the worker (the console mail backend).
        context = browser.new_context()
        try:
            p = context.new_page()
            p.goto(url + "accounts/password_reset/")
            p.get_by_label("Email").fill(student)
            p.get_by_role("button", name="Send").click()
            p.wait_for_load_state()
        finally:
            context.close()
        terminal.wait_for(rf"^To: {re.escape(student)}$", 60)
    finally:
        stop(process, tree)

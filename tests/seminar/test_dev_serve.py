"""`python3 dev.py serve` says how to get in, every time: the address and the demo's
accounts are the last lines before the server's own, printed once by dev.py itself
(runserver's autoreloader runs manage.py again, so nothing inside it may print them)."""

import importlib.util
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
SIGN_IN = (
    "Sign in as instructor@example.edu (instructor) or student01@example.edu … "
    "student24@example.edu (students); password for all: seminar-demo"
)
TODAY = datetime(2026, 1, 6, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def load_dev():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_output(capsys) -> str:
    capsys.readouterr()
    call_command("demo")
    return capsys.readouterr().out


@pytest.mark.django_db
def test_the_banner_gives_the_address_and_the_demo_accounts_on_every_start(capsys):
    dev = load_dev()
    with time_machine.travel(TODAY, tick=False):
        first, again = demo_output(capsys), demo_output(capsys)
    assert "exists already; nothing changed" in again
    assert again.splitlines()[-1] == SIGN_IN  # the demo says how to sign in, built or not
    for output in (first, again):
        assert dev.sign_in_banner(output, debug=True) == (
            f"\nSeminar is at http://127.0.0.1:8000/\n{SIGN_IN}\n"
        )


@pytest.mark.django_db
def test_the_banner_shows_no_password_without_debug(capsys):
    dev = load_dev()
    with time_machine.travel(TODAY, tick=False):
        output = demo_output(capsys)
    assert dev.sign_in_banner(output, debug=False) == "\nSeminar is at http://127.0.0.1:8000/\n"
    assert dev.debug_on({}) and dev.debug_on({"DEBUG": "1"})
    assert not dev.debug_on({"DEBUG": "False"})


def test_serve_prints_the_banner_once_as_the_last_lines_before_runserver(monkeypatch, capsys):
    dev = load_dev()
    demo = "The demo course ecs289d-f25 exists already; nothing changed (--reset rebuilds it).\n"
    calls = []

    def fake_run(args, **kwargs):
        calls.append(args[1:])
        stdout = demo + SIGN_IN + "\n" if args[1:3] == ["manage.py", "demo"] else None
        return subprocess.CompletedProcess(args, 0, stdout=stdout)

    class Exec(Exception):
        pass

    def fake_exec(path, argv):
        calls.append(argv[1:])
        raise Exec

    def fake_popen(args, **kwargs):
        calls.append(args[1:])

    monkeypatch.setattr(dev, "ensure_venv", lambda: None)
    monkeypatch.setattr(dev.subprocess, "run", fake_run)
    monkeypatch.setattr(dev.subprocess, "Popen", fake_popen)
    monkeypatch.setattr(dev.os, "execv", fake_exec)
    monkeypatch.delenv("DEBUG", raising=False)
    with pytest.raises(Exec):
        dev.serve([])
    assert calls[-1][:2] == ["manage.py", "runserver"]
    assert calls[-2][:2] == ["manage.py", "worker"]  # the background worker, as in production
    out = capsys.readouterr().out
    assert out.count(SIGN_IN) == 1
    assert out.endswith(f"{demo}\nSeminar is at http://127.0.0.1:8000/\n{SIGN_IN}\n\n")

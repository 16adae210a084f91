"""Accessibility (WCAG 2.1 A and AA, checked by axe-core) and phone width, on every page.

The pages are the authorization matrix's (tests/security/test_authorization_matrix.py):
every GET entry that answers a page (200) to some role is opened here as each such role,
and every admin page of every registered model as the course's instructor. A new URL
pattern must join the matrix (its own test says so), and joining it puts the page here:
nothing else is needed, and leaving a page out takes a line in NOT_PAGES with a reason.

Each page is checked at 1280 px and at 390 px (a phone): zero axe violations at the
wcag2a, wcag2aa, wcag21a and wcag21aa tags at both widths, and at 390 px the page itself
does not scroll sideways (wide tables scroll inside their own region). axe-core comes
from PyPI's axe-playwright-python (it ships axe.min.js); nothing is downloaded.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django.urls import reverse

from tests.security.test_authorization_matrix import ADMIN_MODELS, ADMIN_VIEWS, ENTRIES
from tests.security.world import NOW, ROLES, signed_in_world

# Not transactional: a transactional test empties the tables when it ends. The module's
# world is committed once (a11y_world), read by the module's own live server, and
# flushed when the module ends; each test only reads.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# GET entries of the matrix that answer 200 but are not pages a person reads.
NOT_PAGES = {
    "healthz": "plain text for load balancers",
    "courses:calendar": "an iCalendar feed",
    "claims:slides": "the presenter's file (PDF or PowerPoint)",
    "grading:gradebook_csv": "a CSV download",
    "projects:submission_file": "a team's file",
    "admin:jsi18n": "JavaScript",
    "admin:autocomplete": "JSON for the admin's autocomplete",
    "lti:jwks": "the tool's public keys, JSON for LMS platforms",
}
# People whose pages are another role's with other names: checked once through that role.
SAME_AS = {"outsider": "student", "rival": "member", "other_ta": "ta"}


@dataclass(frozen=True)
class Case:
    label: str
    role: str
    path: object  # world -> path


def site_cases():
    for entry in ENTRIES:
        if entry.method != "get" or entry.name in NOT_PAGES:
            continue
        for role in ROLES:
            if entry.expected[role] == 200 and role not in SAME_AS:
                suffix = f"[{entry.label}]" if entry.label else ""
                yield Case(f"{entry.name}{suffix}", role, entry.path)


def admin_cases():
    for label, (find, expected) in sorted(ADMIN_MODELS.items()):
        app, model = label.lower().split(".")
        for view in ADMIN_VIEWS:
            if expected[view]["instructor"] != 200:
                continue

            def path(w, app=app, model=model, view=view, find=find):
                args = [] if view in ("changelist", "add") else [find(w).pk]
                return reverse(f"admin:{app}_{model}_{view}", args=args)

            yield Case(f"admin:{label}:{view}", "instructor", path)


CASES = [*site_cases(), *admin_cases()]


@pytest.fixture(scope="module")
def a11y_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The security tests' world, committed (the live server reads it from its own
    connection) and flushed when the module ends."""
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
    ):
        w = signed_in_world()
        yield w
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def server(a11y_world):
    """The module's own live server: pytest-django's live_server makes every test that
    uses it transactional, and a transactional test empties the tables when it ends."""
    thread = LiveServerThread("localhost", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


@pytest.fixture(scope="module")
def pages(browser, server, a11y_world):
    """One browser page per role, signed in by its session cookie."""
    made = {}

    def page_for(role):
        if role not in made:
            context = browser.new_context(viewport=DESKTOP)
            if role != "anon":
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": a11y_world.sessions[role],
                            "url": server,
                        }
                    ]
                )
            made[role] = (context, context.new_page())
        return made[role][1]

    yield page_for
    for context, _ in made.values():
        context.close()


AXE = Axe()
TOTALS = {"pages": 0, "nodes": 0}
A11Y_SUMMARY = Path(__file__).resolve().parents[2] / "test-artifacts" / "a11y-summary.txt"


def violations(page) -> list[str]:
    # Only the violations in detail: axe's report of every passing node is most of its time.
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    # axe-playwright-python's Axe.run injects axe.min.js (0.5 MB) on every call: inject it
    # once per page load, then run axe as Axe.run does.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.axe_script)
    response = page.evaluate(f"axe.run({json.dumps(options)})")
    TOTALS["nodes"] += page.evaluate("document.querySelectorAll('body *').length")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']} {n['failureSummary'][:300]!r}" for n in v["nodes"][:6])
        for v in response["violations"]
    ]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.label}-{c.role}" for c in CASES])
def test_page_meets_wcag_21_aa_at_desktop_and_phone_width(case, pages, server, a11y_world):
    page = pages(case.role)
    with time_machine.travel(NOW, tick=False):
        path = case.path(a11y_world)
    page.set_viewport_size(DESKTOP)
    response = page.goto(server + path)
    assert response.status == 200, f"{path} as {case.role}: {response.status}"
    assert urlsplit(page.url).path == urlsplit(path).path, f"{path} as {case.role}: {page.url}"
    found = {"desktop": violations(page)}
    page.set_viewport_size(PHONE)
    found["phone"] = violations(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    TOTALS["pages"] += 1
    problems = [f"[{where}] {v}" for where, vs in found.items() for v in vs]
    if width > PHONE["width"]:
        problems.append(f"[phone] the page is {width} px wide at 390 px: it scrolls sideways")
    assert problems == [], f"{path} as {case.role}:\n" + "\n".join(problems)


def test_every_page_of_the_matrix_is_checked_or_said_why_not():
    """A page of the matrix that answers someone with 200 is walked above, or NOT_PAGES
    says why it is not a page; an admin model is walked through its admin pages."""
    walked = {c.label.split("[")[0] for c in CASES}
    pages_of_matrix = {
        e.name for e in ENTRIES if e.method == "get" and any(e.expected[r] == 200 for r in ROLES)
    }
    assert sorted(pages_of_matrix - walked - set(NOT_PAGES)) == []
    assert sorted(set(NOT_PAGES) - pages_of_matrix) == []  # no stale exemption
    admin_walked = {c.label.split(":")[1] for c in CASES if c.label.count(":") == 2}
    staff_models = {
        label
        for label, (_, expected) in ADMIN_MODELS.items()
        if any(answers["instructor"] == 200 for answers in expected.values())
    }
    # Every model course staff open in the admin; the rest are superusers' (Django's own).
    assert admin_walked == staff_models
    assert staff_models <= {model._meta.label for model in admin.site._registry}


def test_zz_print_what_was_checked(capsys):
    """Prints the count of pages axe checked, and of the elements on them (read in the
    closing note)."""
    line = f"axe-core: {TOTALS['pages']} pages x 2 widths, {TOTALS['nodes']} elements checked"
    with capsys.disabled():
        print("\n" + line)
    # Under pytest-xdist a worker's output is not shown: the run's summary prints this file
    # (tests/conftest.py, pytest_terminal_summary).
    A11Y_SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    A11Y_SUMMARY.write_text(line)
    assert json.dumps(TOTALS)


def test_the_check_itself_finds_a_violation(browser):
    """The walk would pass vacuously if axe never reported: a page with an unlabelled
    input and low-contrast text must fail it."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main><input>'
            '<p style="color:#aaa;background:#fff">faint</p></main></body></html>'
        )
        found = " ".join(violations(page))
        assert "label (critical)" in found and "color-contrast" in found
    finally:
        context.close()

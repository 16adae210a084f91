"""End-to-end tests: Playwright for Python driving Debian's Chromium against a live server.

Every page load is watched: a console error or a failed request fails the test
(CSP violations show up as console errors, so this also proves the policy holds).
Screenshots go to test-artifacts/screenshots/ (not committed).
"""

import os
import shutil
from pathlib import Path

import pytest

# SEMINAR_CHROMIUM names another Chromium binary (dev.py reads it the same way).
CHROMIUM = os.environ.get("SEMINAR_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# A developer may skip the browser tests on purpose; under CI they always run.
SKIP_BROWSER = bool(os.environ.get("SEMINAR_SKIP_BROWSER")) and not os.environ.get("CI")


def require_chromium():
    """Fail (never skip) the test when Chromium is missing: CI is not green without it."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `apt-get install chromium` "
            "(python3 dev.py test does it as root), or set SEMINAR_SKIP_BROWSER=1 "
            "outside CI to skip the browser tests on purpose.",
            pytrace=False,
        )


def pytest_collection_modifyitems(config, items):
    """Tests marked `browser` are skipped only on a developer's explicit opt-out."""
    if not SKIP_BROWSER:
        return
    skip = pytest.mark.skip(reason="SEMINAR_SKIP_BROWSER is set (ignored under CI)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # tryfirst: ahead of pytest's own skipif, so a test file's "skip without Chromium" mark
    # cannot turn the missing browser back into a skip.
    if item.get_closest_marker("browser") and not SKIP_BROWSER:
        require_chromium()


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make for setup are ordinary synchronous code, so tell Django that is fine here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Watched:
    """A browser page that records console errors and failed requests."""

    def __init__(self, page, base_url, name):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _request_failed(self, request):
        # ERR_ABORTED is the browser dropping a request because the page moved on
        # (a form submitted before the favicon arrived), not a failure of the app.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _response(self, response):
        # 4xx answers the test provokes on purpose are checked by the test itself.
        if response.status >= 500:
            self.problems.append(f"server error {response.status}: {response.url}")

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def shot(self, label):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sign_in(self, email, password):
        self.goto("/accounts/login/")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()


@pytest.fixture
def open_page(browser, live_server, request):
    """open_page(name) -> Watched page in a fresh browser context (its own cookies)."""
    contexts = []
    watched = []

    def make(name="page"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = Watched(context.new_page(), live_server.url, f"{request.node.name}-{name}")
        watched.append(page)
        return page

    yield make
    problems = [p for w in watched for p in w.problems]
    for context in contexts:
        context.close()
    assert problems == [], "browser problems:\n" + "\n".join(problems)

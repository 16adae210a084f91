"""In a real browser: the claims board refreshes itself, but never under someone's hands.

- instructor: runs ECS 289D; types a reason into the board's "Assign a presenter" form.
- alice: a student watching the board while bob claims a paper.
The browser's clock is Playwright's, moved by hand past the board's 10 s refresh.
"""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from claims.services import claim_reading
from tests.conftest import LA, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPEN = datetime(2025, 9, 26, 10, 0, tzinfo=LA)


def shows(page, locator, seconds=10) -> bool:
    """Whether ``locator`` matches within ``seconds`` of real time (Playwright's own waits
    lean on animation frames, which the installed clock holds back)."""
    for _ in range(seconds * 4):
        if locator.count():
            return True
        page.wait_for_timeout(250)
    return False


@pytest.fixture
def board(open_page, course):
    def open_board(user):
        page = open_page(user.email.split("@")[0])
        page.page.clock.install(time=timezone.now())
        page.sign_in(user.email, PASSWORD)
        page.goto(f"/courses/{course.code}/claims/")
        return page

    return open_board


def test_the_board_shows_a_new_claim_without_a_reload(board, course, alice, bob, reading):
    with time_machine.travel(OPEN, tick=True):
        page = board(alice)
        row = page.page.locator(f"#reading-{reading.pk}")
        assert row.get_by_role("button", name="Claim").is_visible()
        claim_reading(reading=reading, user=bob)
        page.page.clock.run_for(11_000)
        assert shows(page.page, row.get_by_text("Bob Baker"))


def test_the_refresh_never_throws_away_what_staff_are_typing(
    board, course, instructor, alice, bob, reading
):
    with time_machine.travel(OPEN, tick=True):
        page = board(instructor)
        reason = page.page.locator("#assign-reason")
        row = page.page.locator(f"#reading-{reading.pk}")
        reason.fill("Swapped with Carol by email")
        page.page.locator("body").click()  # the field loses focus but keeps its text
        claim_reading(reading=reading, user=bob)
        page.page.clock.run_for(25_000)
        assert not shows(page.page, row.get_by_text("Bob Baker"), seconds=2)  # left alone
        assert reason.input_value() == "Swapped with Carol by email"
        reason.fill("")
        page.page.locator("body").click()
        page.page.clock.run_for(11_000)
        assert shows(page.page, row.get_by_text("Bob Baker"))


def test_the_refresh_leaves_a_keyboard_users_focus_where_it_is(
    board, course, alice, bob, reading, readings
):
    """A student who tabbed to a Claim button keeps it focused while others claim: a
    refresh under the focus would throw it back to the top of the page."""
    with time_machine.travel(OPEN, tick=True):
        page = board(alice)
        p = page.page
        other = next(r for r in readings if r.pk != reading.pk)
        button = p.locator(f"#reading-{other.pk}").get_by_role("button", name="Claim")
        button.focus()
        claim_reading(reading=reading, user=bob)
        p.clock.run_for(25_000)
        assert not shows(p, p.locator(f"#reading-{reading.pk}").get_by_text("Bob Baker"), 2)
        assert p.evaluate("document.activeElement.closest('li').id") == f"reading-{other.pk}"
        p.keyboard.press("Shift+Tab")  # the focus moves on: now the refresh may come
        p.locator("h1").click()
        p.clock.run_for(11_000)
        assert shows(p, p.locator(f"#reading-{reading.pk}").get_by_text("Bob Baker"))

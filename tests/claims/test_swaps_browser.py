"""In a real browser, inside the claim window: Alice offers Bob a swap from the board, Bob
sees the offer (the board with it meets WCAG 2.1 AA, as tests/a11y checks every page) and
accepts it with the keyboard.

- alice: presents FlashInfer; offers it for Orca.
- bob: presents Orca; accepts.
"""

import json

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe

from claims.models import Claim
from claims.services import claim_reading
from tests.a11y.test_pages import WCAG_21_AA
from tests.claims.test_claims import OPEN
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page) -> list[str]:
    page.evaluate(Axe().axe_script)
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    found = page.evaluate(f"axe.run({json.dumps(options)})")["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in found]


def test_a_swap_is_offered_and_accepted_on_the_board(open_page, course, alice, bob, readings):
    flash, orca = readings
    board = f"/courses/{course.code}/claims/"
    with time_machine.travel(OPEN, tick=True):
        claim_reading(reading=flash, user=alice)
        theirs = claim_reading(reading=orca, user=bob)
        a = open_page("alice")
        a.sign_in(alice.email, PASSWORD)
        a.goto(board)
        with a.page.expect_navigation():
            a.page.locator(f"#reading-{orca.pk}").get_by_role("button", name="Offer a swap").click()
        assert "Swap offered to Bob Baker" in a.page.content()
        assert a.page.get_by_role("button", name="Cancel offer").is_visible()

        b = open_page("bob")
        b.sign_in(bob.email, PASSWORD)
        b.goto(board)
        assert b.page.locator("#swaps").is_visible()
        assert axe_violations(b.page) == []
        b.page.get_by_role("button", name="Accept swap").focus()
        with b.page.expect_navigation():
            b.page.keyboard.press("Enter")
        assert "Swapped: you now present" in b.page.content()
    assert Claim.objects.active().get(reading=flash).student == bob
    assert Claim.objects.active().get(reading=orca).student == alice
    assert not Claim.objects.filter(pk=theirs.pk, withdrawn_at__isnull=True).exists()

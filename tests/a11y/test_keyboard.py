"""The keyboard alone: a student's week (sign in, claim a paper, write and submit a
review, join a team, read grades) and the instructor's grading of that review, in
Chromium, with Tab, Shift+Tab, Enter, Space and typing only: no clicks, no page.goto
after the first page. Every element that takes focus on the way must show it (an
outline or a focus ring), and the first Claim button is a few key presses away."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from reviews.models import Review
from tests import factories as f
from tests.conftest import PASSWORD
from tests.factories import LA
from tests.reviews.conftest import ECS_PROMPTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Fri Sep 26, 2025, noon: the claim window (Sep 25-30) is open, teams form until Oct 7.
NOW = datetime(2025, 9, 26, 12, 0, tzinfo=LA)

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const rect = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute("aria-label") || label || el.innerText || el.value || "").trim(),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== "none",
    shown: rect.width > 0 && rect.height > 0,
  };
}"""


class Keyboard:
    """Moves through a page with Tab as a person would, and keeps what it saw."""

    def __init__(self, page):
        self.page = page
        self.unringed: list[str] = []
        self.presses = 0

    def tab_to(self, name: str, *, exact=False, limit=90) -> int:
        """Tab until the focused element is named ``name``; the presses it took."""
        for count in range(1, limit + 1):
            self.page.keyboard.press("Tab")
            self.presses += 1
            now = self.page.evaluate(FOCUSED)
            if now is None:
                continue
            if not (now["ring"] and now["shown"]):
                self.unringed.append(f"{now['tag']} {now['name'][:60]!r} on {self.page.url}")
            found = now["name"] == name if exact else name.casefold() in now["name"].casefold()
            if found:
                return count
        raise AssertionError(f"{name!r} not reached in {limit} Tab presses on {self.page.url}")

    def press(self, key: str):
        self.page.keyboard.press(key)
        self.presses += 1

    def follow(self, name: str, **kwargs) -> int:
        count = self.tab_to(name, **kwargs)
        with self.page.expect_navigation():
            self.press("Enter")
        return count

    def type(self, text: str):
        self.page.keyboard.type(text)


@pytest.fixture
def week(db):
    course = f.CourseFactory(code="ecs289d-f25")
    instructor = f.MembershipFactory(
        course=course, instructor=True, user__email="yang@example.edu", user__name="Yang Zhou"
    ).user
    alice = f.MembershipFactory(
        course=course, user__email="alice@example.edu", user__name="Alice Archer"
    ).user
    bob = f.MembershipFactory(course=course, user__email="bob@example.edu").user
    component = f.GradeComponentFactory(
        course=course, name="Paper reviews", weight=Decimal("100"), source="reviews"
    )
    kind = f.ReviewKindFactory(
        course=course, prompts=ECS_PROMPTS[:2], component=component, max_points=Decimal("1")
    )
    session = f.SessionFactory(course=course, date=date(2025, 10, 14), topic="Attention")
    reading = f.ReadingFactory(
        session=session,
        paper__course=course,
        paper__title="FlashInfer",
        paper__authors="Ye",
        order=1,
    )
    f.ReadingFactory(session=session, paper__course=course, paper__title="Mooncake", order=2)
    team = f.TeamFactory(course=course, name="Flash")
    f.TeamMemberFactory(team=team, user=bob)
    return {
        "course": course,
        "instructor": instructor,
        "alice": alice,
        "kind": kind,
        "reading": reading,
        "team": team,
    }


def sign_in(keys: Keyboard, email: str):
    keys.tab_to("Email address")
    keys.type(email)
    keys.tab_to("Password")
    keys.type(PASSWORD)
    with keys.page.expect_navigation():
        keys.press("Enter")


def test_a_students_week_and_the_grading_of_a_review_by_keyboard_alone(open_page, week):
    course, reading = week["course"], week["reading"]
    with time_machine.travel(NOW, tick=True):
        student = open_page("alice-keyboard")
        p = student.page
        student.goto(f"/courses/{course.code}/claims/")  # the one address typed: sign-in follows
        keys = Keyboard(p)
        sign_in(keys, "alice@example.edu")
        expect(p.get_by_role("heading", name="Paper claims")).to_be_visible()

        # Claim: the skip links make the first Claim button a few presses away.
        presses = keys.tab_to("Skip to the readings")
        keys.press("Enter")
        expect(p.locator("#readings")).to_be_focused()
        presses += keys.tab_to("Claim", exact=True)
        assert presses <= 6, f"the first Claim button took {presses} Tab presses"
        with p.expect_navigation():
            keys.press("Enter")
        expect(p.get_by_text("You present “FlashInfer").first).to_be_visible()

        # The filter works from the keyboard: type, Space on the box, Enter.
        keys.tab_to("Skip to finding a paper")
        keys.press("Enter")
        keys.tab_to("Find a paper")
        keys.type("mooncake")
        keys.tab_to("Only readings without a presenter")
        keys.press("Space")
        with p.expect_navigation():
            keys.press("Enter")
        expect(p.get_by_text("Showing 1 of 2 readings")).to_be_visible()
        assert p.locator("#readings").get_by_text("FlashInfer").count() == 0

        # Write and submit a review, from the Reviews page.
        keys.follow("Reviews", exact=True)
        keys.follow("FlashInfer")
        keys.tab_to("Summary")
        keys.type(
            "FlashInfer makes attention fast for serving. It stores the cache in block sparse formats."
        )
        keys.tab_to("Advantages and disadvantages")
        keys.type("Fast; complex to tune.")
        keys.follow("Submit review")
        expect(p.get_by_text("(on time)").first).to_be_visible()

        # Join a team with the code a teammate gave.
        keys.follow("Team", exact=True)
        keys.tab_to("Join code")
        keys.type(week["team"].join_code)
        with p.expect_navigation():
            keys.press("Enter")
        expect(p.get_by_text("You joined Flash.")).to_be_visible()

        # Read grades.
        keys.follow("Grades", exact=True)
        expect(p.get_by_role("heading", name="My grades")).to_be_visible()
        student.shot("grades")

        # The instructor grades the review in the admin.
        staff = open_page("instructor-keyboard")
        q = staff.page
        staff.goto("/accounts/login/")
        ikeys = Keyboard(q)
        sign_in(ikeys, "yang@example.edu")
        ikeys.follow("Admin", exact=True)
        ikeys.tab_to("Skip to main content")
        ikeys.press("Enter")
        ikeys.follow("Reviews", exact=True)
        # The list of reviews, past the admin's menu of every model (as a keyboard user
        # skips it): each row's inputs are named after the column and the review.
        ikeys.tab_to("Skip to main content")
        ikeys.press("Enter")
        ikeys.tab_to("Points, Paper review of FlashInfer by Alice Archer")
        ikeys.type("1")
        ikeys.tab_to("Feedback, Paper review of FlashInfer by Alice Archer")
        ikeys.type("Clear summary.")
        ikeys.tab_to("Feedback published, Paper review of FlashInfer by Alice Archer")
        ikeys.press("Space")
        ikeys.follow("Save", exact=True)
        expect(q.get_by_text("was changed successfully").first).to_be_visible()
        staff.shot("graded")

    review = Review.objects.get(reading=reading, student=week["alice"])
    assert review.points == Decimal("1")
    assert review.feedback == "Clear summary."
    assert review.feedback_published
    unringed = keys.unringed + ikeys.unringed
    assert unringed == [], "focus not visible on:\n" + "\n".join(unringed)

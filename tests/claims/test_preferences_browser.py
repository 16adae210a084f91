"""In a real browser: three students rank papers, the staff allocate and publish, and each
student sees the paper they got.

- alice: ranks with the mouse (Add, Add, then Up moves her second choice first).
- bob: types rank numbers and presses Enter.
- dana: uses the keyboard only (Tab to a button, Enter; Alt+ArrowUp in a rank box).
- instructor: runs the allocation in the admin, reviews it and publishes it.
"""

from datetime import datetime

import pytest
import time_machine

from claims.models import Claim, Preference
from courses.models import ClaimsMode
from tests.claims.test_claims import add_reading
from tests.conftest import LA, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RANKING = datetime(2025, 9, 26, 10, 0, tzinfo=LA)


@pytest.fixture
def papers(course, session, reading):
    course.claims_mode = ClaimsMode.PREFERENCES
    course.claims_open_at = course.claims_close_at = None
    course.preferences_open_at = datetime(2025, 9, 25, 12, 0, tzinfo=LA)
    course.preferences_close_at = datetime(2025, 9, 30, 23, 59, tzinfo=LA)
    course.preferences_min_ranked = 2
    course.presenters_per_reading = 1
    course.save()
    return [reading, *(add_reading(session, t) for t in ("Orca", "vLLM", "Sarathi"))]


def ranking(user):
    return list(
        Preference.objects.filter(student=user).order_by("rank").values_list("reading", flat=True)
    )


def add_button(page, reading):
    return page.locator(f"#pref-{reading.pk} button[data-move='add']")


def test_three_students_rank_staff_publish_and_each_sees_their_paper(
    open_page, course, papers, alice, bob, dana, instructor
):
    flash, orca, vllm, sarathi = papers
    path = f"/courses/{course.code}/preferences/"
    with time_machine.travel(RANKING, tick=True):
        # Alice, with the mouse: Orca, then vLLM, then vLLM up to first.
        a = open_page("alice")
        a.sign_in(alice.email, PASSWORD)
        a.goto(path)
        add_button(a.page, orca).click()
        add_button(a.page, vllm).click()
        a.page.locator(f"#pref-{vllm.pk} button[data-move='up']").click()
        assert a.page.locator(f"#rank-{vllm.pk}").input_value() == "1"
        assert "rank 1 of 2" in a.page.locator("#ranking-live").text_content()
        with a.page.expect_navigation():
            a.page.get_by_role("button", name="Save ranking").click()
        assert "Ranking saved" in a.page.content()
        assert ranking(alice) == [vllm.pk, orca.pk]

        # Bob types numbers: FlashInfer 1, Orca 2.
        b = open_page("bob")
        b.sign_in(bob.email, PASSWORD)
        b.goto(path)
        b.page.locator(f"#rank-{flash.pk}").fill("1")
        b.page.locator(f"#rank-{orca.pk}").fill("2")
        with b.page.expect_navigation():
            b.page.keyboard.press("Enter")  # in the rank box: the form's default button saves
        assert ranking(bob) == [flash.pk, orca.pk]

        # Dana, keyboard only: Add Sarathi and vLLM with Enter, then Alt+ArrowUp on vLLM.
        d = open_page("dana")
        d.sign_in(dana.email, PASSWORD)
        d.goto(path)
        add_button(d.page, sarathi).focus()
        d.page.keyboard.press("Enter")
        add_button(d.page, vllm).focus()
        d.page.keyboard.press("Enter")
        d.page.locator(f"#rank-{vllm.pk}").focus()
        d.page.keyboard.press("Alt+ArrowUp")
        d.page.get_by_role("button", name="Save ranking").focus()
        with d.page.expect_navigation():
            d.page.keyboard.press("Enter")
        assert ranking(dana) == [vllm.pk, sarathi.pk]

        # The instructor runs the allocation, reads its statistics and publishes it.
        s = open_page("instructor")
        s.sign_in(instructor.email, PASSWORD)
        s.goto(f"/admin/claims/allocation/run/?course={course.pk}")
        s.page.get_by_label("Seed").fill("1")
        with s.page.expect_navigation():
            s.page.get_by_role("button", name="Run allocation").click()
        assert s.page.locator("#allocation-stats").is_visible()
        with s.page.expect_navigation():
            s.page.locator("#publish-allocation input[type=submit]").click()
        assert "Published: 3 claims" in s.page.content()

        # Alice and Dana both wanted vLLM first (one seat): one of them gets it, the
        # other her second choice; Bob gets FlashInfer. Each sees her or his own paper.
        for who, page in ((alice, a), (bob, b), (dana, d)):
            claim = Claim.objects.active().select_related("reading__paper").get(student=who)
            page.goto(path)
            assert claim.reading.paper.title in page.page.locator("#my-paper").text_content()
            page.shot("after-publishing")
        assert Claim.objects.get(student=bob).reading == flash


def test_an_unsaved_ranking_is_offered_back_after_the_tab_closed(open_page, course, papers, alice):
    flash, orca, vllm, _ = papers
    path = f"/courses/{course.code}/preferences/"
    with time_machine.travel(RANKING, tick=True):
        a = open_page("alice")
        a.sign_in(alice.email, PASSWORD)
        a.goto(path)
        add_button(a.page, vllm).click()
        add_button(a.page, flash).click()
        a.goto(path)  # as if the tab had closed: nothing was saved
        assert a.page.locator(f"#rank-{vllm.pk}").input_value() == ""
        a.page.get_by_role("button", name="Restore it").click()
        assert a.page.locator(f"#rank-{vllm.pk}").input_value() == "1"
        assert a.page.locator(f"#rank-{flash.pk}").input_value() == "2"
        with a.page.expect_navigation():
            a.page.get_by_role("button", name="Save ranking").click()
        assert ranking(alice) == [vllm.pk, flash.pk]
        a.goto(path)  # saved: the draft is gone
        assert a.page.locator("#ranking-draft").count() == 0

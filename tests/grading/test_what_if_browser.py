"""The what-if on a student's grades page, in Chromium: typed scores move current, floor
and ceiling in the page (no request, nothing saved), and the numbers it shows are the
ones the server gives once those scores are entered for real.

alice: Quiz (33%, 2 of 3 points) is graded; Participation (67%, out of 7) is open."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from grading.models import ComponentSource, GradeComponent, ManualScore
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_what_if_moves_the_numbers_saves_nothing_and_agrees_with_the_server(
    open_page, course, alice
):
    quiz = GradeComponent.objects.create(
        course=course, name="Quiz", weight=33, source=ComponentSource.MANUAL,
        max_points=3, published=True,
    )  # fmt: skip
    participation = GradeComponent.objects.create(
        course=course, name="Participation", weight=67, source=ComponentSource.PARTICIPATION,
        max_points=7, published=True,
    )  # fmt: skip
    ManualScore.objects.create(component=quiz, student=alice, points=Decimal(2))
    page = open_page("alice")
    page.sign_in(alice.email, PASSWORD)
    page.goto(f"/courses/{course.code}/grades/")
    p = page.page
    expect(p.locator("#current-grade")).to_have_text("66.67% · D")  # 2/3 over 33% of the grade
    expect(p.locator("#floor-grade")).to_have_text("22.00% · F")
    expect(p.locator("#ceiling-grade")).to_have_text("89.00% · B+")
    sent = []
    p.on("request", lambda request: sent.append(request.method))
    p.get_by_label("Participation (out of 7)").fill("5")
    # 33 x 2/3 + 67 x 5/7 = 22 + 47.857142… = 69.857142… -> 69.86, a D+
    expected = "With these scores: current 69.86% · D+, floor 69.86% · D+, ceiling 69.86% · D+."
    expect(p.locator("#what-if-result")).to_contain_text(expected)
    page.shot("what-if")
    p.get_by_role("button", name="Clear").click()
    expect(p.locator("#what-if-result")).to_have_text("Type a score above to see the what-if.")
    assert sent == []  # worked out in the page
    assert ManualScore.objects.filter(component=participation).count() == 0
    # Enter that score for real: the server's numbers are the what-if's.
    ManualScore.objects.create(component=participation, student=alice, points=Decimal(5))
    page.goto(f"/courses/{course.code}/grades/")
    for grade in ("current", "floor", "ceiling"):
        expect(p.locator(f"#{grade}-grade")).to_have_text("69.86% · D+")


def test_the_what_if_of_a_component_with_several_sources_agrees_with_the_server(
    open_page, course, alice
):
    """Participation (67%) = the quiz-like part "manual" 40 + "participation" 60 inside it;
    Quiz (33%) graded 2 / 3. Alice types her in-class score (out of 7) in the what-if."""
    from grading.models import ComponentPart

    quiz = GradeComponent.objects.create(
        course=course, name="Quiz", weight=33, source=ComponentSource.MANUAL,
        max_points=3, published=True,
    )  # fmt: skip
    participation = GradeComponent.objects.create(
        course=course, name="Participation", weight=67, source=ComponentSource.SEVERAL,
        max_points=7, published=True,
    )  # fmt: skip
    ComponentPart.objects.create(component=participation, source="participation", weight=60)
    ComponentPart.objects.create(component=participation, source="presentation", weight=40)
    ManualScore.objects.create(component=quiz, student=alice, points=Decimal(2))
    page = open_page("alice")
    page.sign_in(alice.email, PASSWORD)
    page.goto(f"/courses/{course.code}/grades/")
    p = page.page
    p.get_by_label("Participation (out of 7)").fill("5")
    result = p.locator("#what-if-result")
    expect(result).to_contain_text("Nothing was saved.")
    typed = result.text_content()
    ManualScore.objects.create(component=participation, student=alice, points=Decimal(5))
    page.goto(f"/courses/{course.code}/grades/")
    current = p.locator("#current-grade").text_content().strip()
    floor = p.locator("#floor-grade").text_content().strip()
    ceiling = p.locator("#ceiling-grade").text_content().strip()
    assert f"current {current}, floor {floor}, ceiling {ceiling}." in typed, (typed, current)

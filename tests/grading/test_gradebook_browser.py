"""In a real browser: the gradebook sorts on click and both grade pages pass the CSP.

- instructor: runs ECS 289D; opens the gradebook.
- alice (90) and bob (40): students with one manual score each; alice opens her page.
"""

from decimal import Decimal

import pytest

from grading.models import ComponentSource, GradeComponent, ManualScore
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored(course, alice, bob):
    everything = GradeComponent.objects.create(
        course=course,
        name="Everything",
        weight=Decimal(100),
        source=ComponentSource.MANUAL,
        published=True,
    )
    ManualScore.objects.create(component=everything, student=alice, points=Decimal(90))
    ManualScore.objects.create(component=everything, student=bob, points=Decimal(40))


def first_student(page):
    return page.page.locator("#gradebook tbody tr").first.locator("th a").inner_text()


def test_gradebook_columns_sort_on_click_without_inline_script(
    open_page, scored, course, instructor
):
    page = open_page("instructor")
    page.sign_in(instructor.email, PASSWORD)
    page.goto(f"/courses/{course.code}/gradebook/")
    assert page.page.locator("#grade-histogram rect.bar").count() == 2
    final = page.page.get_by_role("button", name="Floor %")
    final.click()
    assert first_student(page) == "Bob Baker"
    final.click()
    assert first_student(page) == "Alice Archer"
    page.page.get_by_role("button", name="Student").click()
    assert first_student(page) == "Alice Archer"
    page.shot("gradebook")


def test_students_grades_page_renders_cleanly(open_page, scored, course, alice):
    page = open_page("alice")
    page.sign_in(alice.email, PASSWORD)
    page.goto(f"/courses/{course.code}/grades/")
    assert page.page.get_by_text("90.00% · A").first.is_visible()
    page.shot("grades")

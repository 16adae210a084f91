import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_signs_in_and_sees_the_dashboard(open_page, alice, course):
    page = open_page("alice")
    page.goto("/")
    assert "/accounts/login/" in page.page.url
    page.sign_in(alice.email, PASSWORD)
    assert page.page.get_by_role("heading", name="Hello, Alice").is_visible()
    assert page.page.locator("main").get_by_text(course.title).is_visible()
    page.shot("dashboard")

"""The LTI pages people read (the link page, a refused launch, a refused role) meet WCAG 2.1
AA at desktop and phone width, as tests/a11y/test_pages.py checks every page of the matrix
(these answer 200 or 403 only after a launch, so the matrix cannot open them)."""

import pytest

from lti.models import ContextLink
from tests.a11y.test_pages import DESKTOP, PHONE, violations
from tests.lti.conftest import register
from tests.lti.platform import INSTRUCTOR, MENTOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lms(live_platform, live_server, instructor, course):
    live_platform.reset()
    live_platform.tool_login_url = f"{live_server.url}/lti/login/"
    live_platform.tool_launch_url = f"{live_server.url}/lti/launch/"
    live_platform.tool_jwks_url = f"{live_server.url}/lti/jwks/"
    live_platform.registered = register(live_platform)
    live_platform.add_user("p-yang", name="Yang Zhou", email=instructor.email, roles=[INSTRUCTOR])
    live_platform.add_user("p-max", name="Max Mentor", email="max@example.edu", roles=[MENTOR])
    yield live_platform
    live_platform.reset()


@pytest.fixture
def new_page(browser):
    """A plain page: a refused launch answers 403, which open_page would count as a fault."""
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def check(page, heading):
    page.get_by_role("heading", name=heading).wait_for()
    problems = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        problems += violations(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width} px wide at 390 px"
    assert problems == []


def test_the_link_page(new_page, lms):
    page = new_page
    page.goto(lms.login_url("p-yang"))
    check(page, "Link “Course ctx1” to a Seminar course")


def test_a_refused_launch(new_page, lms):
    lms.tamper = lambda message: message.update(
        {"https://purl.imsglobal.org/spec/lti/claim/version": "1.1.0"}
    )
    page = new_page
    page.goto(lms.login_url("p-yang"))
    check(page, "Seminar could not open this launch")


def test_a_refused_role(new_page, lms, course):
    ContextLink.objects.create(
        platform=lms.registered,
        deployment=lms.registered.deployments.get(),
        context_id="ctx1",
        course=course,
    )
    page = new_page
    page.goto(lms.login_url("p-max"))
    check(page, "Your role has no place in Seminar")


def test_the_deep_linking_pages(new_page, lms, course):
    lms.deep_link = True
    page = new_page
    page.goto(lms.login_url("p-yang"))
    check(page, "Link “Course ctx1” to a Seminar course")
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Course").select_option(str(course.pk))
    page.get_by_role("button", name="Link and add it to the LMS").click()
    check(page, f"Add “{course.title}” to your LMS course")

"""In Chromium, as Ada and then as the instructor: the same numbers for her late review
(7.88 / 10) and her adjusted milestone (8 / 10) on the reviews list, the team page, the
grades page, the gradebook with the component expanded, and the CSV of every item the
gradebook links (fetched by the signed-in browser). The data: test_same_numbers.py."""

import csv
import io

import pytest
import time_machine
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.grading.test_same_numbers import NOW, course_of_ada  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_same_numbers_in_all_five_places_in_the_browser(open_page, course_of_ada):  # noqa: F811
    course, staff, ada, ben, reviews, project = course_of_ada
    code = course.code
    for user in (ada, staff):
        user.set_password(PASSWORD)
        user.save()
    with time_machine.travel(NOW, tick=True):
        page = open_page("ada")
        page.sign_in(ada.email, PASSWORD)
        p = page.page
        page.goto(f"/courses/{code}/reviews/")
        expect(p.locator("td", has_text="7.88 / 10").first).to_be_visible()
        page.goto(f"/courses/{code}/team/")
        expect(p.get_by_text("8 / 10", exact=True).first).to_be_visible()
        page.goto(f"/courses/{code}/grades/")
        expect(p.get_by_text("7.88 / 10", exact=False).first).to_be_attached()
        expect(p.get_by_text("8 / 10", exact=False).first).to_be_attached()

        staff_page = open_page("yang")
        staff_page.sign_in(staff.email, PASSWORD)
        s = staff_page.page
        staff_page.goto(f"/courses/{code}/gradebook/")
        with s.expect_navigation():
            s.get_by_label("Show the items of Paper reviews").click()
        ada_row = s.locator("tr", has_text="Ada Lovelace")
        expect(ada_row.get_by_role("cell", name="7.88 / 10")).to_be_visible()
        with s.expect_navigation():
            s.get_by_label("Show the items of Project proposal").click()
        expect(ada_row.get_by_role("cell", name="8 / 10")).to_be_visible()
        link = s.get_by_role("link", name="CSV of every item")
        href = s.evaluate("a => a.href", link.element_handle())  # absolute
        body = s.context.request.get(href).text()
        rows = {row[0]: row for row in csv.reader(io.StringIO(body))}
        header = rows["Student"]
        ada_line = dict(zip(header, rows["Ada Lovelace"], strict=True))
        assert ada_line[next(h for h in header if h.startswith("Paper reviews: "))] == "7.88"
        assert ada_line[next(h for h in header if h.startswith("Project proposal: "))] == "8"

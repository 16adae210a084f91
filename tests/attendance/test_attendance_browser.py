"""In a real browser: the instructor opens the check-in on the projector page, Alice checks
in from her phone (390 px wide) with the code shown, and the instructor sees her present.

- instructor: runs ECS 289D; opens today's check-in.
- alice: a student of the course, on her phone.
"""

from datetime import datetime

import pytest
import time_machine

from attendance.models import Attendance, Status
from tests.conftest import LA, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IN_CLASS = datetime(2025, 11, 4, 10, 35, tzinfo=LA)  # the session fixture's class, 10:30


def test_staff_open_a_check_in_a_student_checks_in_by_phone_and_staff_see_her_present(
    open_page, browser, live_server, course, session, instructor, alice
):
    course.location = "Olson 105"
    course.save(update_fields=["location"])
    page_url = f"/courses/{course.code}/attendance/"
    with time_machine.travel(IN_CLASS, tick=True):
        staff = open_page("instructor")
        staff.sign_in(instructor.email, PASSWORD)
        staff.goto(page_url)
        staff.page.get_by_role("button", name="Open check-in").click()
        staff.page.wait_for_load_state()
        code = staff.page.locator("#checkin-code").inner_text().strip()
        assert len(code) == 5
        assert staff.page.get_by_role("img", name="QR code").is_visible()
        assert staff.page.locator("#checkin-window").inner_text() == "open now"
        staff.shot("projector")

        phone = open_page("alice")
        phone.page.set_viewport_size({"width": 390, "height": 844})
        phone.sign_in(alice.email, PASSWORD)
        phone.goto(page_url)  # the address shown above the code
        box = phone.page.get_by_label("Code shown in class")
        box.fill("WRONG")
        phone.page.get_by_role("button", name="Check in").click()
        phone.page.wait_for_load_state()
        assert "tries left" in phone.page.locator("#code-error").inner_text()
        # The refused code answers 400, which Chromium logs; that one is on purpose.
        refused = [p for p in phone.problems if "status of 400" in p]
        assert len(refused) == 1
        phone.problems.remove(refused[0])
        phone.page.get_by_label("Code shown in class").fill(code.lower())
        phone.page.get_by_role("button", name="Check in").click()
        phone.page.wait_for_load_state()
        assert "You are checked in" in phone.page.locator("#checkin-state").inner_text()
        # The phone page does not scroll sideways.
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
        phone.shot("checked-in")

        staff.page.reload()
        select = staff.page.get_by_label(f"Status of {alice.name}")
        assert select.input_value() == "present"
        assert "1 of 1 present" in staff.page.locator("#attendance-roster caption").inner_text()
        select.select_option("excused")
        staff.page.get_by_role("button", name="Save statuses").click()
        staff.page.wait_for_load_state()
        assert Attendance.objects.get(student=alice).status == Status.EXCUSED

"""Attendance (SPEC, Participation): staff open a check-in for a session, students check
in from their phone with its code during class time, wrong codes are limited, staff
correct, and it can feed a grade component. People: see conftest.py."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    WRONG_CODE_LIMIT,
    Attendance,
    CheckIn,
    CheckInAttempt,
    Status,
)
from tests.attendance.conftest import AFTER, BEFORE, IN_CLASS, LAST_MINUTE
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


# ------------------------------------------------------------------ staff open a check-in


def test_staff_open_todays_check_in_with_a_short_unambiguous_code(
    client, instructor, session, page, at
):
    at(BEFORE)
    client.force_login(instructor)
    response = client.post(page, {"action": "open", "session": session.pk})
    assert response.status_code == 302
    checkin = CheckIn.objects.get(session=session)
    assert len(checkin.code) == CODE_LENGTH and set(checkin.code) <= set(CODE_ALPHABET)
    assert checkin.opened_by == instructor
    shown = client.get(response["Location"])
    html = shown.content.decode()
    assert f">{checkin.code}<" in html
    assert "10:30 AM–11:50 AM PST" in html  # today's class, in the course's zone
    assert 'src="data:image/svg+xml' in html  # the QR code, inline: the CSP allows data:
    assert "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    # Opening again keeps the code students may already be typing.
    client.post(page, {"action": "open", "session": session.pk})
    assert CheckIn.objects.get(session=session).code == checkin.code


def test_the_qr_code_holds_the_check_in_address_with_the_code(
    client, instructor, checkin, page, at
):
    at(IN_CLASS)
    client.force_login(instructor)
    response = client.get(page)
    assert response.context["qr"].startswith("data:image/svg+xml")
    # segno encodes the address; the same address pre-fills the code for the student.
    from attendance.views import _qr_data_uri

    assert (
        _qr_data_uri(response.wsgi_request, checkin.session.course, checkin)
        == response.context["qr"]
    )


def test_staff_cannot_open_a_check_in_for_another_day_on_the_page(
    client, instructor, session, page, at
):
    at(AFTER.replace(day=5))
    client.force_login(instructor)
    response = client.post(page, {"action": "open", "session": session.pk}, follow=True)
    assert not CheckIn.objects.exists()
    assert "opened on the day of class" in text_of(response)


def test_a_holiday_has_no_check_in(client, instructor, course, page, at):
    holiday = SessionFactory(course=course, kind="holiday")
    at(IN_CLASS)
    client.force_login(instructor)
    assert client.post(page, {"action": "open", "session": holiday.pk}).status_code == 404
    assert not CheckIn.objects.exists()


def test_another_courses_session_is_404_for_staff(client, instructor, other_course, page, at):
    theirs = SessionFactory(course=other_course)
    at(IN_CLASS)
    client.force_login(instructor)
    assert client.get(page, {"session": theirs.pk}).status_code == 404
    assert client.post(page, {"action": "open", "session": theirs.pk}).status_code == 404
    assert client.get(page, {"session": "x"}).status_code == 404


# ------------------------------------------------------------------ students check in


def test_a_student_checks_in_with_the_code_during_class(client, alice, checkin, page, at):
    at(IN_CLASS)
    client.force_login(alice)
    response = client.post(page, {"code": " hx7-kp "}, follow=True)  # case, spaces, dash
    assert "You are checked in" in text_of(response)
    record = Attendance.objects.get(checkin=checkin, student=alice)
    assert record.status == Status.PRESENT and record.checked_in_at == IN_CLASS
    assert record.corrected_by is None
    # Checking in again changes nothing and says so.
    again = client.post(page, {"code": "HX7KP"}, follow=True)
    assert "You are checked in" in text_of(again)
    assert Attendance.objects.count() == 1


def test_the_qr_address_prefills_the_code(client, alice, checkin, page, at):
    at(IN_CLASS)
    client.force_login(alice)
    html = client.get(page, {"code": "HX7KP"}).content.decode()
    assert 'value="HX7KP"' in html


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (BEFORE, "Check-in opens at Tue Nov 4, 10:20 AM PST."),
        (AFTER, "Check-in closed at Tue Nov 4, 12:00 PM PST."),
    ],
)
def test_outside_the_window_the_student_is_told_when_it_opens_or_that_it_closed(
    client, alice, checkin, page, at, when, message
):
    at(when)
    client.force_login(alice)
    response = client.post(page, {"code": "HX7KP"})
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Attendance.objects.exists()


def test_the_window_is_class_time_with_ten_minutes_either_side(client, alice, checkin, page, at):
    at(LAST_MINUTE)
    client.force_login(alice)
    assert client.post(page, {"code": "HX7KP"}).status_code == 302
    assert Attendance.objects.filter(student=alice, status=Status.PRESENT).exists()


def test_only_todays_session_takes_check_ins(client, alice, checkin, page, at):
    at(IN_CLASS.replace(day=5))  # the next day: yesterday's check-in is not offered
    client.force_login(alice)
    response = client.post(page, {"code": "HX7KP"})
    assert response.status_code == 400
    assert "No check-in is open for this course today." in text_of(response)
    assert "There is no class today" in text_of(client.get(page))


def test_before_staff_open_it_the_student_is_told_to_wait(client, alice, session, page, at):
    at(IN_CLASS)
    client.force_login(alice)
    assert "No check-in is open for today" in text_of(client.get(page))


def test_an_empty_code_is_refused_next_to_the_field(client, alice, checkin, page, at):
    at(IN_CLASS)
    client.force_login(alice)
    response = client.post(page, {"code": "  "})
    assert response.status_code == 400
    assert 'id="code-error"' in response.content.decode()
    assert not CheckInAttempt.objects.filter(wrong__gt=0).exists()


# ------------------------------------------------------------------ wrong codes are limited


def test_a_wrong_code_is_refused_next_to_the_field_with_the_tries_left(
    client, alice, checkin, page, at
):
    at(IN_CLASS)
    client.force_login(alice)
    response = client.post(page, {"code": "AAAAA"})
    assert response.status_code == 400
    html = text_of(response)
    assert 'id="code-error"' in html
    assert f"not the code shown in class ({WRONG_CODE_LIMIT - 1} tries left)" in html
    assert 'value="AAAAA"' in html  # what they typed stays in the box


def test_too_many_wrong_codes_lock_the_check_in_for_that_student(
    client, alice, bob, checkin, page, at
):
    at(IN_CLASS)
    client.force_login(alice)
    for _ in range(WRONG_CODE_LIMIT):
        assert client.post(page, {"code": "AAAAA"}).status_code == 400
    # Now even the right code is refused: guessing is over for this session.
    response = client.post(page, {"code": "HX7KP"})
    assert response.status_code == 400
    assert "locked for you for this session" in text_of(response)
    assert "locked for you" in text_of(client.get(page))
    assert not Attendance.objects.filter(student=alice).exists()
    assert CheckInAttempt.objects.get(student=alice).wrong == WRONG_CODE_LIMIT
    # Bob is not locked by Alice's guesses.
    client.force_login(bob)
    assert client.post(page, {"code": "HX7KP"}).status_code == 302


def test_the_lock_is_per_session(client, alice, course, checkin, page, at):
    CheckInAttempt.objects.create(checkin=checkin, student=alice, wrong=WRONG_CODE_LIMIT)
    thursday = SessionFactory(course=course, date=checkin.session.date.replace(day=6))
    CheckIn.objects.create(session=thursday, code="MMMMM")
    at(IN_CLASS.replace(day=6))
    client.force_login(alice)
    assert client.post(page, {"code": "MMMMM"}).status_code == 302


def test_a_guess_is_judged_under_a_row_lock(client, alice, checkin, page, at):
    at(IN_CLASS)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        client.post(page, {"code": "AAAAA"})
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_staff_can_mark_a_locked_out_student_present(client, alice, instructor, checkin, page, at):
    CheckInAttempt.objects.create(checkin=checkin, student=alice, wrong=WRONG_CODE_LIMIT)
    at(IN_CLASS)
    client.force_login(instructor)
    client.post(
        page, {"action": "correct", "session": checkin.session_id, f"status-{alice.pk}": "present"}
    )
    assert Attendance.objects.get(student=alice).status == Status.PRESENT


# ------------------------------------------------------------------ staff correct


def test_staff_see_the_roster_and_correct_statuses(
    client, instructor, alice, bob, checkin, page, at
):
    Attendance.objects.create(checkin=checkin, student=alice, checked_in_at=IN_CLASS)
    at(AFTER)
    client.force_login(instructor)
    html = text_of(client.get(page, {"session": checkin.session_id}))
    assert "Alice Archer" in html and "Bob Baker" in html
    assert "1 of 2 present" in html
    response = client.post(
        page,
        {
            "action": "correct",
            "session": checkin.session_id,
            f"status-{alice.pk}": "absent",
            f"status-{bob.pk}": "excused",
        },
        follow=True,
    )
    assert "Saved: 2 students changed." in text_of(response)
    records = {r.student: r for r in Attendance.objects.all()}
    assert records[alice].status == Status.ABSENT and records[bob].status == Status.EXCUSED
    assert records[alice].corrected_by == instructor and records[alice].corrected_at == AFTER
    assert records[alice].checked_in_at == IN_CLASS  # when she checked in is kept
    # "not recorded" clears a record.
    client.post(page, {"action": "correct", "session": checkin.session_id, f"status-{bob.pk}": ""})
    assert not Attendance.objects.filter(student=bob).exists()


def test_a_student_recorded_by_staff_cannot_overwrite_it(
    client, alice, instructor, checkin, page, at
):
    Attendance.objects.create(
        checkin=checkin, student=alice, status=Status.ABSENT, corrected_by=instructor
    )
    at(IN_CLASS)
    client.force_login(alice)
    response = client.post(page, {"code": "HX7KP"})
    assert response.status_code == 400
    assert "recorded you as absent" in text_of(response)
    assert Attendance.objects.get(student=alice).status == Status.ABSENT


def test_staff_corrections_ignore_people_outside_the_course(
    client, instructor, charlie, ta, checkin, page, at
):
    at(IN_CLASS)
    client.force_login(instructor)
    client.post(
        page,
        {
            "action": "correct",
            "session": checkin.session_id,
            f"status-{charlie.pk}": "present",
            f"status-{ta.pk}": "present",
        },
    )
    assert not Attendance.objects.exists()


def test_a_bad_status_is_refused_with_a_message(client, instructor, alice, checkin, page, at):
    at(IN_CLASS)
    client.force_login(instructor)
    response = client.post(
        page,
        {"action": "correct", "session": checkin.session_id, f"status-{alice.pk}": "late"},
        follow=True,
    )
    assert "is not one of" in text_of(response)
    assert not Attendance.objects.exists()


def test_a_student_cannot_correct_or_open(client, alice, bob, session, checkin, page, at):
    at(IN_CLASS)
    client.force_login(alice)
    client.post(page, {"action": "correct", "session": session.pk, f"status-{bob.pk}": "present"})
    client.post(page, {"action": "open", "session": session.pk})
    assert not Attendance.objects.filter(student=bob).exists()
    html = client.get(page).content.decode()
    assert "HX7KP" not in html and "Bob Baker" not in html  # no code, no classmates


# ------------------------------------------------------------------ who reaches the page


def test_outsiders_get_404_and_anonymous_visitors_the_sign_in_page(client, charlie, checkin, page):
    assert client.get(page).status_code == 302
    client.force_login(charlie)
    assert client.get(page).status_code == 404
    assert client.post(page, {"code": "HX7KP"}).status_code == 404
    assert not Attendance.objects.exists()


# ------------------------------------------------------------------ the admin


def test_staff_open_a_check_in_for_any_session_in_the_admin(client, instructor, session):
    client.force_login(instructor)
    response = client.post(
        "/admin/attendance/checkin/add/",
        {"session": session.pk, "code": "ab cd"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    checkin = CheckIn.objects.get()
    assert checkin.opened_by == instructor and checkin.code == "ABCD"


def test_staff_correct_a_record_in_the_admin_list(client, instructor, alice, checkin):
    record = Attendance.objects.create(checkin=checkin, student=alice, checked_in_at=IN_CLASS)
    client.force_login(instructor)
    response = client.post(
        "/admin/attendance/attendance/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": record.pk,
            "form-0-status": "excused",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.EXCUSED and record.corrected_by == instructor


def test_the_admin_refuses_a_record_for_someone_outside_the_course(
    client, instructor, charlie, checkin
):
    client.force_login(instructor)
    response = client.post(
        "/admin/attendance/attendance/add/",
        {"checkin": checkin.pk, "student": charlie.pk, "status": "present"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Attendance.objects.exists()

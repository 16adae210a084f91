"""Claims in the admin and on the dashboard's due list.

People: instructor and ta run `course`; alice and bob are its students; other_ta
runs only `other_course` and must see none of `course`'s claims.
"""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from claims.models import Claim, ClaimEvent
from claims.services import claim_reading
from courses.deadlines import due_items
from courses.models import Paper, Reading
from courses.timing import end_of_minute as eom
from tests.claims.test_claims import AFTER_CLOSE, OPEN
from tests.conftest import LA


@pytest.fixture
def orca(session):
    paper = Paper.objects.create(course=session.course, title="Orca: A Distributed Serving System")
    return Reading.objects.create(session=session, paper=paper, order=2)


def test_staff_assign_in_the_admin_goes_through_the_rules(
    login, course, instructor, alice, reading, orca
):
    client = login(instructor)
    url = reverse("admin:claims_claim_add")
    with time_machine.travel(AFTER_CLOSE, tick=False):
        response = client.post(
            url, {"reading": reading.pk, "student": alice.pk, "reason": "late add"}
        )
        assert response.status_code == 302
        again = client.post(url, {"reading": orca.pk, "student": alice.pk, "reason": "second"})
    assert "Alice Archer already presents" in again.content.decode()
    claim = Claim.objects.get()
    assert (claim.by_staff, claim.claimed_by, claim.reason) == (True, instructor, "late add")
    assert ClaimEvent.objects.get().action == "assign"


def test_staff_grade_a_presentation_but_cannot_rewrite_who_claimed(
    login, course, ta, alice, reading
):
    with time_machine.travel(OPEN, tick=False):
        claim = claim_reading(reading=reading, user=alice)
    client = login(ta)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    response = client.post(url, {"points": "23.5", "feedback": "clear", "seat": 2})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (str(claim.points), claim.feedback, claim.seat) == ("23.50", "clear", 1)


def test_claim_lists_are_scoped_and_the_audit_trail_is_read_only(
    login, course, instructor, other_ta, alice, reading, django_assert_max_num_queries
):
    with time_machine.travel(OPEN, tick=False):
        claim_reading(reading=reading, user=alice)
    client = login(instructor)
    with django_assert_max_num_queries(20):
        assert (
            "Alice Archer" in client.get(reverse("admin:claims_claim_changelist")).content.decode()
        )
    events = client.get(reverse("admin:claims_claimevent_changelist")).content.decode()
    assert "Alice Archer" in events
    event = ClaimEvent.objects.get()
    change = client.post(
        reverse("admin:claims_claimevent_change", args=[event.pk]), {"reason": "x"}
    )
    assert change.status_code == 403
    assert client.get(reverse("admin:claims_claimevent_add")).status_code == 403
    outsider = login(other_ta).get(reverse("admin:claims_claim_changelist")).content.decode()
    assert "Alice Archer" not in outsider


def test_due_items_show_the_window_and_the_presentation(course, alice, bob, reading):
    course.slides_due_hours = -24
    course.save()
    with time_machine.travel(OPEN, tick=False):
        before = due_items(bob, [course])
        claim_reading(reading=reading, user=alice)
        items = {i.kind: i for i in due_items(alice, [course])}
    assert [(i.kind, i.done) for i in before if i.kind == "claims"] == [("claims", False)]
    assert items["claims"].done is True
    assert items["presentation"].due_at == datetime(2025, 11, 4, 10, 30, tzinfo=LA)
    assert items["slides"].due_at == eom(datetime(2025, 11, 3, 10, 30, tzinfo=LA))
    assert items["slides"].done is False
    with time_machine.travel(AFTER_CLOSE, tick=False):
        assert "claims" not in {i.kind for i in due_items(bob, [course])}

"""The private calendar feed.

People: alice (student of `course`) reads her own feed with her token;
charlie (student of `other_course`) has a valid token but is not in `course`.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

import courses.hooks
from courses.deadlines import DueItem
from courses.models import Session, SessionKind

LA = ZoneInfo("America/Los_Angeles")
UTC = ZoneInfo("UTC")


def feed(client, course, token):
    return client.get(f"/courses/{course.code}/calendar.ics", {"token": token})


def events(response):
    cal = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def schedule(course, reading):
    """Sessions on both sides of the 2025-11-02 DST change, and a holiday."""
    before = Session.objects.create(course=course, date=date(2025, 10, 28), topic="LLM Inference")
    holiday = Session.objects.create(
        course=course, date=date(2025, 11, 11), kind=SessionKind.HOLIDAY, title="Veterans Day"
    )
    return {"before": before, "after": reading.session, "holiday": holiday}


def test_feed_parses_and_has_the_right_instants_across_dst(client, course, alice, schedule):
    response = feed(client, course, alice.calendar_token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    before = found[f"session-{schedule['before'].pk}@seminar"]
    after = found[f"session-{schedule['after'].pk}@seminar"]
    # 10:30 PDT (UTC-7) before the change, 10:30 PST (UTC-8) after.
    assert before.decoded("dtstart").astimezone(UTC) == datetime(2025, 10, 28, 17, 30, tzinfo=UTC)
    assert after.decoded("dtstart").astimezone(UTC) == datetime(2025, 11, 4, 18, 30, tzinfo=UTC)
    assert after.decoded("dtend") - after.decoded("dtstart") == timedelta(minutes=80)
    assert before["dtstart"].params["TZID"] == "America/Los_Angeles"
    assert "FlashInfer" in str(after["summary"])
    assert "FlashInfer" in str(after["description"])


def test_feed_carries_a_vtimezone_with_both_offsets(client, course, alice, schedule):
    cal = Calendar.from_ical(feed(client, course, alice.calendar_token).content)
    zones = cal.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["America/Los_Angeles"]
    assert {c.name for c in zones[0].subcomponents} >= {"STANDARD", "DAYLIGHT"}
    assert str(cal["version"]) == "2.0" and cal["prodid"]


def test_holidays_are_all_day_events(client, course, alice, schedule):
    found = events(feed(client, course, alice.calendar_token))
    holiday = found[f"session-{schedule['holiday'].pk}@seminar"]
    assert holiday.decoded("dtstart") == date(2025, 11, 11)
    assert "No class: Veterans Day" in str(holiday["summary"])


def test_feed_includes_the_members_due_items(client, course, alice, schedule, monkeypatch):
    due = datetime(2025, 11, 3, 23, 59, tzinfo=LA)

    def provider(user, courses):
        if user == alice:
            yield DueItem(course=courses[0], title="Review: FlashInfer", due_at=due, uid="r-1")

    # An app's due_items hook (courses.plugins), for this test only.
    monkeypatch.setattr(courses.hooks, "due_items", provider, raising=False)
    found = events(feed(client, course, alice.calendar_token))
    item = found["r-1@seminar"]
    assert item.decoded("dtstart").astimezone(UTC) == datetime(2025, 11, 4, 7, 59, tzinfo=UTC)
    assert "Review: FlashInfer" in str(item["summary"])


def test_a_wrong_or_missing_token_gets_404(client, course, alice, schedule):
    assert feed(client, course, "not-the-token").status_code == 404
    assert client.get(f"/courses/{course.code}/calendar.ics").status_code == 404
    assert feed(client, course, "").status_code == 404


def test_a_token_of_someone_outside_the_course_gets_404(client, course, charlie, schedule):
    assert feed(client, course, charlie.calendar_token).status_code == 404


def test_a_reset_token_stops_the_old_feed(client, course, alice, schedule):
    old = alice.calendar_token
    alice.reset_calendar_token()
    assert feed(client, course, old).status_code == 404
    assert feed(client, course, alice.calendar_token).status_code == 200


def test_feed_query_count_does_not_grow_with_the_schedule(
    client, course, alice, schedule, django_assert_max_num_queries
):
    from courses.models import Paper, Reading

    with django_assert_max_num_queries(30) as small:
        feed(client, course, alice.calendar_token)
    for i in range(12):
        session = Session.objects.create(course=course, date=date(2026, 1, 6) + timedelta(days=i))
        paper = Paper.objects.create(course=course, title=f"Extra paper {i}")
        Reading.objects.create(session=session, paper=paper, order=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = feed(client, course, alice.calendar_token)
    assert len(events(response)) >= 15

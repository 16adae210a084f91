"""The private calendar feed: /courses/<code>/calendar.ics?token=<user.calendar_token>.

Calendar apps cannot sign in, so the feed is reached with a per-user secret
token (resettable from the profile page). A wrong token, a missing token or a
user outside the course all get the same 404.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from icalendar import Calendar, Event

from courses.deadlines import due_items
from courses.models import Course, Membership, Reading

PRODID = "-//Seminar//Course calendar//EN"


def feed_user(course: Course, token: str):
    """The member of ``course`` whose calendar token this is, or None."""
    if not token:
        return None
    user = get_user_model().objects.filter(calendar_token=token, is_active=True).first()
    if user is None:
        return None
    if not (user.is_superuser or Membership.objects.filter(course=course, user=user).exists()):
        return None
    return user


def build_calendar(course: Course, user, base_url: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{course.code}: {course.title}")
    cal.add("x-wr-timezone", course.time_zone)
    stamp = timezone.now()
    host = getattr(settings, "CALENDAR_UID_DOMAIN", "seminar")

    readings: dict[int, list[Reading]] = {}
    for reading in Reading.objects.filter(course=course).select_related("paper"):
        readings.setdefault(reading.session_id, []).append(reading)
    for session in course.sessions.all():
        session.course = course
        papers = sorted(readings.get(session.pk, []), key=lambda r: (not r.required, r.order))
        event = _session_event(course, session, papers, base_url)
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        cal.add_component(event)

    for item in due_items(user, [course]):
        event = Event()
        # Providers give a stable id without the domain; the feed adds it once (RFC 5545 UID).
        event.add("uid", f"{item.uid or _fallback_uid(item)}@{host}")
        event.add("dtstamp", stamp)
        # No DTEND: a due time is an instant (RFC 5545 3.6.1). A calendar shows the minute
        # people read ("11:59 PM"), not the minute's last microsecond that is stored.
        due: datetime = item.due_at.astimezone(course.tz).replace(second=0, microsecond=0)
        event.add("dtstart", due)
        event.add("summary", f"{course.code}: {item.title}")
        if item.url:
            event.add("url", base_url + item.url if item.url.startswith("/") else item.url)
        cal.add_component(event)

    cal.add_missing_timezones()
    return cal


def _session_event(course: Course, session, papers: list[Reading], base_url: str) -> Event:
    """One session: a timed event when class meets, else an all-day one (holidays)."""
    event = Event()
    if session.meets:
        event.add("dtstart", session.starts_at())
        event.add("dtend", session.ends_at())
        summary = papers[0].paper.title if papers else session.title or session.topic or "Class"
        summary = f"{course.code}: {summary}"
    else:
        event.add("dtstart", session.date)
        event.add("dtend", session.date + timedelta(days=1))
        label = session.title or session.notes or "No class"
        summary = f"{course.code}: {'No class: ' if session.is_holiday else ''}{label}"
    event.add("summary", summary)
    lines = [f"Topic: {session.topic}"] if session.topic else []
    for reading in papers:
        tag = "" if reading.required else "(optional) "
        url = f" {reading.paper.url}" if reading.paper.url else ""
        lines.append(f"- {tag}{reading.paper.title}{url}")
    if session.notes:
        lines.append(session.notes)
    if lines:
        event.add("description", "\n".join(lines))
    if course.location and session.meets:
        event.add("location", course.location)
    if base_url:
        event.add("url", base_url + reverse("courses:session", args=[course.code, session.pk]))
    return event


def _fallback_uid(item) -> str:
    digest = hashlib.sha256(f"{item.kind}|{item.title}|{item.due_at:%Y%m%dT%H%M}".encode())
    return f"{item.kind or 'due'}-{digest.hexdigest()[:16]}"


def calendar_feed(request, code):
    course = get_object_or_404(Course, code=code)
    user = feed_user(course, request.GET.get("token", ""))
    if user is None:
        raise Http404("No calendar here.")
    cal = build_calendar(course, user, base_url=request.build_absolute_uri("/")[:-1])
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{course.code}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns = [
    path("calendar.ics", calendar_feed, name="calendar"),
]

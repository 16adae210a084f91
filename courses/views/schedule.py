"""The public course page (the schedule table) and one session's page."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone

from courses import plugins
from courses.access import course_access
from courses.models import Course, Reading, Session


def readings_prefetch() -> Prefetch:
    """Readings with paper, plus what apps show beside them (claims: presenters and
    slides, through ``reading_prefetches``): one query each."""
    extra = [p for found in plugins.call("reading_prefetches") for p in found]
    return Prefetch(
        "readings",
        queryset=Reading.objects.select_related("paper")
        .prefetch_related(*extra)
        .order_by("order", "id"),
        to_attr="ordered_readings",
    )


@dataclass
class Note:
    text: str
    due: datetime | None = None


@dataclass
class Row:
    session: Session
    week: int
    week_starts: bool
    topic_starts: bool
    readings: list = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def course_dates(course: Course) -> dict[date, list[Note]]:
    """Course-level due dates by local day: what the notes column shows to everyone."""
    tz = course.tz
    found: dict[date, list[Note]] = {}

    def add(when, text):
        if when:
            found.setdefault(when.astimezone(tz).date(), []).append(Note(text, when))

    if course.by_preference:
        add(course.preferences_open_at, "Paper preferences open")
        add(course.preferences_close_at, "Paper preferences due")
    elif course.uses_claims:
        add(course.claims_open_at, "Paper claims open")
        add(course.claims_close_at, "Paper presentation selection due")
    if course.uses_projects:
        add(course.team_deadline, "Project membership and topic due")
    return found


def schedule_rows(course: Course, sessions: list[Session]) -> list[Row]:
    if not sessions:
        return []
    first_day = sessions[0].date
    dates = course_dates(course)
    rows, last_week, last_topic = [], None, None
    for session in sessions:
        session.course = course  # for starts_at() without a query
        week = session.week(first_day)
        readings = getattr(session, "ordered_readings", [])
        for reading in readings:
            reading.latest_slides = reading.all_slides[0] if reading.all_slides else None
        rows.append(
            Row(
                session=session,
                week=week,
                week_starts=week != last_week,
                topic_starts=bool(session.topic) and session.topic != last_topic,
                readings=sorted(readings, key=lambda r: (not r.required, r.order, r.pk)),
                notes=dates.get(session.date, []),
            )
        )
        last_week, last_topic = week, session.topic or last_topic
    return rows


def course_schedule(request, code):
    access = course_access(request, code)
    course = access.course
    sessions = list(course.sessions.prefetch_related(readings_prefetch()))
    return render(
        request,
        "courses/course_schedule.html",
        {
            "course": course,
            "access": access,
            "rows": schedule_rows(course, sessions),
            "now": timezone.now(),
            "active_nav": "courses:schedule",
        },
    )


def session_detail(request, code, pk):
    access = course_access(request, code)
    course = access.course
    session = get_object_or_404(course.sessions.prefetch_related(readings_prefetch()), pk=pk)
    first = course.sessions.order_by("date").values_list("date", flat=True).first()
    row = schedule_rows(course, [session])[0]
    row.week = session.week(first)
    neighbours = list(course.sessions.only("id", "date", "course_id"))
    index = next(i for i, s in enumerate(neighbours) if s.pk == session.pk)
    return render(
        request,
        "courses/session_detail.html",
        {
            "course": course,
            "access": access,
            "row": row,
            "session": session,
            "previous": neighbours[index - 1] if index > 0 else None,
            "next": neighbours[index + 1] if index + 1 < len(neighbours) else None,
            "active_nav": "courses:schedule",
        },
    )


urlpatterns = [
    path("", course_schedule, name="schedule"),
    path("sessions/<int:pk>/", session_detail, name="session"),
]

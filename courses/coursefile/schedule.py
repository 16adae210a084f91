"""The course's own part of the file: its settings (``course``) and its schedule
(``sessions`` with their readings): the schema, the export, and the course's settings
applied (courses.coursefile.sessions applies the schedule).
"""

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    model_validator,
)

from courses.coursefile.schema import (
    Day,
    FileModel,
    Flag,
    Instant,
    Text,
    TimeOfDay,
    Whole,
    check,
    choice,
    fields_given,
    format_instant,
    format_time,
    invalid,
    parse,
    text_of,
    validated_by,
    whole,
)
from courses.models import ClaimsMode, Course, Paper, PresentsBy, Reading, Session, SessionKind
from courses.models.course import validate_letter_scale, validate_time_zone

# ------------------------------------------------------------------ schema


def _zone(value, info: ValidationInfo) -> str:
    if not isinstance(value, str):
        raise invalid(f"must be text, not {value!r}.")
    try:
        validate_time_zone(value.strip())
    except ValidationError as exc:
        raise invalid(exc.messages[0]) from None
    # The instants of the fields after this one (claims, teams) are local to it.
    info.context["tz"] = ZoneInfo(value.strip())
    return value.strip()


TimeZone = Annotated[str, PlainValidator(_zone)]
LetterScale = Annotated[
    list, validated_by(validate_letter_scale, lambda rows: [[str(a), str(b)] for a, b in rows])
]


def _web(url: str) -> str:
    if url and not re.match(r"https?://", url):
        raise invalid("must start with http:// or https://.")
    return url


class Preferences(FileModel):
    model_config = ConfigDict(title="the preference settings")

    opens: Instant | None = None
    closes: Instant | None = None
    min_ranked: whole(1) = 3
    show_counts: Flag = False


class Claims(FileModel):
    model_config = ConfigDict(title="the claims settings")

    mode: choice(ClaimsMode) = ClaimsMode.FIRST_COME
    preferences: Preferences = Field(default_factory=Preferences)
    opens: Instant | None = None
    closes: Instant | None = None
    presents_by: choice(PresentsBy) = PresentsBy.STUDENT
    presenters_per_reading: whole(1) = 2
    claims_per_presenter: whole(1) = 1
    slides_due_hours: Whole | None = None

    @model_validator(mode="after")
    def _opens_first(self):
        # Without ``opens`` the course has no claims: a window that only closes is a slip.
        if self.closes and not self.opens:
            raise invalid("is required when the window closes.", at="opens")
        return self


class Teams(FileModel):
    model_config = ConfigDict(title="the team settings")

    min_size: whole(1) | None = None
    max_size: whole(1) | None = None
    deadline: Instant | None = None


class CourseSettings(FileModel):
    model_config = ConfigDict(title="the course")

    code: text_of(Course, "code")
    title: text_of(Course, "title")
    term: text_of(Course, "term")
    institution: text_of(Course, "institution") = ""
    description: Text = ""
    # Before claims and teams, whose instants are read in this zone.
    time_zone: TimeZone = Field("America/Los_Angeles", validate_default=True)
    default_start_time: TimeOfDay = time(10, 30)
    session_minutes: whole(1) = 80
    location: text_of(Course, "location") = ""
    claims: Claims = Field(default_factory=Claims)
    teams: Teams = Field(default_factory=Teams)
    letter_scale: LetterScale | None = None  # left out: kept as it is
    email_grades: Flag = True


class ReadingEntry(FileModel):
    model_config = ConfigDict(title="a reading")

    title: text_of(Paper, "title")
    authors: text_of(Paper, "authors") = ""
    venue: text_of(Paper, "venue") = ""
    year: whole(1) | None = None
    url: Annotated[text_of(Paper, "url"), AfterValidator(_web)] = ""
    placeholder: Flag = False
    optional: Flag = False
    presented_by_instructor: Flag = False

    def paper_fields(self) -> dict[str, Any]:
        # Only what the file gives: staff may have filled in the others.
        return fields_given(self, PAPER_FIELDS)


PAPER_FIELDS = ("authors", "venue", "year", "url")


class SessionEntry(FileModel):
    model_config = ConfigDict(title="a session")

    date: Day
    start: TimeOfDay | None = None
    kind: choice(SessionKind) = SessionKind.REGULAR
    topic: text_of(Session, "topic") = ""
    title: text_of(Session, "title") = ""
    notes: Text = ""
    readings: list[ReadingEntry] = []


class Schedule(FileModel):
    model_config = ConfigDict(title="a course file")

    course: CourseSettings
    sessions: list[SessionEntry] = []

    @model_validator(mode="after")
    def _each_once(self):
        """A session (date and start time) and a paper (title, any case) at most once."""
        sessions: dict[tuple, str] = {}
        papers: dict[str, str] = {}
        for i, session in enumerate(self.sessions):
            path = f"sessions[{i}]"
            if (session.date, session.start) in sessions:
                where = sessions[session.date, session.start]
                raise invalid(
                    f"a session on {session.date} at this time is already at {where}.",
                    at=f"{path}.date",
                )
            sessions[session.date, session.start] = path
            for j, reading in enumerate(session.readings):
                folded = reading.title.casefold()
                if folded in papers:
                    raise invalid(
                        f"{reading.title!r} is already read at {papers[folded]}; "
                        "a paper is read at most once per course.",
                        at=f"{path}.readings[{j}].title",
                    )
                papers[folded] = f"{path}.readings[{j}]"
        return self


def parse_schedule(data: dict, lines: dict[str, int] | None = None) -> Schedule:
    schedule = {"course": data.get("course"), "sessions": data.get("sessions")}
    return parse(Schedule, schedule, lines=lines)


# ------------------------------------------------------------------ export


def export(course: Course) -> dict:
    """The ``course`` and ``sessions`` parts of the file, as plain data in file order."""
    return {"course": _export_settings(course), "sessions": _export_sessions(course)}


def _export_settings(course: Course) -> dict:
    tz = course.tz
    settings = {
        "code": course.code,
        "title": course.title,
        "term": course.term,
        "institution": course.institution,
        "description": course.description,
        "time_zone": course.time_zone,
        "default_start_time": format_time(course.default_start_time),
        "session_minutes": course.session_minutes,
        "location": course.location,
    }
    if course.uses_claims:
        settings["claims"] = {
            "mode": str(course.claims_mode),
            "opens": format_instant(course.claims_open_at, tz),
            "closes": format_instant(course.claims_close_at, tz),
            "presents_by": course.presents_by,
            "presenters_per_reading": course.presenters_per_reading,
            "claims_per_presenter": course.claims_per_presenter,
            "slides_due_hours": course.slides_due_hours,
        }
        if course.by_preference or course.preferences_open_at:
            settings["claims"]["preferences"] = {
                "opens": format_instant(course.preferences_open_at, tz),
                "closes": format_instant(course.preferences_close_at, tz),
                "min_ranked": course.preferences_min_ranked,
                "show_counts": course.preferences_show_counts,
            }
    if course.uses_projects or course.team_deadline:
        settings["teams"] = {
            "min_size": course.team_min_size,
            "max_size": course.team_max_size,
            "deadline": format_instant(course.team_deadline, tz),
        }
    settings["letter_scale"] = [[str(letter), str(bound)] for letter, bound in course.letter_scale]
    settings["email_grades"] = course.email_grades
    return settings


def _export_sessions(course: Course) -> list[dict]:
    readings_by_session: dict[int, list[Reading]] = {}
    for reading in Reading.objects.filter(course=course).select_related("paper"):
        readings_by_session.setdefault(reading.session_id, []).append(reading)
    sessions = []
    for session in course.sessions.all():
        row: dict[str, Any] = {"date": session.date}
        if session.start_time:
            row["start"] = format_time(session.start_time)
        if session.kind != SessionKind.REGULAR:
            row["kind"] = session.kind
        for key in ("topic", "title", "notes"):
            if getattr(session, key):
                row[key] = getattr(session, key)
        readings = sorted(readings_by_session.get(session.pk, []), key=lambda r: (r.order, r.pk))
        if readings:
            row["readings"] = [_export_reading(r) for r in readings]
        sessions.append(row)
    return sessions


def _export_reading(reading: Reading) -> dict:
    paper = reading.paper
    row: dict[str, Any] = {"title": paper.title}
    for key in PAPER_FIELDS:
        value = getattr(paper, key)
        if value not in ("", None):
            row[key] = value
    if paper.is_placeholder:
        row["placeholder"] = True
    if not reading.required:
        row["optional"] = True
    if reading.presented_by_instructor:
        row["presented_by_instructor"] = True
    return row


# ------------------------------------------------------------------ import


@dataclass
class ImportResult:
    course: Course
    created: bool
    sessions_added: int = 0
    sessions_removed: int = 0
    readings_added: int = 0
    readings_moved: int = 0
    readings_removed: int = 0
    dry_run: bool = False
    # What the import changed, one line each ('moves “X” from Tue Oct 7 to Thu Oct 9: …').
    changes: list[str] = dataclasses.field(default_factory=list)
    # Readings moved to another date that have presenters: (reading, old date, new date).
    moves: list[tuple[Reading, date, date]] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        verb = "created" if self.created else "updated"
        if self.dry_run:
            verb = f"would be {verb} (dry run: nothing was changed)"
        return (
            f"{self.course.code} {verb}: sessions +{self.sessions_added} -{self.sessions_removed}, "
            f"readings +{self.readings_added} -{self.readings_removed}, "
            f"{self.readings_moved} moved"
        )


# Where a Course field sits in the file, where the two differ.
COURSE_KEYS = {
    "claims_mode": "claims.mode",
    "preferences_open_at": "claims.preferences.opens",
    "preferences_close_at": "claims.preferences.closes",
    "preferences_min_ranked": "claims.preferences.min_ranked",
    "preferences_show_counts": "claims.preferences.show_counts",
    "claims_open_at": "claims.opens",
    "claims_close_at": "claims.closes",
    "presents_by": "claims.presents_by",
    "presenters_per_reading": "claims.presenters_per_reading",
    "claims_per_presenter": "claims.claims_per_presenter",
    "slides_due_hours": "claims.slides_due_hours",
    "team_min_size": "teams.min_size",
    "team_max_size": "teams.max_size",
    "team_deadline": "teams.deadline",
}
SETTINGS = (
    "title",
    "term",
    "institution",
    "description",
    "time_zone",
    "default_start_time",
    "session_minutes",
    "location",
    "email_grades",
)


def load_course(settings: CourseSettings, code: str | None = None) -> tuple[Course, bool]:
    """Create or update the course (``code`` overrides the file's); the model's own rules
    (``Course.clean``, its validators) are checked and located in the file."""
    code = code or settings.code
    course = Course.objects.select_for_update().filter(code=code).first()
    created = course is None
    course = course or Course(code=code)
    for field in SETTINGS:
        setattr(course, field, getattr(settings, field))
    claims, teams = settings.claims, settings.teams
    course.claims_open_at, course.claims_close_at = claims.opens, claims.closes
    course.presents_by = claims.presents_by
    course.presenters_per_reading = claims.presenters_per_reading
    course.claims_per_presenter = claims.claims_per_presenter
    course.slides_due_hours = claims.slides_due_hours
    course.claims_mode = claims.mode
    preferences = claims.preferences
    course.preferences_open_at, course.preferences_close_at = preferences.opens, preferences.closes
    course.preferences_min_ranked = preferences.min_ranked
    course.preferences_show_counts = preferences.show_counts
    course.team_min_size, course.team_max_size = teams.min_size, teams.max_size
    course.team_deadline = teams.deadline
    if settings.letter_scale is not None:
        course.letter_scale = settings.letter_scale
    check(course, "course", COURSE_KEYS)
    course.save()
    return course, created

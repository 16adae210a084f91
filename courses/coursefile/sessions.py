"""The schedule of a course file applied in place: sessions matched by date (and start
time), readings by paper title, so a reading moved to another session keeps everything
attached to it. A file that drops a reading or a session with work attached is refused,
naming it, before anything changes; each change is listed for --dry-run and the log.
"""

from django.db import IntegrityError, connection, models, transaction

from courses import plugins, timing
from courses.coursefile.schedule import ImportResult, ReadingEntry, SessionEntry
from courses.coursefile.schema import CourseFileError
from courses.models import Course, Paper, Reading, Session

READING_ORDER_CONSTRAINT = "reading_order_unique_in_session"


def load_sessions(course: Course, entries: list[SessionEntry], result: ImportResult) -> None:
    """Make the course's sessions and readings those of the file, in place."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {READING_ORDER_CONSTRAINT} DEFERRED")
    existing = list(course.sessions.select_for_update())
    matched = _match_sessions(existing, entries)
    readings = list(
        Reading.objects.select_for_update().filter(course=course).select_related("paper", "session")
    )
    wanted = {r.title.casefold() for entry in entries for r in entry.readings}
    dropped = [r for r in readings if r.paper.title.casefold() not in wanted]
    kept_pks = {s.pk for s in matched.values()}
    removed = [s for s in existing if s.pk not in kept_pks]
    _refuse_lost_work(dropped, removed)

    note = result.changes.append  # each change, one line each, for --dry-run and the log
    sessions = _save_sessions(course, entries, matched, result)
    _remove_readings(dropped, note)
    result.readings_removed += len(dropped)
    by_title = {r.paper.title.casefold(): r for r in readings}
    _save_readings(course, entries, sessions, by_title, result)
    for session in removed:
        note(
            f"removes the session of {timing.format_day(session.date)} ({_session_label(session)})"
        )
        session.delete()
        result.sessions_removed += 1
    # The deferred "order unique within a session" is checked now, so a violation
    # surfaces here, located, rather than at some later commit.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {READING_ORDER_CONSTRAINT} IMMEDIATE")
    except IntegrityError as exc:
        raise CourseFileError("sessions", f"the schedule breaks a rule: {exc}") from None


def _match_sessions(existing: list[Session], entries: list[SessionEntry]) -> dict[int, Session]:
    """{entry index: the session it updates}: by date and start time, or by date alone
    when a start time was added or dropped (still the same meeting)."""
    by_key = {(s.date, s.start_time): s for s in existing}
    keys = {(e.date, e.start) for e in entries}
    matched: dict[int, Session] = {}
    used: set[int] = set()
    for i, entry in enumerate(entries):
        session = by_key.get((entry.date, entry.start))
        if session is None:
            same_day = [
                s
                for s in existing
                if s.date == entry.date and s.pk not in used and (s.date, s.start_time) not in keys
            ]
            session = same_day[0] if len(same_day) == 1 else None
        if session is not None and session.pk not in used:
            used.add(session.pk)
            matched[i] = session
    return matched


def _refuse_lost_work(readings: list[Reading], sessions: list[Session]) -> None:
    """Refuse, before anything changes, to drop readings or sessions with work attached."""
    # Apps say which of their rows are work (a withdrawn claim is history, not work).
    blocked = dependents_of(readings, only=plugins.merged("reading_work"))
    if blocked:
        names = "; ".join(
            f'"{r.paper.title}" ({", ".join(blocked[r.pk])})' for r in readings if r.pk in blocked
        )
        raise CourseFileError(
            "sessions",
            f"the file drops readings that have work attached: {names}. "
            "Keep them in the file (move them to another session if needed) "
            "or remove that work first. Nothing was changed.",
        )
    # Readings are handled above (moved or removed); anything else on a session counts.
    session_blocked = dependents_of(sessions, ignore=(Reading,))
    for session in sessions:
        other = session_blocked.get(session.pk)
        if other:
            raise CourseFileError(
                "sessions",
                f"the file drops the session of {session.date:%a %Y-%m-%d} "
                f"({session.title or session.topic or session.kind}), which has "
                f"{', '.join(other)}. Nothing was changed.",
            )


def _save_sessions(course, entries, matched, result) -> list[Session]:
    """The file's sessions saved, in file order (updated in place where matched)."""
    sessions = []
    for i, entry in enumerate(entries):
        session = matched.get(i) or Session(course=course)
        is_new = session.pk is None
        session.date, session.start_time, session.kind = entry.date, entry.start, entry.kind
        session.topic, session.title, session.notes = entry.topic, entry.title, entry.notes
        session.save()
        if is_new:
            result.sessions_added += 1
            result.changes.append(
                f"adds the session of {timing.format_day(session.date)} ({_session_label(session)})"
            )
        sessions.append(session)
    return sessions


def _save_readings(course, entries, sessions, by_title, result) -> None:
    """Each reading of the file in its session and place; a known paper's reading is moved
    in place, so everything attached to it moves too."""
    moved: list[tuple[Reading, Session]] = []
    for entry, session in zip(entries, sessions, strict=True):
        for order, item in enumerate(entry.readings, start=1):
            reading = by_title.get(item.title.casefold())
            if reading is None:
                reading = Reading(paper=_paper_for(course, item))
                result.readings_added += 1
                result.changes.append(
                    f"adds “{reading.paper.title}” to {timing.format_day(session.date)}"
                )
            else:
                _update_paper(reading.paper, item)
                if reading.session_id != session.pk:
                    result.readings_moved += 1
                    moved.append((reading, reading.session))
            reading.session = session
            reading.required = not item.optional
            reading.order = order
            reading.presented_by_instructor = item.presented_by_instructor
            reading.save()
    _note_moves(moved, result)


def _paper_for(course: Course, item: ReadingEntry) -> Paper:
    """The course's paper with this title (case-insensitive), created if new."""
    paper = Paper.objects.filter(course=course, title__iexact=item.title).first()
    if paper is None:
        return Paper.objects.create(
            course=course, title=item.title, is_placeholder=item.placeholder, **item.paper_fields()
        )
    _update_paper(paper, item)
    return paper


def _update_paper(paper: Paper, item: ReadingEntry) -> None:
    changes = {**item.paper_fields(), "is_placeholder": item.placeholder}
    changed = [field for field, value in changes.items() if getattr(paper, field) != value]
    for field in changed:
        setattr(paper, field, changes[field])
    if changed:
        paper.save()


def _session_label(session: Session) -> str:
    return session.title or session.topic or session.get_kind_display()


def _remove_readings(readings: list[Reading], note) -> None:
    """Delete readings that have no work attached (checked before). Apps keep their
    history first (``readings_removed``: claim events keep the paper's title) and say what
    went with each reading."""
    if not readings:
        return
    said: dict[int, list[str]] = {}
    for found in plugins.call("readings_removed", readings):
        for pk, phrase in found.items():
            said.setdefault(pk, []).append(phrase)
    for reading in readings:
        line = f"removes “{reading.paper.title}” from {timing.format_day(reading.session.date)}"
        if said.get(reading.pk):
            line += f" ({'; '.join(said[reading.pk])})"
        note(line)
    for reading in readings:
        reading.delete()


def _note_moves(moved: list[tuple[Reading, Session]], result: ImportResult) -> None:
    """Name each moved reading with what moves with it ("claim by Alice Liu, 3 reviews");
    apps that name their own work (``readings_moved``: claims name their holders) say so,
    the rest is counted (and claims tell presenters once the import commits)."""
    if not moved:
        return
    readings = [reading for reading, _ in moved]
    said: dict[int, list[str]] = {}
    named_models: set = set()
    for phrases, models_named in plugins.call("readings_moved", moved):
        named_models.update(models_named)
        for pk, phrase in phrases.items():
            said.setdefault(pk, []).append(phrase)
    attached = dependents_of(readings, ignore=tuple(named_models))
    for reading, old in moved:
        work = said.get(reading.pk, []) + attached.get(reading.pk, [])
        new = reading.session
        line = f"moves “{reading.paper.title}” from {timing.format_day(old.date)} to {timing.format_day(new.date)}"
        result.changes.append(line + (f": {', '.join(work)}" if work else ""))
        if old.date != new.date:
            result.moves.append((reading, old.date, new.date))


def dependents_of(objects, *, ignore=(), only=None) -> dict[int, list[str]]:
    """For each object (all one model), what rows in other tables point at it.

    Generic over every reverse relation, so models added later (reviews with a
    PROTECT foreign key, say) count without changes here. One query per relation.
    Relations that let go (SET_NULL: the row stays, as a claim event does) never
    count; ``only`` maps a model to the Q its rows must match to count.
    """
    only = only or {}
    objects = list(objects)
    if not objects:
        return {}
    model = type(objects[0])
    found: dict[int, list[str]] = {}
    pks = [obj.pk for obj in objects]
    for rel in model._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one) or rel.related_model in ignore:
            continue
        if rel.on_delete is models.SET_NULL:
            continue
        field = rel.field
        counts: dict[int, int] = {}
        rows = rel.related_model._base_manager.filter(**{f"{field.name}__in": pks})
        if rel.related_model in only:
            rows = rows.filter(only[rel.related_model])
        for pk in rows.values_list(field.attname, flat=True):
            counts[pk] = counts.get(pk, 0) + 1
        for pk, n in counts.items():
            name = (
                rel.related_model._meta.verbose_name
                if n == 1
                else rel.related_model._meta.verbose_name_plural
            )
            found.setdefault(pk, []).append(f"{n} {name}")
    return found

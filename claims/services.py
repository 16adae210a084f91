"""Paper claims: first come, first served, correct under any concurrency.

Every workflow here starts by locking the course row (SELECT ... FOR UPDATE).
The database trigger (claims/migrations/0003_claim_trigger_readable.py) takes the
same lock on every insert or update of a claim, so all claim changes of one course
are serialised: "first come" is the order in which the database commits them, and
the checks below see every claim committed before. The rule itself, and every
message it gives, is claims/rules.py; the trigger refuses anything that slips past
it (raw SQL, a bug), so the invariants hold even if this module is wrong.
"""

import contextlib
import functools
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from claims import rules
from claims.models import Claim, ClaimEvent
from claims.rules import Refusal, SeatFacts
from courses import timing
from courses.access import Joined
from courses.mail import queue_email
from courses.models import (
    Course,
    Membership,
    Paper,
    Reading,
    Role,
    Session,
    as_read,
    is_row_id,
)
from teams.models import Team, TeamMember


@dataclass
class ClaimError(Exception):
    """A claim change was refused; ``message`` is for the user.

    On a lost race ``holders`` names who holds the reading; ``code`` is the seat rule's
    (claims.rules.Code) where it refused.
    """

    message: str
    holders: list[str] = field(default_factory=list)
    code: str = ""

    def __str__(self):
        return self.message

    @classmethod
    def of(cls, refusal: Refusal) -> "ClaimError":
        return cls(refusal.message, list(refusal.holders), refusal.code)


def _lock_course(course_id: int) -> Course:
    return Course.objects.select_for_update().get(pk=course_id)


def _holder_label(claim: Claim) -> str:
    return str(claim.team if claim.team_id else claim.student)


def _refused(exc: DatabaseError) -> ClaimError:
    refusal = rules.TRIGGER_REFUSALS.get(getattr(exc.__cause__, "pgcode", None))
    if refusal is None:
        raise exc
    return ClaimError.of(refusal)


def _event(claim: Claim, action: str, actor, at: datetime, reason: str = "", reading=None):
    reading = reading or claim.reading  # with its paper and session loaded
    ClaimEvent.objects.create(
        course_id=claim.course_id,
        reading=reading,
        paper_title=reading.paper.title[:300],
        session_date=reading.session.date,
        claim=claim,
        action=action,
        actor=actor,
        holder=_holder_label(claim)[:200],
        reason=reason[:200],
        at=at,
    )


# The label a holder is shown by, as str(Team) and str(User) give it (the team's
# name; else the student's name, or their email when the name is blank).
HOLDER_LABEL_SQL = (
    "CASE WHEN courses_claim.team_id IS NOT NULL THEN t.name"
    " ELSE COALESCE(NULLIF(u.name, ''), u.email) END"
)
HOLDER_JOINS_SQL = (
    "LEFT JOIN seminar_user u ON u.id = courses_claim.student_id"
    " LEFT JOIN courses_team t ON t.id = courses_claim.team_id"
)
# A claimable reading of the course (not presented by the instructor, in a regular
# session: Reading.objects.claimable()) with no active claim other than ``moving``.
ANY_FREE_READING_SQL = """
EXISTS (SELECT 1 FROM courses_reading r JOIN courses_session s ON s.id = r.session_id
  WHERE r.course_id = %(course)s AND NOT r.presented_by_instructor AND s.kind = 'regular'
    AND NOT EXISTS (SELECT 1 FROM courses_claim c
                    WHERE c.reading_id = r.id AND c.withdrawn_at IS NULL AND c.id <> %(moving)s))
"""

# Every claim the seat rule reads, in one statement (one round trip under the course
# lock): the active claims on the reading and the holder's active claims in the course,
# in claim order, each with its seat, whether the holder holds it, the holder's label
# and the paper's title; and (the same in every row) whether any claimable reading is
# still free. ``moving`` (0 for none) is left out.
SEAT_CHECK_SQL = f"""SELECT "courses_claim"."reading_id", "courses_claim"."seat",
       "courses_claim".{{holder}} = %(holder)s, {HOLDER_LABEL_SQL}, p.title,
       {ANY_FREE_READING_SQL}
  FROM "courses_claim" {HOLDER_JOINS_SQL}
  JOIN courses_reading r ON r.id = "courses_claim"."reading_id"
  JOIN courses_paper p ON p.id = r.paper_id
 WHERE "courses_claim"."withdrawn_at" IS NULL AND "courses_claim"."id" <> %(moving)s
   AND ("courses_claim"."reading_id" = %(reading)s
        OR ("courses_claim"."course_id" = %(course)s AND "courses_claim".{{holder}} = %(holder)s))
 ORDER BY "courses_claim"."claimed_at", "courses_claim"."id"
"""  # noqa: S608 - built from constants only; every value is a query parameter


def _with_claims(facts: SeatFacts, course, reading, *, student, team, moving) -> SeatFacts:
    """``facts`` completed with the claims read by SEAT_CHECK_SQL (one query)."""
    column, holder = ("team_id", team.pk) if team is not None else ("student_id", student.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            SEAT_CHECK_SQL.format(holder=column),
            {
                "reading": reading.pk,
                "course": course.pk,
                "holder": holder,
                "moving": getattr(moving, "pk", None) or 0,
            },
        )
        rows = cursor.fetchall()
    on_reading = sorted((row for row in rows if row[0] == reading.pk), key=lambda row: row[1])
    return replace(
        facts,
        held=tuple(title for _, _, held_by_holder, _, title, _ in rows if held_by_holder),
        holds_it=any(held_by_holder for _, _, held_by_holder, _, _, _ in on_reading),
        seats=tuple(seat for _, seat, _, _, _, _ in on_reading),
        holders=tuple(label for _, _, _, label, _, _ in on_reading),
        free_readings=int(any(any_free for *_, any_free in rows)),
    )


def _check_seat(
    course: Course,
    reading: Reading,
    *,
    student=None,
    team=None,
    moving: Claim | None = None,
    window_at: datetime | None = None,
) -> int:
    """The seat the holder would take on ``reading``, or ClaimError. Needs the course lock.

    ``window_at``: a student's arrival, judged against the window (staff: None). The rule
    first decides on what is in hand (the window, the reading); only if that leaves it
    open, one statement reads every claim it depends on (see SEAT_CHECK_SQL)."""
    facts = SeatFacts.of(
        course,
        window_at=window_at,
        claimer=str(team or student),
        title=reading.paper.title,
        claimable=reading.claimable,
        held=None,  # not read yet
    )
    decision = rules.decide(facts)
    if decision is None:
        facts = _with_claims(facts, course, reading, student=student, team=team, moving=moving)
        decision = rules.decide(facts)
    if isinstance(decision, Refusal):
        raise ClaimError.of(decision)
    return decision.number


# One statement, so one snapshot of committed claims: if it says the reading is
# taken, it was taken at that instant, and refusing is the same answer the
# locked path would give a request that came that instant. Losers of a rush are
# answered without queueing for the course lock. It also says whether the reading is
# in the course (and claimable, its paper and session), whether the user is a student
# of the course and which team they are in. The board's button reads it in the same
# statement as the course, the membership and the signed-in user (``glance_with_course``):
# a loser costs two queries, the session's included. The statement is a PL/pgSQL function
# (claims/migrations/0006, 0009), so PostgreSQL plans it once per connection rather than on
# every claim.
AT_A_GLANCE_SQL = "SELECT * FROM courses_claim_glance(%s, %s, %s, %s)"


@dataclass
class Glance:
    """The row of ``courses_claim_glance``, its columns in order."""

    found: bool  # the reading is in the course
    claimable: bool
    paper_id: int | None
    title: str
    session_id: int | None
    session_date: date | None
    is_student: bool
    team_id: int | None
    team_name: str | None
    seats: list[int]  # in seat order
    names: list[str]  # their holders, in the same order
    held: int  # how many readings the user (or their team) holds
    any_free: bool

    def facts(self, course: Course, user, at: datetime) -> SeatFacts:
        """The seat rule's facts as this look saw them: which readings the claimer holds
        is known only when it is none."""
        return SeatFacts.of(
            course,
            window_at=at,
            is_student=self.is_student,
            has_team=self.team_id is not None,
            claimer="" if course.presents_by_team else str(user),
            held=() if self.held == 0 else None,
            title=self.title,
            claimable=self.claimable,
            seats=tuple(self.seats),
            holders=tuple(self.names),
            free_readings=int(self.any_free),
        )

    def reading(self, reading_id: int, course: Course) -> Reading:
        """The reading as far as this look read it (its paper's title, its session's
        date); any other field is loaded from the database when asked for."""
        reading = as_read(
            Reading,
            id=reading_id,
            course_id=course.pk,
            session_id=self.session_id,
            paper_id=self.paper_id,
        )
        reading.course = course
        reading.paper = as_read(Paper, id=self.paper_id, title=self.title)
        reading.session = as_read(Session, id=self.session_id, date=self.session_date)
        return reading


GLANCE_COLUMNS = tuple(column.name for column in fields(Glance))


def _at_a_glance(course: Course, reading_id: int, user) -> Glance:
    with connection.cursor() as cursor:
        cursor.execute(AT_A_GLANCE_SQL, [reading_id, course.pk, user.pk, course.presents_by_team])
        return Glance(*cursor.fetchone())


def glance_with_course(request, reading_id: int) -> Joined | None:
    """For ``@member_required(joined=...)``: the board's claim button reads its look at
    the reading in the statement that reads the course and the signed-in user
    (``courses_claim_access``, claims/migrations/0008)."""
    if not is_row_id(reading_id):
        return None
    return Joined("courses_claim_access", (reading_id,), GLANCE_COLUMNS)


# The course's fields the claim rules read. The locked path reads them again under the
# lock; the one statement goes ahead only where they, and who presents (which decided the
# holder before the lock), are still those the rule decided on.
CLAIM_SETTINGS = (
    "claims_open_at",
    "claims_close_at",
    "presenters_per_reading",
    "claims_per_presenter",
    "claims_mode",
    "preferences_open_at",
    "preferences_close_at",
)
DECIDED_ON = (*CLAIM_SETTINGS, "presents_by")

# Lock the course row (as _lock_course) in one lean statement, reading back the
# CLAIM_SETTINGS so the checks under the lock see them fresh.
_SETTINGS_COLUMNS = ", ".join(f'"courses_course"."{name}"' for name in CLAIM_SETTINGS)
LOCK_RULES_SQL = f'SELECT {_SETTINGS_COLUMNS} FROM "courses_course" WHERE "id" = %s FOR UPDATE'  # noqa: S608


def _lock_course_rules(course: Course) -> Course:
    with connection.cursor() as cursor:
        cursor.execute(LOCK_RULES_SQL, [course.pk])
        for name, value in zip(CLAIM_SETTINGS, cursor.fetchone(), strict=True):
            setattr(course, name, value)
    return course


# A claim the look before the lock gave a seat is taken in one statement, its own
# transaction: it locks the course row (the lock every claim change takes, so "first
# come" stays the commit order) on the condition that the course's claim settings are
# still those the rule decided on (else it inserts nothing); then it inserts the claim,
# stamped with the instant it took the lock (the app's clock when the statement left,
# plus the time the database spent waiting for the lock), and its audit event. The trigger runs
# under that lock on what is committed by then and refuses a seat the look could not
# see taken (SC001-SC003), as the unique constraints refuse a seat number or a reading
# taken twice; the claim then decides again the locked way, whose message names who got
# there first. Columns and values come from the models (``_Inserted``).
CLAIM_IN_ONE_STATEMENT = """
WITH course AS (
    SELECT id FROM courses_course WHERE id = %s AND {unchanged} FOR UPDATE
), claim AS (
    INSERT INTO courses_claim ({claim_columns}, claimed_at)
    SELECT {claim_values}, %s::timestamptz + (clock_timestamp() - statement_timestamp())
      FROM course
    RETURNING id, claimed_at
)
INSERT INTO courses_claimevent ({event_columns}, claim_id, at)
SELECT {event_values}, claim.id, claim.claimed_at FROM claim
RETURNING claim_id, at
"""
# What the statement may be refused for, by the trigger or a unique constraint, where
# deciding again under the lock gives the answer (every other error is raised).
RACE_LOST = {"SC001", "SC002", "SC003", "23505"}


# Fields whose pre_save gives the value as it is (dates' only when not auto_now).
PLAIN_PRE_SAVE = (models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save)


@dataclass(frozen=True)
class _Inserted:
    """What saving ``model`` would insert, but its primary key and the fields ``left_out``
    (which the statement fills itself): the fields, their columns and typed placeholders.
    ``params(given)`` are the values of the fields ``given`` (by attname) and every other
    field's default, prepared as saving would prepare them."""

    fields: tuple
    columns: str
    placeholders: str

    @classmethod
    @functools.cache
    def of(cls, model, left_out: frozenset[str]) -> "_Inserted":
        kept = tuple(
            f for f in model._meta.concrete_fields if not f.primary_key and f.name not in left_out
        )
        for model_field in kept:  # a value saving or the database would compute: give it
            computed = (
                getattr(model_field, "auto_now", False)
                or getattr(model_field, "auto_now_add", False)
                or model_field.db_default is not NOT_PROVIDED
                or type(model_field).pre_save not in PLAIN_PRE_SAVE
            )
            if computed:
                raise TypeError(f"{model.__name__}.{model_field.name} is computed when saved")
        return cls(
            fields=kept,
            columns=", ".join(connection.ops.quote_name(f.column) for f in kept),
            placeholders=", ".join(f"%s::{f.cast_db_type(connection)}" for f in kept),
        )

    def values(self, given: dict) -> dict:
        return {
            f.attname: given[f.attname] if f.attname in given else f.get_default()
            for f in self.fields
        }

    def params(self, values: dict) -> list:
        return [f.get_db_prep_save(values[f.attname], connection) for f in self.fields]


@functools.cache
def _claim_in_one_statement_sql() -> tuple[str, _Inserted, _Inserted]:
    claim = _Inserted.of(Claim, frozenset({"claimed_at"}))
    event = _Inserted.of(ClaimEvent, frozenset({"claim", "at"}))
    sql = CLAIM_IN_ONE_STATEMENT.format(
        unchanged=" AND ".join(f"{name} IS NOT DISTINCT FROM %s" for name in DECIDED_ON),
        claim_columns=claim.columns,
        claim_values=claim.placeholders,
        event_columns=event.columns,
        event_values=event.placeholders,
    )
    return sql, claim, event


def _claim_in_one_statement(
    course: Course, reading_id: int, user, glance: Glance, seat: int
) -> Claim | None:
    """The claim ``user`` was given ``seat`` for by the look before the lock, taken in one
    statement (CLAIM_IN_ONE_STATEMENT); None if the statement took nothing, for the
    locked path to decide. No model instance is built to save: the values are the
    models' own defaults but for what this claim sets."""
    by_team = course.presents_by_team
    sql, claim_shape, event_shape = _claim_in_one_statement_sql()
    claim_values = claim_shape.values(
        {
            "course_id": course.pk,
            "reading_id": reading_id,
            "student_id": None if by_team else user.pk,
            "team_id": glance.team_id if by_team else None,
            "seat": seat,
            "claimed_by_id": user.pk,
        }
    )
    event_values = event_shape.values(
        {
            "course_id": course.pk,
            "reading_id": reading_id,
            "paper_title": glance.title[:300],
            "session_date": glance.session_date,
            "action": ClaimEvent.Action.CLAIM.value,
            "actor_id": user.pk,
            "holder": str(glance.team_name if by_team else user)[:200],
        }
    )
    params = [
        course.pk,
        *(getattr(course, name) for name in DECIDED_ON),
        *claim_shape.params(claim_values),
        timezone.now(),
        *event_shape.params(event_values),
    ]
    # Alone, the statement is its own transaction; inside a caller's, it gets a savepoint.
    alone = connection.get_autocommit() and not connection.in_atomic_block
    try:
        with contextlib.nullcontext() if alone else transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) in RACE_LOST:
            return None
        raise
    if row is None:  # the course's claim settings changed since the look
        return None
    claim = as_read(Claim, id=row[0], claimed_at=row[1], **claim_values)
    claim.course, claim.claimed_by = course, user
    if not by_team:
        claim.student = user
    return claim


def _loaded(reading: Reading) -> bool:
    return all(
        descriptor.is_cached(reading)
        for descriptor in (Reading.course, Reading.session, Reading.paper)
    )


def claim_reading(*, reading: Reading, user, at: datetime | None = None) -> Claim:
    """``user`` (a student) claims ``reading`` for themselves or their team.

    A reading with its course, session and paper already loaded is used as it
    is; anything else is loaded here.
    """
    if not _loaded(reading):
        reading = Reading.objects.select_related("session", "paper", "course").get(pk=reading.pk)
    return _claim(reading.course, reading.pk, user, reading, at=at)


def claim_reading_in(
    *,
    course: Course,
    reading_id: int,
    user,
    at: datetime | None = None,
    glance: dict | None = None,
) -> Claim:
    """As claim_reading, for the board's button: the reading is found by its id in
    ``course`` (Reading.DoesNotExist if it is not there) by the same statement that
    takes the snapshot of its claims, so a claim that loses a rush costs one query.
    ``glance``: that statement's row, where the view read it with the course
    (``glance_with_course``)."""
    if not is_row_id(reading_id):
        raise Reading.DoesNotExist
    return _claim(course, reading_id, user, at=at, glance=Glance(**glance) if glance else None)


def _claim(
    course: Course,
    reading_id: int,
    user,
    reading: Reading | None = None,
    at=None,
    glance: Glance | None = None,
) -> Claim:
    """The seat rule decides on one unlocked look (a refusal there is final: see
    AT_A_GLANCE_SQL). Where the look knew all it needed and gave a seat, the claim is one
    statement (CLAIM_IN_ONE_STATEMENT), which holds the lock only while it inserts. Else,
    or where that statement took nothing, the rule decides again under the course lock on
    what it reads there: the lock, one query for the claims, the claim and its audit event.

    ``at`` (the request's arrival; default now) decides whether the window is open, also
    under the lock: a claim that arrived before the close but queued for the lock past it
    still counts. Its claimed_at is the instant it took the lock (the commit order)."""
    at = at or timezone.now()
    glance = glance or _at_a_glance(course, reading_id, user)
    if not glance.found:
        raise Reading.DoesNotExist(f"No reading {reading_id} in {course.code}.")
    decision = rules.decide(glance.facts(course, user, at))
    if isinstance(decision, Refusal):
        raise ClaimError.of(decision)
    # Seat 1 only: it is always the lowest free seat, so the statement takes what the rule
    # under the lock would. A higher seat the look saw free may be above a seat freed since
    # (the trigger and the indexes would let it in); that claim decides under the lock.
    if decision is not None and decision.number == 1:
        claim = _claim_in_one_statement(course, reading_id, user, glance, decision.number)
        if claim is not None:
            claim.reading = reading or glance.reading(reading_id, course)
            return claim
    team = Team.objects.get(pk=glance.team_id) if course.presents_by_team else None
    student = None if team else user
    if reading is None:
        reading = Reading.objects.select_related("session", "paper").get(pk=reading_id)
        reading.course = course
    try:
        with transaction.atomic():
            course = _lock_course_rules(course)
            now = timezone.now()
            claim = _take_seat(
                course,
                reading,
                student,
                team,
                by=user,
                at=now,
                action=ClaimEvent.Action.CLAIM,
                window_at=at,
            )
    except DatabaseError as exc:
        raise _refused(exc) from exc
    return claim


def _take_seat(
    course, reading, student, team, *, by, at, action, window_at=None, reason="", by_staff=False
):
    """Under the course lock: the rule's check (``window_at``: a student's arrival; staff:
    None), the insert (the trigger has the last word) and the audit event. The claim
    path's glance at the rule came before the lock."""
    seat = _check_seat(course, reading, student=student, team=team, window_at=window_at)
    claim = Claim(
        course=course,
        reading=reading,
        student=student,
        team=team,
        seat=seat,
        claimed_by=by,
        claimed_at=at,
        by_staff=by_staff,
        reason=reason[:200],
    )
    try:
        claim.save()
    except DatabaseError as exc:
        raise _refused(exc) from exc
    _event(claim, action, by, at, reason)
    return claim


def _can_withdraw(claim: Claim, user) -> bool:
    if claim.student_id:
        return claim.student_id == user.pk
    return TeamMember.objects.filter(team_id=claim.team_id, user=user).exists()


def claim_withdraw(*, claim: Claim, user, at: datetime | None = None) -> Claim:
    """The holder (or a member of the holding team) gives the reading back, while the
    window is open at ``at`` (the request's arrival; default now)."""
    with transaction.atomic():
        course = _lock_course(claim.course_id)
        now = timezone.now()
        at = at or now
        claim = Claim.objects.select_related(
            "reading__paper", "reading__session", "student", "team"
        ).get(pk=claim.pk)
        if not _can_withdraw(claim, user):
            raise ClaimError("Only the presenter can withdraw this claim.")
        if claim.withdrawn_at:
            raise ClaimError("This claim was already withdrawn.")
        if course.by_preference:
            raise ClaimError(
                "Papers in this course are assigned by preference; "
                "ask the course staff to change your presentation."
            )
        if course.claims_state(at) != "open":
            raise ClaimError(
                "The claim window is closed; ask the course staff to change your presentation."
            )
        claim.withdrawn_at = now
        claim.withdrawn_by = user
        claim.save(update_fields=["withdrawn_at", "withdrawn_by"])
        _event(claim, ClaimEvent.Action.WITHDRAW, user, now)
        return claim


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ClaimError("Give a reason for the change; it is kept in the audit log.")
    if "\x00" in reason:
        raise ClaimError("The reason cannot hold a NUL character; type it again.")
    return reason


def claim_assign(*, reading: Reading, actor, reason: str, student=None, team=None) -> Claim:
    """Staff assign ``student`` (or ``team``) to ``reading``, also after the window closed."""
    reason = _require_reason(reason)
    if (student is None) == (team is None):
        raise ClaimError("Choose either a student or a team.")
    with transaction.atomic():
        course = _lock_course(reading.course_id)
        now = timezone.now()
        reading = Reading.objects.select_related("session", "paper").get(pk=reading.pk)
        if team is not None and team.course_id != course.pk:
            raise ClaimError("That team is not in this course.")
        if (
            student is not None
            and not Membership.objects.filter(
                course=course, user=student, role=Role.STUDENT
            ).exists()
        ):
            raise ClaimError(f"{student} is not a student of this course.")
        return _take_seat(
            course,
            reading,
            student,
            team,
            by=actor,
            at=now,
            action=ClaimEvent.Action.ASSIGN,
            reason=reason,
            by_staff=True,
        )


def claim_remove(*, claim: Claim, actor, reason: str) -> Claim:
    """Staff take a presenter off a reading (kept as a withdrawn claim)."""
    reason = _require_reason(reason)
    with transaction.atomic():
        _lock_course(claim.course_id)
        now = timezone.now()
        claim = Claim.objects.select_related(
            "reading__paper", "reading__session", "student", "team"
        ).get(pk=claim.pk)
        if claim.withdrawn_at:
            raise ClaimError("This claim was already withdrawn.")
        claim.withdrawn_at = now
        claim.withdrawn_by = actor
        claim.save(update_fields=["withdrawn_at", "withdrawn_by"])
        _event(claim, ClaimEvent.Action.REMOVE, actor, now, reason)
        return claim


def claim_move(*, claim: Claim, reading: Reading, actor, reason: str) -> Claim:
    """Staff move a presenter to another reading of the same course."""
    reason = _require_reason(reason)
    with transaction.atomic():
        course = _lock_course(claim.course_id)
        now = timezone.now()
        claim = Claim.objects.select_related("reading__paper", "student", "team").get(pk=claim.pk)
        if claim.withdrawn_at:
            raise ClaimError("This claim was withdrawn; assign the presenter instead.")
        reading = Reading.objects.select_related("session", "paper").get(pk=reading.pk)
        if reading.course_id != course.pk:
            raise ClaimError("That reading is in another course.")
        if reading.pk == claim.reading_id:
            raise ClaimError("The presenter already has that reading.")
        old = claim.reading
        seat = _check_seat(course, reading, student=claim.student, team=claim.team, moving=claim)
        claim.reading = reading
        claim.seat = seat
        try:
            with transaction.atomic():
                claim.save(update_fields=["reading", "seat"])
        except DatabaseError as exc:
            raise _refused(exc) from exc
        _event(claim, ClaimEvent.Action.MOVE, actor, now, f"from “{old.paper}”: {reason}")
        return claim


def tell_moved_presenters(moves) -> int:
    """Email each presenter of a reading that moved to another date, once per move:
    ``moves`` is [(reading, old date, new date)]. Returns how many emails were sent."""
    sent = 0
    for reading, old, new in moves:
        course = reading.course
        url = f"{settings.SITE_URL}/courses/{course.code}/"
        claims = Claim.objects.active().filter(reading=reading).select_related("student")
        people = {claim.student for claim in claims if claim.student_id}
        team_ids = [claim.team_id for claim in claims if claim.team_id]
        people |= {
            member.user
            for member in TeamMember.objects.filter(team_id__in=team_ids).select_related("user")
        }
        for person in sorted(people, key=lambda user: user.email):
            queue_email(
                to=person.email,
                subject=f"{course.code}: “{reading.paper.title}” moved to {timing.format_day(new)}",
                body=(
                    f"Hello {person.name or person.email},\n\n"
                    f"The schedule of {course.title} changed: “{reading.paper.title}”, which "
                    f"you present, moved from {timing.format_day(old)} to {timing.format_day(new)}. Your claim and "
                    f"everything attached to the reading moved with it.\n\n"
                    f"The schedule: {url}\n"
                ),
            )
            sent += 1
    return sent

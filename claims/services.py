"""Paper claims: first come, first served, correct under any concurrency.

Every workflow here starts by locking the course row (SELECT ... FOR UPDATE).
The database trigger of migration 0004 takes the same lock on every insert or
update of a claim, so all claim changes of one course are serialised: "first
come" is the order in which the database commits them, and the checks below see
every claim committed before. The checks give the friendly message; the trigger
refuses anything that slips past them (raw SQL, the admin, a bug), so the
invariants hold even if this module is wrong.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from claims.models import Claim, ClaimEvent, Slides
from courses.models import Course, Membership, Reading, Role
from teams.models import Team, TeamMember

# SQLSTATEs raised by the trigger (courses/migrations/0004_claim_invariants_trigger.py).
SQLSTATE_MESSAGES = {
    "SC001": "This reading has no free seat left.",
    "SC002": "That presenter already holds as many claims as the course allows.",
    "SC003": "Second presenters are allowed only once every reading has a presenter.",
}


@dataclass
class ClaimError(Exception):
    """A claim change was refused; ``message`` is for the user.

    On a lost race ``holders`` names who holds the reading.
    """

    message: str
    holders: list[str] = field(default_factory=list)

    def __str__(self):
        return self.message


def _local(course: Course, instant: datetime) -> str:
    return date_format(instant.astimezone(course.tz), "D M j, g:i A T")


def _lock_course(course_id: int) -> Course:
    return Course.objects.select_for_update().get(pk=course_id)


def _holder_label(claim: Claim) -> str:
    return str(claim.team if claim.team_id else claim.student)


def team_of(course: Course, user) -> Team | None:
    """The user's team in ``course``, or None (one query)."""
    member = TeamMember.objects.filter(course=course, user=user).select_related("team").first()
    return member.team if member else None


def _refused(exc: DatabaseError) -> ClaimError:
    code = getattr(exc.__cause__, "pgcode", None)
    if code in SQLSTATE_MESSAGES:
        return ClaimError(SQLSTATE_MESSAGES[code])
    raise exc


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

# Everything _check_seat decides on, in one statement (one round trip under the
# course lock): the active claims on the reading and the holder's active claims
# in the course, in claim order, each with its seat, whether the holder holds it,
# the holder's label and the paper's title; and (the same in every row) whether
# any claimable reading is still free. ``moving`` (0 for none) is left out.
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


def _check_seat(
    course: Course, reading: Reading, *, student=None, team=None, moving: Claim | None = None
) -> int:
    """The seat the holder would take on ``reading``, or ClaimError. Needs the course lock.

    One statement reads every claim the decision depends on (see SEAT_CHECK_SQL).
    """
    if not reading.claimable:
        raise ClaimError(f"“{reading.paper}” is presented by the instructor; it cannot be claimed.")
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
    on_reading = [row for row in rows if row[0] == reading.pk]
    if any(held_by_holder for _, _, held_by_holder, _, _, _ in on_reading):
        raise ClaimError(f"{team or student} already presents “{reading.paper}”.")
    held_titles = [title for _, _, held_by_holder, _, title, _ in rows if held_by_holder]
    if len(held_titles) >= course.claims_per_presenter:
        titles = "; ".join(f"“{title}”" for title in held_titles)
        raise ClaimError(
            f"{team or student} already presents {titles}. Each presenter may hold {course.claims_per_presenter} "
            f"claim{'s' if course.claims_per_presenter != 1 else ''}; withdraw one first."
        )
    names = [label for _, _, _, label, _, _ in on_reading]
    if len(on_reading) >= course.presenters_per_reading:
        raise ClaimError(
            f"{' and '.join(names)} got “{reading.paper}” first. "
            "The board below shows what is still free.",
            holders=names,
        )
    used = {seat for _, seat, _, _, _, _ in on_reading}
    seat = min(s for s in range(1, course.presenters_per_reading + 1) if s not in used)
    if on_reading and on_reading[0][5]:  # a second presenter while a reading is still free
        raise ClaimError(
            f"{' and '.join(names)} got “{reading.paper}” first. "
            "Second presenters are allowed only once every reading has a presenter; "
            "the board below shows what is still free.",
            holders=names,
        )
    return seat


def _window_error(course: Course, now: datetime) -> ClaimError | None:
    state = course.claims_state(now)
    if state == "before":
        if not course.uses_claims:
            return ClaimError("This course has no paper claims.")
        return ClaimError(f"Claiming opens {_local(course, course.claims_open_at)}.")
    if state == "closed":
        return ClaimError(
            f"The claim window closed {_local(course, course.claims_close_at)}; "
            "ask the course staff for a change."
        )
    return None


# One statement, so one snapshot of committed claims: if it says the reading is
# taken, it was taken at that instant, and refusing is the same answer the
# locked path would give a request that came that instant. Losers of a rush are
# answered without queueing for the course lock; everyone else takes the lock.
# It also says whether the reading is in the course (and claimable, and its
# paper's title), whether the user is a student of the course and which team they
# are in, so a claim from the board asks the database once before the lock.
# The statement is the PL/pgSQL function of migration 0005, so PostgreSQL plans
# it once per connection rather than on every claim.
AT_A_GLANCE_SQL = "SELECT * FROM courses_claim_glance(%s, %s, %s, %s)"


@dataclass
class _Glance:
    found: bool  # the reading is in the course
    claimable: bool
    title: str
    is_student: bool
    team_id: int | None
    seats: list[int]
    names: list[str]
    held: int
    any_free: bool


def _at_a_glance(course: Course, reading_id: int, user) -> _Glance:
    with connection.cursor() as cursor:
        cursor.execute(AT_A_GLANCE_SQL, [reading_id, course.pk, user.pk, course.presents_by_team])
        return _Glance(*cursor.fetchone())


def _refused_at_a_glance(course: Course, glance: _Glance) -> ClaimError | None:
    if glance.held >= course.claims_per_presenter:
        return None  # the locked path words this one (it names the holder's claims)
    taken, names = len(glance.seats), glance.names
    if taken < course.presenters_per_reading and not (taken and glance.any_free):
        return None
    if taken < course.presenters_per_reading:
        return ClaimError(
            f"{' and '.join(names)} got “{glance.title}” first. "
            "Second presenters are allowed only once every reading has a presenter; "
            "the board below shows what is still free.",
            holders=names,
        )
    return ClaimError(
        f"{' and '.join(names)} got “{glance.title}” first. "
        "The board below shows what is still free.",
        holders=names,
    )


# Lock the course row (as _lock_course) in one lean statement, reading back the
# fields the claim rules depend on so the checks under the lock see them fresh.
LOCK_RULES_SQL = (
    'SELECT "courses_course"."claims_open_at", "courses_course"."claims_close_at",'
    ' "courses_course"."presenters_per_reading", "courses_course"."claims_per_presenter"'
    ' FROM "courses_course" WHERE "courses_course"."id" = %s FOR UPDATE'
)


def _lock_course_rules(course: Course) -> Course:
    with connection.cursor() as cursor:
        cursor.execute(LOCK_RULES_SQL, [course.pk])
        (
            course.claims_open_at,
            course.claims_close_at,
            course.presenters_per_reading,
            course.claims_per_presenter,
        ) = cursor.fetchone()
    return course


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


def claim_reading_in(*, course: Course, reading_id: int, user, at: datetime | None = None) -> Claim:
    """As claim_reading, for the board's button: the reading is found by its id in
    ``course`` (Reading.DoesNotExist if it is not there) by the same statement that
    takes the snapshot of its claims, so a claim that loses a rush costs one query."""
    if not 0 < reading_id < 2**63:  # no row's id (bigint), and the function's SQL refuses it
        raise Reading.DoesNotExist
    return _claim(course, reading_id, user, at=at)


def _claim(course: Course, reading_id: int, user, reading: Reading | None = None, at=None) -> Claim:
    """Checks that do not depend on other claims run before the course lock, so the
    lock is held only for the few statements that decide the seat: the lock, one
    query for the checks, the claim and its audit event.

    ``at`` (the request's arrival; default now) decides whether the window is open, also
    under the lock: a claim that arrived before the close but queued for the lock past it
    still counts. Its claimed_at is the instant it took the lock (the commit order)."""
    at = at or timezone.now()
    glance = _at_a_glance(course, reading_id, user)
    if not glance.found:
        raise Reading.DoesNotExist(f"No reading {reading_id} in {course.code}.")
    if error := _window_error(course, at):
        raise error
    if not glance.is_student:
        raise ClaimError("Only students of this course can claim readings.")
    team = None
    if course.presents_by_team:
        if glance.team_id is None:
            raise ClaimError(
                "This course presents by teams: form or join a team first, "
                "then claim a reading for it."
            )
        team = Team.objects.get(pk=glance.team_id)
    student = None if team else user
    if not glance.claimable:
        raise ClaimError(f"“{glance.title}” is presented by the instructor; it cannot be claimed.")
    if refusal := _refused_at_a_glance(course, glance):
        raise refusal
    if reading is None:
        reading = Reading.objects.select_related("session", "paper").get(pk=reading_id)
        reading.course = course
    try:
        with transaction.atomic():
            course = _lock_course_rules(course)
            now = timezone.now()
            if error := _window_error(course, at):  # the rules as now locked, at arrival
                raise error
            seat = _check_seat(course, reading, student=student, team=team)
            claim = Claim(
                course=course,
                reading=reading,
                student=student,
                team=team,
                seat=seat,
                claimed_by=user,
                claimed_at=now,
            )
            claim.save()
            _event(claim, ClaimEvent.Action.CLAIM, user, now)
    except DatabaseError as exc:
        raise _refused(exc) from exc
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
        seat = _check_seat(course, reading, student=student, team=team)
        claim = Claim(
            course=course,
            reading=reading,
            student=student,
            team=team,
            seat=seat,
            claimed_by=actor,
            claimed_at=now,
            by_staff=True,
            reason=reason[:200],
        )
        try:
            with transaction.atomic():
                claim.save()
        except DatabaseError as exc:
            raise _refused(exc) from exc
        _event(claim, ClaimEvent.Action.ASSIGN, actor, now, reason)
        return claim


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


def claim_due_items(user, courses):
    """courses.deadlines provider: the claim window closing (for students while it is
    open or upcoming), and each presenter's presentation and slides due time.
    Three queries whatever the number of courses."""
    from django.db.models import Exists, OuterRef, Q
    from django.urls import reverse

    from courses.deadlines import DueItem

    courses = [c for c in courses if c.uses_claims]
    if not courses or not user.is_authenticated:
        return []
    now = timezone.now()
    by_id = {c.pk: c for c in courses}
    student_in = set(
        Membership.objects.filter(user=user, course__in=courses, role=Role.STUDENT).values_list(
            "course_id", flat=True
        )
    )
    claims = list(
        Claim.objects.active()
        .filter(course__in=courses)
        .filter(Q(student=user) | Q(team__members__user=user))
        .select_related("reading__paper", "reading__session")
        .annotate(has_slides=Exists(Slides.objects.filter(reading=OuterRef("reading_id"))))
    )
    items = []
    holding = {c.course_id for c in claims}
    for course_id in student_in:
        course = by_id[course_id]
        if course.claims_close_at and now < course.claims_close_at:
            items.append(
                DueItem(
                    course=course,
                    title="Paper claims close",
                    due_at=course.claims_close_at,
                    url=reverse("claims:board", args=[course.code]),
                    kind="claims",
                    done=course_id in holding,
                    uid=f"claims-close-{course.pk}",
                )
            )
    for claim in claims:
        course = by_id[claim.course_id]
        session = claim.reading.session
        session.course = course
        starts = session.starts_at()
        items.append(
            DueItem(
                course=course,
                title=f"Your presentation: {claim.reading.paper}",
                due_at=starts,
                url=reverse("claims:board", args=[course.code]),
                kind="presentation",
                uid=f"presentation-{claim.pk}",
            )
        )
        if (slides_due := course.slides_due(session)) is not None:
            items.append(
                DueItem(
                    course=course,
                    title=f"Slides due: {claim.reading.paper}",
                    due_at=slides_due,
                    url=reverse("claims:slides_upload", args=[course.code, claim.reading_id]),
                    kind="slides",
                    done=claim.has_slides,
                    uid=f"slides-{claim.pk}",
                )
            )
    return items


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
            send_mail(
                subject=f"{course.code}: “{reading.paper.title}” moved to {_day(new)}"[:200],
                message=(
                    f"Hello {person.name or person.email},\n\n"
                    f"The schedule of {course.title} changed: “{reading.paper.title}”, which "
                    f"you present, moved from {_day(old)} to {_day(new)}. Your claim and "
                    f"everything attached to the reading moved with it.\n\n"
                    f"The schedule: {url}\n"
                ),
                from_email=None,
                recipient_list=[person.email],
            )
            sent += 1
    return sent


def _day(day) -> str:
    return f"{day:%a %b} {day.day}"  # Tue Oct 7

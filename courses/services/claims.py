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
from datetime import datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from courses.models import (
    Claim,
    ClaimEvent,
    Course,
    Membership,
    Reading,
    Role,
    Slides,
    Team,
    TeamMember,
)

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


def _holder_filter(*, student=None, team=None) -> dict:
    return {"team": team} if team is not None else {"student": student}


def team_of(course: Course, user) -> Team | None:
    """The user's team in ``course``, or None (one query)."""
    member = TeamMember.objects.filter(course=course, user=user).select_related("team").first()
    return member.team if member else None


def free_readings(course: Course, *, exclude_claim_id: int | None = None):
    """Claimable readings of ``course`` with no active claim (a QuerySet)."""
    taken = Claim.objects.active().filter(course=course)
    if exclude_claim_id:
        taken = taken.exclude(pk=exclude_claim_id)
    return (
        Reading.objects.claimable()
        .filter(course=course)
        .exclude(pk__in=taken.values("reading_id"))
        .select_related("paper", "session")
    )


def second_seats_open(course: Course) -> bool:
    """True once every claimable reading has a presenter (one query)."""
    return course.presenters_per_reading > 1 and not free_readings(course).exists()


def _refused(exc: DatabaseError) -> ClaimError:
    code = getattr(exc.__cause__, "pgcode", None)
    if code in SQLSTATE_MESSAGES:
        return ClaimError(SQLSTATE_MESSAGES[code])
    raise exc


def _event(claim: Claim, action: str, actor, at: datetime, reason: str = "", reading=None):
    ClaimEvent.objects.create(
        course_id=claim.course_id,
        reading=reading or claim.reading,
        claim=claim,
        action=action,
        actor=actor,
        holder=_holder_label(claim)[:200],
        reason=reason[:200],
        at=at,
    )


def _check_seat(
    course: Course, reading: Reading, *, student=None, team=None, moving: Claim | None = None
) -> int:
    """The seat the holder would take on ``reading``, or ClaimError. Needs the course lock."""
    if not reading.claimable:
        raise ClaimError(f"“{reading.paper}” is presented by the instructor; it cannot be claimed.")
    holder = _holder_filter(student=student, team=team)
    active = list(
        reading.claims.active()
        .exclude(pk=getattr(moving, "pk", None))
        .select_related("student", "team")
    )
    mine = [c for c in active if (c.team_id == team.pk if team else c.student_id == student.pk)]
    if mine:
        raise ClaimError(f"{team or student} already presents “{reading.paper}”.")
    held = list(
        Claim.objects.active()
        .filter(course=course, **holder)
        .exclude(pk=getattr(moving, "pk", None))
        .select_related("reading__paper")
    )
    if len(held) >= course.claims_per_presenter:
        titles = "; ".join(f"“{c.reading.paper}”" for c in held)
        raise ClaimError(
            f"{team or student} already presents {titles}. Each presenter may hold {course.claims_per_presenter} "
            f"claim{'s' if course.claims_per_presenter != 1 else ''}; withdraw one first."
        )
    names = [_holder_label(c) for c in active]
    if len(active) >= course.presenters_per_reading:
        raise ClaimError(
            f"{' and '.join(names)} got “{reading.paper}” first. "
            "The board below shows what is still free.",
            holders=names,
        )
    used = {c.seat for c in active}
    seat = min(s for s in range(1, course.presenters_per_reading + 1) if s not in used)
    if seat > 1 and free_readings(course, exclude_claim_id=getattr(moving, "pk", None)).exists():
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
AT_A_GLANCE_SQL = """
SELECT
  (SELECT count(*) FROM courses_claim
    WHERE reading_id = %(reading)s AND withdrawn_at IS NULL),
  EXISTS (SELECT 1 FROM courses_claim
    WHERE reading_id = %(reading)s AND withdrawn_at IS NULL AND seat = 1),
  (SELECT count(*) FROM courses_claim
    WHERE course_id = %(course)s AND withdrawn_at IS NULL AND {holder} = %(holder)s),
  EXISTS (SELECT 1 FROM courses_reading r JOIN courses_session s ON s.id = r.session_id
    WHERE r.course_id = %(course)s AND NOT r.presented_by_instructor AND s.kind = 'regular'
      AND NOT EXISTS (SELECT 1 FROM courses_claim c
                      WHERE c.reading_id = r.id AND c.withdrawn_at IS NULL))
"""


def _refused_at_a_glance(course: Course, reading: Reading, *, student, team) -> ClaimError | None:
    column, holder = ("team_id", team.pk) if team else ("student_id", student.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            AT_A_GLANCE_SQL.format(holder=column),
            {"reading": reading.pk, "course": course.pk, "holder": holder},
        )
        taken, first_seat_taken, held, any_free = cursor.fetchone()
    if held >= course.claims_per_presenter:
        return None  # the locked path words this one (it names the holder's claims)
    if taken < course.presenters_per_reading and not (first_seat_taken and any_free):
        return None
    names = [
        _holder_label(c)
        for c in reading.claims.active().select_related("student", "team").order_by("seat")
    ]
    if not names:
        return ClaimError(
            f"Someone got “{reading.paper}” first; the board shows what is still free."
        )
    if taken < course.presenters_per_reading:
        return ClaimError(
            f"{' and '.join(names)} got “{reading.paper}” first. "
            "Second presenters are allowed only once every reading has a presenter; "
            "the board below shows what is still free.",
            holders=names,
        )
    return ClaimError(
        f"{' and '.join(names)} got “{reading.paper}” first. "
        "The board below shows what is still free.",
        holders=names,
    )


def claim_reading(*, reading: Reading, user) -> Claim:
    """``user`` (a student) claims ``reading`` for themselves or their team.

    Checks that do not depend on other claims run before the course lock, so the
    lock is held only for the few statements that decide the seat.
    """
    reading = Reading.objects.select_related("session", "paper", "course").get(pk=reading.pk)
    course = reading.course
    if error := _window_error(course, timezone.now()):
        raise error
    if not Membership.objects.filter(course=course, user=user, role=Role.STUDENT).exists():
        raise ClaimError("Only students of this course can claim readings.")
    team = None
    if course.presents_by_team:
        team = team_of(course, user)
        if team is None:
            raise ClaimError(
                "This course presents by teams: form or join a team first, "
                "then claim a reading for it."
            )
    student = None if team else user
    if not reading.claimable:
        raise ClaimError(f"“{reading.paper}” is presented by the instructor; it cannot be claimed.")
    if refusal := _refused_at_a_glance(course, reading, student=student, team=team):
        raise refusal
    try:
        with transaction.atomic():
            course = _lock_course(course.pk)
            now = timezone.now()
            if error := _window_error(course, now):
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


def claim_withdraw(*, claim: Claim, user) -> Claim:
    """The holder (or a member of the holding team) gives the reading back, while the window is open."""
    with transaction.atomic():
        course = _lock_course(claim.course_id)
        now = timezone.now()
        claim = Claim.objects.select_related("reading__paper", "student", "team").get(pk=claim.pk)
        if not _can_withdraw(claim, user):
            raise ClaimError("Only the presenter can withdraw this claim.")
        if claim.withdrawn_at:
            raise ClaimError("This claim was already withdrawn.")
        if course.claims_state(now) != "open":
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
        claim = Claim.objects.select_related("reading__paper", "student", "team").get(pk=claim.pk)
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


def presenters_by_reading(readings) -> dict[int, list[Claim]]:
    """Active claims per reading id, holders loaded (one query); for schedule pages."""
    result: dict[int, list[Claim]] = {}
    claims = (
        Claim.objects.active()
        .filter(reading__in=list(readings))
        .select_related("student", "team")
        .order_by("reading_id", "seat")
    )
    for claim in claims:
        result.setdefault(claim.reading_id, []).append(claim)
    return result


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
                    url=reverse("courses:claims", args=[course.code]),
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
                url=reverse("courses:claims", args=[course.code]),
                kind="presentation",
                uid=f"presentation-{claim.pk}",
            )
        )
        if course.slides_due_hours is not None:
            items.append(
                DueItem(
                    course=course,
                    title=f"Slides due: {claim.reading.paper}",
                    due_at=starts + timedelta(hours=course.slides_due_hours),
                    url=reverse("courses:slides_upload", args=[course.code, claim.reading_id]),
                    kind="slides",
                    done=claim.has_slides,
                    uid=f"slides-{claim.pk}",
                )
            )
    return items


def latest_slides_by_reading(readings) -> dict[int, Slides]:
    """The newest slides per reading id (one query); link them with url 'courses:slides'."""

    latest: dict[int, Slides] = {}
    for slides in Slides.objects.filter(reading__in=list(readings)).order_by("uploaded_at", "id"):
        latest[slides.reading_id] = slides
    return latest

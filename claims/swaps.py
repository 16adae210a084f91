"""Presenter swaps under first come, first served: a presenter offers their reading for
another presenter's; when the other accepts while the claim window is open, both claims
change in one transaction under the course-row lock.

A swap withdraws both claims and claims each reading anew for the other holder, through
the seat rule and the trigger (claims.services ``_take_seat``), with a ``swap`` audit
event on each side: every invariant is checked as for any claim, and a claim raced in by
someone else waits for the lock and then sees the swap whole, never a reading left free
between the two halves. Of the two new claims, the one on a reading left without a
presenter goes first, so the trigger never sees a second presenter while a reading is free.
"""

from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from claims.models import Claim, ClaimEvent, SwapProposal
from claims.services import ClaimError, _event, _lock_course, _refused, _take_seat
from courses.mail import queue_email
from courses.models import Course
from teams.models import TeamMember


def holds(claim: Claim, user) -> bool:
    """``user`` is the claim's student or a member of its team (a query for a team)."""
    if claim.student_id:
        return claim.student_id == user.pk
    return TeamMember.objects.filter(team_id=claim.team_id, user=user).exists()


def _window_open(course: Course, at: datetime) -> None:
    if course.by_preference:
        raise ClaimError("Papers in this course are assigned by preference; ask the staff.")
    if course.claims_state(at) != "open":
        raise ClaimError("Swaps happen while the claim window is open; ask the course staff.")


def _loaded(pk: int) -> Claim:
    return Claim.objects.select_related(
        "reading__paper", "reading__session", "student", "team"
    ).get(pk=pk)


def swap_propose(*, offered: Claim, wanted: Claim, user, at: datetime | None = None):
    """``user``, who presents ``offered``, offers it for ``wanted``, another presenter's
    reading in the same course; the other side is told by email."""
    at = at or timezone.now()
    with transaction.atomic():
        course = _lock_course(offered.course_id)
        offered, wanted = _loaded(offered.pk), _loaded(wanted.pk)
        _window_open(course, at)
        if wanted.course_id != course.pk:
            raise ClaimError("That presenter is in another course.")
        if not holds(offered, user):
            raise ClaimError("You can offer only a reading you present.")
        if not (offered.is_active and wanted.is_active):
            raise ClaimError(
                "One of these claims was withdrawn; the board shows who presents what."
            )
        if offered.reading_id == wanted.reading_id or holds(wanted, user):
            raise ClaimError("Choose another presenter's reading to swap with.")
        try:
            with transaction.atomic():
                swap = SwapProposal.objects.create(
                    course=course, offered=offered, wanted=wanted, proposed_by=user
                )
        except IntegrityError:
            raise ClaimError("You already offered this swap; it waits for an answer.") from None
        _tell(
            course,
            wanted,
            subject=f"{course.code}: {offered.holder} offers to swap readings",
            text=(
                f"{offered.holder} offers you “{offered.reading.paper}” "
                f"({offered.reading.session.date:%a %b %-d}) for “{wanted.reading.paper}” "
                f"({wanted.reading.session.date:%a %b %-d}). Accept or decline on the claims "
                "board before the claim window closes."
            ),
        )
        return swap


def swap_accept(*, swap: SwapProposal, user, at: datetime | None = None) -> tuple[Claim, Claim]:
    """The other side accepts: both claims change at once. Returns the two new claims
    (``offered``'s reading now held by ``wanted``'s holder, and the other way round)."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            course = _lock_course(swap.course_id)
            swap = SwapProposal.objects.select_for_update().get(pk=swap.pk)
            offered, wanted = _loaded(swap.offered_id), _loaded(swap.wanted_id)
            if not holds(wanted, user):
                raise ClaimError("Only the presenter who was offered the swap can accept it.")
            if swap.status != SwapProposal.Status.PENDING:
                raise ClaimError(f"This swap was {swap.get_status_display()} already.")
            _window_open(course, at)
            if not (offered.is_active and wanted.is_active):
                raise ClaimError(
                    "One of these claims was withdrawn since; this swap no longer stands."
                )
            now = timezone.now()
            for claim, other in ((offered, wanted), (wanted, offered)):
                claim.withdrawn_at, claim.withdrawn_by = now, user
                claim.save(update_fields=["withdrawn_at", "withdrawn_by"])
                _event(claim, ClaimEvent.Action.SWAP, user, now, f"swapped with {other.holder}")
            # (reading, new student, new team): each reading to the other side.
            moves = [
                (offered.reading, wanted.student, wanted.team),
                (wanted.reading, offered.student, offered.team),
            ]
            still = set(
                Claim.objects.active()
                .filter(reading__in=[offered.reading_id, wanted.reading_id])
                .values_list("reading_id", flat=True)
            )
            moves.sort(key=lambda move: move[0].pk in still)  # a reading left free first
            new = {}
            for reading, student, team in moves:
                new[reading.pk] = _take_seat(
                    course,
                    reading,
                    student,
                    team,
                    by=user,
                    at=now,
                    action=ClaimEvent.Action.SWAP,
                    reason=f"swap {swap.pk}",
                )
            swap.status, swap.decided_by, swap.decided_at = SwapProposal.Status.ACCEPTED, user, now
            swap.save(update_fields=["status", "decided_by", "decided_at"])
            # Other offers about either old claim no longer stand.
            SwapProposal.objects.filter(status=SwapProposal.Status.PENDING).filter(
                offered__in=[offered, wanted]
            ).update(status=SwapProposal.Status.CANCELLED, decided_at=now)
            SwapProposal.objects.filter(status=SwapProposal.Status.PENDING).filter(
                wanted__in=[offered, wanted]
            ).update(status=SwapProposal.Status.CANCELLED, decided_at=now)
            _tell(
                course,
                offered,
                subject=f"{course.code}: {wanted.holder} accepted your swap",
                text=f"You now present “{wanted.reading.paper}” "
                f"({wanted.reading.session.date:%a %b %-d}).",
            )
    except DatabaseError as exc:
        raise _refused(exc) from exc
    return new[offered.reading_id], new[wanted.reading_id]


def swap_cancel(*, swap: SwapProposal, user) -> SwapProposal:
    """Either side calls a pending swap off (the one offered it: declines)."""
    with transaction.atomic():
        _lock_course(swap.course_id)
        swap = SwapProposal.objects.select_for_update().get(pk=swap.pk)
        offered, wanted = _loaded(swap.offered_id), _loaded(swap.wanted_id)
        if not (holds(offered, user) or holds(wanted, user)):
            raise ClaimError("Only the two presenters of a swap can call it off.")
        if swap.status != SwapProposal.Status.PENDING:
            raise ClaimError(f"This swap was {swap.get_status_display()} already.")
        swap.status, swap.decided_by = SwapProposal.Status.CANCELLED, user
        swap.decided_at = timezone.now()
        swap.save(update_fields=["status", "decided_by", "decided_at"])
        return swap


def _tell(course: Course, claim: Claim, *, subject: str, text: str) -> None:
    """Email the claim's holder (every member of a team), in the caller's transaction."""
    if claim.team_id:
        people = [
            m.user for m in TeamMember.objects.filter(team_id=claim.team_id).select_related("user")
        ]
    else:
        people = [claim.student]
    board = f"{settings.SITE_URL}/courses/{course.code}/claims/"
    for person in people:
        queue_email(
            to=person.email,
            subject=subject,
            body=f"Hello {person.name or person.email},\n\n{text}\n\nThe claims board: {board}\n",
        )

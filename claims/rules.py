"""The seat rule of paper claims, written once.

``decide(facts)`` says which seat of a reading a claimer would take, or why not, from a
snapshot of the facts (``SeatFacts``) and nothing else: no query, no clock. Three places
ask it: the claim service before the course lock (on the one unlocked look of
``courses_claim_glance``: losers of a rush are answered from it alone), the service again
under the lock (on what it reads there: that answer is the one that counts), and the
claims board, for the button beside each reading (``board_action``). Every refusal's
message is worded here and nowhere else.

The database keeps the same invariants whatever Python decides: the trigger of
claims/migrations/0003_claim_trigger_readable.py refuses a reading over capacity
(SQLSTATE SC001), a holder over the limit (SC002) and a second presenter while a
claimable reading is free (SC003).
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from django.utils.formats import date_format


class Window(StrEnum):
    """The claim window as it binds one actor at one instant."""

    NONE = "none"  # the course has no paper claims
    BEFORE = "before"
    OPEN = "open"  # also: staff, whom the window does not bind
    CLOSED = "closed"


class Code(StrEnum):
    """Why a claim is refused, in the order the rule asks."""

    NO_CLAIMS = "no_claims"
    BY_PREFERENCE = "by_preference"  # the course assigns papers by preference
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    NOT_A_STUDENT = "not_a_student"
    NEEDS_TEAM = "needs_team"
    NOT_CLAIMABLE = "not_claimable"
    HOLDS_IT = "holds_it"
    HOLDER_FULL = "holder_full"
    TAKEN = "taken"  # every seat of the reading is held
    SECOND_SEAT_CLOSED = "second_seat_closed"


@dataclass(frozen=True)
class SeatFacts:
    """Everything the seat rule reads, as one snapshot of committed rows."""

    # The course's settings.
    presenters_per_reading: int
    claims_per_presenter: int
    by_team: bool  # the course presents by teams
    # The window for this actor at the request's arrival, and its instants for messages.
    window: Window = Window.OPEN
    by_preference: bool = False  # students rank instead of claiming (staff: always False)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    tz: tzinfo = UTC
    # The claimer (the student, or the team they claim for).
    is_student: bool = True
    has_team: bool = True  # read only where the course presents by teams
    claimer: str = ""  # the holder's label, as str(Team) or str(User) gives it
    held: tuple[str, ...] | None = ()  # titles of the readings they hold; None: not known
    holds_it: bool = False  # they hold this reading (read only where ``held`` is known)
    # The reading and its active claims (the claim being moved, if any, left out).
    title: str = ""
    claimable: bool = True  # not presented by the instructor, in a regular session
    seats: tuple[int, ...] = ()  # the seats held, in seat order
    holders: tuple[str, ...] = ()  # who holds them, in the same order
    free_readings: int = 0  # claimable readings of the course with no presenter

    @classmethod
    def of(cls, course, *, window_at: datetime | None = None, **facts) -> "SeatFacts":
        """The facts with ``course``'s settings and its window at ``window_at`` (when a
        student's request arrived); None for staff, whom the window does not bind."""
        window = Window.OPEN
        by_preference = False
        if window_at is not None:
            window = Window(course.claims_state(window_at) if course.uses_claims else "none")
            by_preference = course.by_preference
        return cls(
            presenters_per_reading=course.presenters_per_reading,
            claims_per_presenter=course.claims_per_presenter,
            by_team=course.presents_by_team,
            window=window,
            by_preference=by_preference,
            opens_at=course.claims_open_at,
            closes_at=course.claims_close_at,
            tz=course.tz,
            **facts,
        )

    def local(self, instant: datetime, fmt: str = "D M j, g:i A T") -> str:
        return date_format(instant.astimezone(self.tz), fmt)


@dataclass(frozen=True)
class Seat:
    number: int
    second: bool  # the reading already has a presenter: this is a second seat


@dataclass(frozen=True)
class Refusal:
    code: Code
    message: str  # for the user
    holders: tuple[str, ...] = ()  # on a lost race, who holds the reading


def second_seats_open(presenters_per_reading: int, free_readings: int) -> bool:
    """A reading takes a second presenter only once every claimable reading has one."""
    return presenters_per_reading > 1 and free_readings == 0


def decide(facts: SeatFacts) -> Seat | Refusal | None:
    """The seat ``facts``' claimer takes on the reading, or why not.

    None only where ``facts.held`` is None (the look before the lock knows how many
    readings the claimer holds, not which): what they hold may decide the answer, so
    only the check under the lock, which reads it, can."""
    if refusal := _actor_refusal(facts):
        return refusal
    if not facts.claimable:
        return Refusal(
            Code.NOT_CLAIMABLE,
            f"“{facts.title}” is presented by the instructor; it cannot be claimed.",
        )
    if facts.held is None:
        return None
    if facts.holds_it:
        return Refusal(Code.HOLDS_IT, f"{facts.claimer} already presents “{facts.title}”.")
    if len(facts.held) >= (limit := facts.claims_per_presenter):
        titles = "; ".join(f"“{title}”" for title in facts.held)
        return Refusal(
            Code.HOLDER_FULL,
            f"{facts.claimer} already presents {titles}. Each presenter may hold {limit} "
            f"claim{'s' if limit != 1 else ''}; withdraw one first.",
        )
    return _seat(facts)


def _actor_refusal(facts: SeatFacts) -> Refusal | None:
    if facts.window == Window.NONE:
        return Refusal(Code.NO_CLAIMS, "This course has no paper claims.")
    if facts.by_preference:
        return Refusal(
            Code.BY_PREFERENCE,
            "This course assigns papers by preference: rank the readings on the "
            "Preferences page; the staff assign them when ranking closes.",
        )
    if facts.window == Window.BEFORE:
        return Refusal(Code.NOT_YET_OPEN, f"Claiming opens {facts.local(facts.opens_at)}.")
    if facts.window == Window.CLOSED:
        return Refusal(
            Code.CLOSED,
            f"The claim window closed {facts.local(facts.closes_at)}; "
            "ask the course staff for a change.",
        )
    if not facts.is_student:
        return Refusal(Code.NOT_A_STUDENT, "Only students of this course can claim readings.")
    if facts.by_team and not facts.has_team:
        return Refusal(
            Code.NEEDS_TEAM,
            "This course presents by teams: form or join a team first, "
            "then claim a reading for it.",
        )
    return None


def _seat(facts: SeatFacts) -> Seat | Refusal:
    names = facts.holders
    if len(facts.seats) >= facts.presenters_per_reading:
        return Refusal(
            Code.TAKEN,
            f"{' and '.join(names)} got “{facts.title}” first. "
            "The board below shows what is still free.",
            names,
        )
    if facts.seats and not second_seats_open(facts.presenters_per_reading, facts.free_readings):
        return Refusal(
            Code.SECOND_SEAT_CLOSED,
            f"{' and '.join(names)} got “{facts.title}” first. "
            "Second presenters are allowed only once every reading has a presenter; "
            "the board below shows what is still free.",
            names,
        )
    free = set(range(1, facts.presenters_per_reading + 1)) - set(facts.seats)
    return Seat(min(free), second=bool(facts.seats))


# The trigger's SQLSTATEs, for a change it refuses that the checks let through (they and
# the trigger read the same rows under the same lock, so only a bug or a raw statement
# gets here): the same codes, worded without the names the facts would give.
TRIGGER_REFUSALS = {
    "SC001": Refusal(Code.TAKEN, "This reading has no free seat left."),
    "SC002": Refusal(
        Code.HOLDER_FULL, "That presenter already holds as many claims as the course allows."
    ),
    "SC003": Refusal(
        Code.SECOND_SEAT_CLOSED,
        "Second presenters are allowed only once every reading has a presenter.",
    ),
}


@dataclass(frozen=True)
class BoardAction:
    """What the board shows a student beside a reading."""

    kind: str  # "claim" (a button that claims), "opens", "taken" (disabled), "note" (text)
    label: str
    title: str = ""  # the disabled button's tooltip


def board_action(facts: SeatFacts) -> BoardAction | None:
    """The board's control for ``facts``' reading: "Claim" (or "Claim 2nd seat") where the
    student would get a seat; "Taken" where nobody would; before the window, a disabled
    "Opens …"; "Withdraw yours to switch" for a student at their limit; else nothing."""
    decision = decide(facts)
    if isinstance(decision, Refusal) and decision.code == Code.BY_PREFERENCE:
        return None  # nobody claims here: the preferences page ranks
    if isinstance(decision, Seat):
        return BoardAction("claim", "Claim 2nd seat" if decision.second else "Claim")
    anyone = replace(
        facts, window=Window.OPEN, is_student=True, has_team=True, held=(), holds_it=False
    )
    if isinstance(decide(anyone), Refusal):
        return BoardAction("taken", "Taken")
    if decision.code == Code.NOT_YET_OPEN:
        opens = facts.local(facts.opens_at, "M j, g:i A")
        return BoardAction("opens", f"Opens {opens}", title=decision.message)
    if decision.code == Code.HOLDER_FULL:
        return BoardAction("note", "Withdraw yours to switch")
    return None

"""Paper assignment by preference: students (or teams) rank readings, staff allocate and
publish. The workflows here; the allocation itself is claims/allocation.py (pure).

Publishing creates the claims through the same path as staff assignments
(claims.services ``_take_seat``: the seat rule under the course-row lock, then the
trigger), in one transaction, with an audit event per claim naming the allocation and its
seed, and one email per student, sent once: the mail is queued in the transaction that
publishes, and a course publishes at most one allocation (a unique constraint).
"""

import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from claims import allocation as solver
from claims.models import Allocation, Claim, ClaimEvent, Preference
from claims.services import ClaimError, _lock_course, _refused, _take_seat
from courses.mail import queue_email
from courses.models import Course, Membership, Reading, Role
from teams.models import Team, TeamMember


class PreferenceError(ClaimError):
    """A ranking, an allocation or its publication was refused; ``message`` is for the user."""


# ------------------------------------------------------------------ ranking


@dataclass(frozen=True)
class Ranker:
    """Who ranks: the student, or (where the course presents by teams) their team."""

    student: object | None = None
    team: Team | None = None

    @property
    def filter(self) -> dict:
        return {"team": self.team} if self.team else {"student": self.student}

    def __str__(self):
        return str(self.team or self.student)


def ranker_of(course: Course, user) -> Ranker | None:
    """The ranker ``user`` ranks for in ``course`` (a student's team where the course
    presents by teams), or None for a student of such a course without a team. One query
    where the course presents by teams, none otherwise."""
    if not course.presents_by_team:
        return Ranker(student=user)
    member = TeamMember.objects.filter(course=course, user=user).select_related("team").first()
    return Ranker(team=member.team) if member else None


def required_count(course: Course, claimable: int) -> int:
    """How many readings a ranking must hold: the course's k, or every claimable reading
    when there are fewer."""
    return min(course.preferences_min_ranked, claimable)


def ranking_of(course: Course, ranker: Ranker) -> list[Preference]:
    """``ranker``'s saved ranking, first choice first (one query)."""
    return list(
        Preference.objects.filter(course=course, **ranker.filter)
        .select_related("ranked_by")
        .order_by("rank")
    )


def preferences_save(
    *, course: Course, user, reading_ids: list[int], at: datetime | None = None
) -> list[Preference]:
    """``user`` saves their (or their team's) ranking: ``reading_ids``, first choice first,
    replacing the one saved before, while the preference window is open at ``at`` (the
    request's arrival)."""
    at = at or timezone.now()
    if not course.by_preference:
        raise PreferenceError("This course does not assign papers by preference.")
    state = course.preferences_state(at)
    tz = course.tz
    if state == "before":
        opens = course.preferences_open_at.astimezone(tz)
        raise PreferenceError(f"Ranking opens {opens:%a %b %-d, %-I:%M %p} ({course.time_zone}).")
    if state == "closed":
        raise PreferenceError(
            "Ranking has closed; the staff assign the papers now. Ask them for a change."
        )
    if not Membership.objects.filter(course=course, user=user, role=Role.STUDENT).exists():
        raise PreferenceError("Rankings are for the students of this course.")
    ranker = ranker_of(course, user)
    if ranker is None:
        raise PreferenceError(
            "This course presents by teams: join or create a team; "
            "one member then ranks for the team."
        )
    if len(set(reading_ids)) != len(reading_ids):
        raise PreferenceError("Each reading can be ranked only once.")
    claimable = set(Reading.objects.claimable().filter(course=course).values_list("pk", flat=True))
    if any(pk not in claimable for pk in reading_ids):
        raise PreferenceError("Only readings of this course that students present can be ranked.")
    needed = required_count(course, len(claimable))
    if len(reading_ids) < needed:
        raise PreferenceError(
            f"Rank at least {needed} reading{'s' if needed != 1 else ''} "
            f"(you ranked {len(reading_ids)}); nothing was saved yet."
        )
    now = timezone.now()
    with transaction.atomic():
        # One ranking per holder at a time: two team members saving at once queue here.
        if ranker.team:
            Team.objects.select_for_update().get(pk=ranker.team.pk)
        else:
            Membership.objects.select_for_update().get(course=course, user=user)
        Preference.objects.filter(course=course, **ranker.filter).delete()
        return Preference.objects.bulk_create(
            Preference(
                course=course,
                reading_id=pk,
                rank=rank,
                ranked_by=user,
                ranked_at=now,
                **ranker.filter,
            )
            for rank, pk in enumerate(reading_ids, start=1)
        )


def ranked_counts(
    course: Course, exclude: Ranker | None = None, rank: int | None = None
) -> dict[int, int]:
    """How many students (or teams) ranked each reading (at ``rank`` only, if given),
    ``exclude`` left out. One query."""
    rows = Preference.objects.filter(course=course)
    if rank is not None:
        rows = rows.filter(rank=rank)
    if exclude is not None:
        rows = rows.exclude(**exclude.filter)
    return Counter(rows.values_list("reading_id", flat=True))


# ------------------------------------------------------------------ allocation


def _key(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def allocation_problem(course: Course) -> solver.Problem:
    """The problem as the database has it now: every student (or team) without an active
    claim, with their ranking; every claimable reading with its free seats. Four queries."""
    readings = list(Reading.objects.claimable().filter(course=course).values_list("pk", flat=True))
    held = Counter(
        Claim.objects.active().filter(course=course).values_list("reading_id", flat=True)
    )
    holders_with_claims = set(
        Claim.objects.active()
        .filter(course=course)
        .values_list("team_id" if course.presents_by_team else "student_id", flat=True)
    )
    kind = "team" if course.presents_by_team else "student"
    if course.presents_by_team:
        ids = Team.objects.filter(course=course, members__isnull=False).values_list("pk", flat=True)
    else:
        ids = Membership.objects.students().filter(course=course).values_list("user_id", flat=True)
    holders = sorted({pk for pk in ids if pk not in holders_with_claims})
    rankings: dict = {(kind, pk): [] for pk in holders}
    for student_id, team_id, reading_id in (
        Preference.objects.filter(course=course)
        .order_by("rank")
        .values_list("student_id", "team_id", "reading_id")
    ):
        key = (kind, team_id if course.presents_by_team else student_id)
        if key in rankings:
            rankings[key].append(reading_id)
    seats = {pk: max(course.presenters_per_reading - held.get(pk, 0), 0) for pk in readings}
    return solver.Problem(
        rankings={key: tuple(ranked) for key, ranked in rankings.items()},
        seats=seats,
        taken=frozenset(pk for pk in readings if held.get(pk)),
    )


def allocation_run(*, course: Course, actor=None, seed: int | None = None) -> Allocation:
    """Compute an allocation of ``course`` now (a random seed unless given), and keep it for
    staff to review. Publishes nothing."""
    if not course.by_preference:
        raise PreferenceError(f"{course.code} does not assign papers by preference.")
    seed = secrets.randbelow(2**31) if seed is None else seed
    problem = allocation_problem(course)
    started = time.perf_counter()
    result = solver.allocate(problem, seed=seed)
    seconds = time.perf_counter() - started
    return Allocation.objects.create(
        course=course,
        seed=seed,
        run_by=actor,
        assignments=[
            {"holder": _key(*h), "reading": result.reading_of[h], "rank": result.rank_of[h]}
            for h in sorted(result.reading_of)
        ],
        stats=result.stats(),
        seconds=round(seconds, 3),
    )


def rank_line(stats: dict) -> str:
    """An allocation's statistics in a line: '1st: 40, 2nd: 12, 3rd: 3; none of theirs: 2;
    ranked nothing: 1; not placed: 0'."""
    ordinal = {1: "1st", 2: "2nd", 3: "3rd"}
    ranks = ", ".join(
        f"{ordinal.get(int(k), f'{k}th')}: {n}" for k, n in stats.get("by_rank", {}).items()
    )
    return (
        f"{ranks or 'no choice met'}; none of theirs: {stats['none_of_theirs']}; "
        f"ranked nothing: {stats['ranked_nothing']}; not placed: {stats['unplaced']}"
    )


@dataclass
class Row:
    """One line of an allocation as staff read it."""

    holder: object  # a User or a Team
    reading: Reading | None
    rank: int | None
    ranked: int  # how many readings they ranked


def allocation_rows(allocation: Allocation) -> list[Row]:
    """The allocation's lines with their people and readings loaded, sorted by reading then
    name. Four queries whatever its size."""
    course = allocation.course
    students, teams = set(), set()
    for row in allocation.assignments:
        kind, pk = row["holder"].split(":")
        (teams if kind == "team" else students).add(int(pk))
    from django.contrib.auth import get_user_model

    people = {
        "student": get_user_model().objects.in_bulk(students),
        "team": Team.objects.in_bulk(teams),
    }
    readings = Reading.objects.filter(course=course).select_related("paper", "session").in_bulk()
    ranked = Counter(
        _key("team", t) if t else _key("student", s)
        for s, t in Preference.objects.filter(course=course).values_list("student_id", "team_id")
    )
    rows = []
    for row in allocation.assignments:
        kind, pk = row["holder"].split(":")
        holder = people[kind].get(int(pk))
        if holder is None:
            continue  # left the course since
        rows.append(Row(holder, readings.get(row["reading"]), row["rank"], ranked[row["holder"]]))
    rows.sort(
        key=lambda r: (
            r.reading is None,
            (r.reading.session.date, r.reading.order) if r.reading else (),
            str(r.holder),
        )
    )
    return rows


def allocation_publish(*, allocation: Allocation, actor) -> list[Claim]:
    """Turn ``allocation`` into claims, all or none: each through the seat rule under the
    course lock and the trigger, first seats before second ones (the trigger refuses a
    second presenter while a reading is free), each with an audit event naming the
    allocation and its seed; then each student gets an email with their paper.

    Refused (nothing changes) when the course already published an allocation, or when its
    claims changed since this one ran so that a claim no longer fits: run it again."""
    reason = f"allocation {allocation.pk}, seed {allocation.seed}"
    claims: list[Claim] = []
    try:
        with transaction.atomic():
            course = _lock_course(allocation.course_id)
            allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
            if allocation.is_published:
                raise PreferenceError("This allocation is already published.")
            if Allocation.objects.filter(course=course, published_at__isnull=False).exists():
                raise PreferenceError(
                    f"{course.code} already published an allocation; change presenters on "
                    "the claims board."
                )
            now = timezone.now()
            readings = Reading.objects.filter(course=course).select_related("paper", "session")
            readings = readings.in_bulk()
            presented = set(
                Claim.objects.active().filter(course=course).values_list("reading_id", flat=True)
            )
            firsts, seconds = [], []
            for row in allocation.assignments:
                if row["reading"] is None:
                    continue
                first = row["reading"] not in presented
                presented.add(row["reading"])
                (firsts if first else seconds).append(row)
            # Every holder in two queries, not one per claim.
            teams = Team.objects.filter(course=course).in_bulk()
            students = {
                m.user_id: m.user
                for m in Membership.objects.students().filter(course=course).select_related("user")
            }
            for row in firsts + seconds:
                kind, pk = row["holder"].split(":")
                reading = readings.get(row["reading"])
                if reading is None:
                    raise PreferenceError("A reading of this allocation was removed; run it again.")
                student = team = None
                if kind == "team":
                    team = teams.get(int(pk))
                    if team is None:
                        raise Team.DoesNotExist
                else:
                    student = students.get(int(pk))
                    if student is None:
                        raise Membership.DoesNotExist
                claim = _take_seat(
                    course,
                    reading,
                    student,
                    team,
                    by=actor,
                    at=now,
                    action=ClaimEvent.Action.ALLOCATE,
                    reason=reason,
                )
                claims.append(claim)
            ClaimEvent.objects.filter(claim__in=claims).update(allocation=allocation)
            allocation.published_at, allocation.published_by = now, actor
            allocation.save(update_fields=["published_at", "published_by"])
            _tell_presenters(course, claims)
    except ClaimError as exc:
        if isinstance(exc, PreferenceError):
            raise
        raise PreferenceError(
            f"The claims changed since this allocation ran ({exc.message}) Nothing was "
            "published; run the allocation again."
        ) from exc
    except (Membership.DoesNotExist, Team.DoesNotExist) as exc:
        raise PreferenceError(
            "A student or team of this allocation left the course; run it again."
        ) from exc
    except IntegrityError as exc:
        raise PreferenceError("Another allocation was published first.") from exc
    except DatabaseError as exc:  # the trigger refused what the checks let through
        raise PreferenceError(_refused(exc).message) from exc
    return claims


def _tell_presenters(course: Course, claims: list[Claim]) -> None:
    """One email per student with their paper (every member of a team), in the caller's
    transaction."""
    members: dict[int, list] = defaultdict(list)
    team_ids = [claim.team_id for claim in claims if claim.team_id]
    for member in TeamMember.objects.filter(team_id__in=team_ids).select_related("user"):
        members[member.team_id].append(member.user)
    board = f"{settings.SITE_URL}/courses/{course.code}/claims/"
    for claim in claims:
        people = members[claim.team_id] if claim.team_id else [claim.student]
        paper, day = claim.reading.paper.title, claim.reading.session.date
        for person in people:
            who = f"Your team {claim.team} presents" if claim.team_id else "You present"
            queue_email(
                to=person.email,
                subject=f"{course.code}: you present “{paper}”",
                body=(
                    f"Hello {person.name or person.email},\n\n"
                    f"The papers of {course.title} are assigned. {who} “{paper}” "
                    f"on {day:%a %b %-d}.\n\nThe claims board: {board}\n"
                ),
            )

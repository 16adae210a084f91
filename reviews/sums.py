"""The review components' sums, added up in PostgreSQL, for a gradebook that shows no item.

The gradebook of 500 students x 40 readings has 20,000 review items. Its page and the Canvas
CSV show what they add up to per student and component (``grading.engine.Totals``), so
instead of loading 15,000 reviews and judging them one by one in Python
(``reviews.integration.item_score``), one query judges every (student, reading) with the
same rules and sums them:

- no review: *missing* (0 of the maximum) once the due time has passed, else *upcoming*;
- excused: left out;
- saved after the due time under *no credit*: graded, 0 points;
- no points yet: *ungraded*;
- else graded: the points times the late factor, ``1 - penalty x started days / 100``
  floored at 0 under *penalty* (a started day counted in whole microseconds, as
  ``courses.timing.started_days`` does), the points as they are on time or under *accept*.

Only the reviews are read, each joined to its reading's due time; what has no review
(missing once due, else upcoming) is what the author owes minus what they wrote, worked out
per author from the due times. Due times come from Python (``reviews.plan.DueTimes``: the policy, the session's override,
the author's extension), one per (kind, reading) plus one per extended author, so the rules
for due times stay in one place. The arithmetic is exact on both sides (numeric, Decimal),
so the totals equal those of the items to the last digit (tests/grading/test_engine_sums.py
compares the two on the benchmark's course).

Kinds whose readings depend on the author (``presented``: not the presenters'; ``own``:
only theirs) are judged item by item in Python, as everywhere else; those are small
(CSE 585's questions), and the caller adds their totals.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from grading.engine import ZERO, Totals
from reviews.models import ReadingScope, ReviewKind
from reviews.plan import ReviewPlan

# Kinds whose readings are the same for every author: the ones summed here.
SUMMED_SCOPES = (ReadingScope.ALL, ReadingScope.REQUIRED, ReadingScope.OPTIONAL)
BONUS = 0  # the target of reviews of optional readings that count as bonus (a component id > 0)

SQL = """
WITH pair AS (
    SELECT * FROM unnest(
        %(kind)s::int[], %(reading)s::int[], %(target)s::int[], %(due)s::timestamptz[],
        %(possible)s::numeric[], %(policy)s::text[], %(percent)s::numeric[], %(by_team)s::bool[]
    ) AS p(kind_id, reading_id, target, due, possible, policy, percent, by_team)
), extended AS (
    SELECT * FROM unnest(
        %(ext_author)s::int[], %(ext_kind)s::int[], %(ext_reading)s::int[],
        %(ext_due)s::timestamptz[]
    ) AS e(author, kind_id, reading_id, due)
), written AS (
    -- The author: the student, or for a kind written by teams the team as a negative number.
    SELECT COALESCE(r.student_id, -r.team_id) AS author, p.target, p.possible, p.policy,
           p.percent, COALESCE(e.due, p.due) AS due, r.submitted_at, r.is_excused, r.points
    FROM reviews_review r
    JOIN pair p
        ON p.kind_id = r.kind_id AND p.reading_id = r.reading_id
        AND p.by_team = (r.team_id IS NOT NULL)
    LEFT JOIN extended e
        ON e.author = COALESCE(r.student_id, -r.team_id)
        AND e.kind_id = r.kind_id AND e.reading_id = r.reading_id
), judged AS (
    SELECT author, target, possible, due,
        CASE
            WHEN is_excused THEN 'excused'
            WHEN submitted_at > due AND policy = 'no_credit' THEN 'graded'
            WHEN points IS NULL THEN 'ungraded'
            ELSE 'graded'
        END AS status,
        CASE
            WHEN submitted_at > due AND policy = 'no_credit' THEN 0
            WHEN submitted_at > due AND policy = 'penalty' THEN points * GREATEST(0, 1 - percent
                * (div((extract(epoch FROM submitted_at) - extract(epoch FROM due)) * 1000000 - 1,
                       86400000000) + 1) / 100)
            ELSE points
        END AS earned
    FROM written
)
SELECT author, target,
    COALESCE(SUM(earned) FILTER (WHERE status = 'graded'), 0),
    COALESCE(SUM(possible) FILTER (WHERE status = 'graded'), 0),
    COALESCE(SUM(possible) FILTER (WHERE status = 'excused'), 0),
    COALESCE(SUM(possible) FILTER (WHERE status = 'ungraded'), 0),
    COUNT(*) FILTER (WHERE status = 'ungraded'),
    COALESCE(SUM(possible) FILTER (WHERE due <= %(now)s), 0),
    COUNT(*) FILTER (WHERE due <= %(now)s),
    COALESCE(SUM(possible) FILTER (WHERE due > %(now)s), 0)
FROM judged
GROUP BY author, target
"""


def target_of(kind: ReviewKind, reading) -> int | None:
    """Where a review of ``reading`` counts: BONUS, the kind's component, or nowhere."""
    if kind.counts_optional_as_bonus and not reading.required:
        return BONUS
    return kind.component_id


@dataclass
class Owed:
    """What one author owes towards one target, by due time: the maximum of what is due
    (and how many) and of what is not due yet."""

    due: Decimal = ZERO
    due_count: int = 0
    later: Decimal = ZERO

    def add(self, possible: Decimal, due_at, now) -> None:
        if due_at <= now:
            self.due += possible
            self.due_count += 1
        else:
            self.later += possible


def review_sums(plan: ReviewPlan, course, student_ids: list[int]) -> dict[tuple[int, int], Totals]:
    """{(target, student id): Totals} over the course's kinds of SUMMED_SCOPES. One query."""
    pairs = []
    for kind in plan.kinds:
        if kind.course_id != course.pk or kind.readings not in SUMMED_SCOPES:
            continue
        for reading in plan.readings:
            target = target_of(kind, reading)
            if target is not None and plan.applies(kind, reading):
                pairs.append((kind, reading, target, plan.due_times.base(kind, reading)))
    if not pairs or not student_ids:
        return {}
    now = plan.now
    team_of = {sid: plan.team_of.get((course.pk, sid)) for sid in student_ids}
    teams = sorted({team for team in team_of.values() if team is not None})

    # What every author of each kind owes, by target: students' kinds, teams' kinds.
    owed = {False: {}, True: {}}  # by_team -> target -> Owed
    for kind, _, target, due in pairs:
        owed[kind.by_team].setdefault(target, Owed()).add(kind.max_points, due, now)
    # (Reviews of authors who are not among the students, e.g. dropped, are summed too
    # and never read.) Authors with an extension owe on other due times: their own Owed, and the query
    # judges their reviews on them.
    extended = []  # (author key, kind, reading, due)
    owed_by_author = {}  # author key -> target -> Owed
    wanted, wanted_teams = set(student_ids), set(teams)
    for who, ident in plan.due_times.authors_with_extensions(course.pk):
        by_team = who == "team"
        if ident not in (wanted_teams if by_team else wanted):
            continue
        key = -ident if by_team else ident
        mine = owed_by_author[key] = {}
        for kind, reading, target, base in pairs:
            if kind.by_team != by_team:
                continue
            due = plan.due_times.for_author(kind, reading, (who, ident))
            mine.setdefault(target, Owed()).add(kind.max_points, due, now)
            if due != base:
                extended.append((key, kind.pk, reading.pk, due))

    params = {
        "kind": [kind.pk for kind, *_ in pairs],
        "reading": [reading.pk for _, reading, *_ in pairs],
        "target": [target for *_, target, _ in pairs],
        "due": [due for *_, due in pairs],
        "possible": [kind.max_points for kind, *_ in pairs],
        "policy": [kind.late_policy for kind, *_ in pairs],
        "percent": [kind.late_penalty_percent for kind, *_ in pairs],
        "by_team": [kind.by_team for kind, *_ in pairs],
        "ext_author": [row[0] for row in extended],
        "ext_kind": [row[1] for row in extended],
        "ext_reading": [row[2] for row in extended],
        "ext_due": [row[3] for row in extended],
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(SQL, params)
        written = {(author, target): rest for author, target, *rest in cursor.fetchall()}

    def totals(author: int, target: int, by_team: bool) -> Totals:
        owes = owed_by_author.get(author, owed[by_team]).get(target)
        if owes is None:
            return None
        earned, graded, excused, ungraded, ungraded_count, due, due_count, later = written.get(
            (author, target), (ZERO, ZERO, ZERO, ZERO, 0, ZERO, 0, ZERO)
        )
        missing = owes.due - due  # what is due and has no review
        upcoming = owes.later - later
        return Totals(
            earned=earned,
            counted_possible=graded + missing,
            total_possible=owes.due + owes.later - excused,
            open_possible=ungraded + upcoming,
            missing=owes.due_count - due_count,
            ungraded=ungraded_count,
        )

    result = {}
    targets = {target for _, _, target, _ in pairs}
    for sid in student_ids:
        team = team_of[sid]
        for target in targets:
            found = [totals(sid, target, False)]
            if team is not None:
                found.append(totals(-team, target, True))
            found = [t for t in found if t is not None]
            if found:
                result[(target, sid)] = sum(found[1:], found[0])
    return result

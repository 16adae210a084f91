"""Grading: the one module that owns the computation of grades.

Apps that hold graded work (claims, reviews, projects) supply scores through a small
interface: they declare a *score provider* per component source as ``grade_sources`` in
their hooks module (courses.plugins). grading never imports them.

A provider is ``provider(component, context) -> dict[student_id, list[ItemScore]]`` where
``context`` is the gradebook's ``GradeContext`` (``context.students``: the course's student
``User`` objects; ``context.now``; ``context.once`` for what several components share).
A provider is called once per component with every student, and must run a fixed number
of queries whatever the number of students. Students it leaves out of the dict have no
items. grading provides the "participation" and "manual" sources itself; claims provides
"presentation".

How a grade is computed (all Decimal; rounded only for display and for the letter)
-------------------------------------------------------------------------------
For one student and one component, over its items:

- *current fraction* = earned(graded) / possible(graded + missing).
  Missing work scores 0. Excused, upcoming and ungraded items are left out.
  A component with no graded or missing item has no current fraction yet.
- *projected fraction* = earned(graded) / possible(every item but excused ones):
  anything not graded (missing, ungraded, upcoming) counts 0. A component with
  no item at all projects 0.
- A bonus component's fraction is its current fraction (the mean over work due
  so far, SPEC: "its weight times the mean score over optional readings due so
  far"), in both the current and the projected grade; none yet counts 0.

For one student, in percent (weights are percents; non-bonus ones add up to 100):

- *current grade* = 100 x sum(w x current) / sum(w) over the non-bonus components
  that have a current fraction, plus sum(w x bonus fraction) over bonus
  components. "Graded work only": components with nothing graded or missing yet
  are left out of both sums. No such component: no current grade yet.
- *projected final* = sum(w x projected) over non-bonus components
  + sum(w x bonus fraction) over bonus components. (Missing work as 0.)

Letters come from ``course.letter_scale`` (``[[letter, lower bound], …]``, top
first): the percentage is rounded half up to two decimals and the first letter
whose bound it reaches wins (89.994 -> 89.99 -> B+, 89.995 -> 90.00 -> A).
Divisions use Decimal's default context (28 significant digits); they are the
only inexact step.

Presentation source: one item per active claim of the student (or of the
student's team in courses that present by teams), out of the component's
``max_points``: graded once staff put points on the claim; before the session
starts it is upcoming; after it started without points it is *ungraded*
(the student presented; staff have not graded yet). A student with no claim
gets one "no presentation" item: missing once the claim window has closed
(nothing to present any more), upcoming before.

Participation and manual sources: one item out of ``max_points``; graded when
a ManualScore exists, ungraded (left out of the current grade, 0 in the
projection) when it does not.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from courses import plugins

SEVERAL = "several"  # grading.models.ComponentSource.SEVERAL (the models import nothing here)


class ItemStatus:
    GRADED = "graded"  # earned is set
    UNGRADED = "ungraded"  # submitted (or due) but staff have not graded it yet
    MISSING = "missing"  # due time passed, nothing submitted: scores 0
    UPCOMING = "upcoming"  # not due yet
    EXCUSED = "excused"  # left out of the mean entirely


@dataclass
class ItemScore:
    """One gradable item of one student within a component (a review, a milestone, …)."""

    label: str
    possible: Decimal
    status: str
    earned: Decimal | None = None  # after late penalties and per-student adjustments
    due_at: datetime | None = None
    url: str = ""
    note: str = ""  # e.g. "late 2 h 14 min: -10%"
    key: str = ""  # what was graded ("review:12"), for grading.notices' "new" marks


@dataclass
class Totals:
    """What a component's items add up to, when a provider sums them itself (in SQL) for a
    gradebook that shows no item (``GradeContext.summed``): the same sums ComponentScore
    takes of its items, and the counts the gradebook's badges show."""

    earned: Decimal  # graded items' points after late rules and adjustments
    counted_possible: Decimal  # graded and missing items' maximum: the current denominator
    total_possible: Decimal  # every item but excused ones: the floor's denominator
    open_possible: Decimal  # ungraded and upcoming items: what the ceiling adds
    missing: int = 0
    ungraded: int = 0

    @classmethod
    def of(cls, items: list[ItemScore]) -> "Totals":
        score = ComponentScore(None, items)
        return cls(
            score.earned,
            score.counted_possible,
            score.total_possible,
            score.open_possible,
            len(score.missing),
            len(score.ungraded),
        )

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(
            self.earned + other.earned,
            self.counted_possible + other.counted_possible,
            self.total_possible + other.total_possible,
            self.open_possible + other.open_possible,
            self.missing + other.missing,
            self.ungraded + other.ungraded,
        )


@dataclass
class GradeContext:
    """What every grade source of one gradebook shares: the students, the instant, whose
    eyes the scores are for, and ``shared``, where sources keep what they build once per
    gradebook (the review plan serves both review components: ``once``).

    ``for_students``: the scores are for the students' own grades page, so anything staff
    have not released yet (a milestone grade not published to its team) is left ungraded.

    ``summed``: the gradebook shows each component's sums, not its items (the page with no
    component expanded, the Canvas CSV). A provider may then return ``Totals`` per student
    instead of items; one that returns items is summed by the engine.
    """

    course: object
    students: list
    now: datetime
    for_students: bool = False
    summed: bool = False
    shared: dict = field(default_factory=dict)

    def once(self, key: str, build: Callable[[], object]):
        """``build()`` the first time ``key`` is asked for in this gradebook, then reuse it."""
        if key not in self.shared:
            self.shared[key] = build()
        return self.shared[key]


# provider(component, context: GradeContext) -> {student id: [ItemScore]}, declared by apps
# as ``grade_sources`` in their hooks module (courses.plugins).
ScoreProvider = Callable[..., dict[int, list[ItemScore]]]


def provider_for(source: str) -> ScoreProvider | None:
    """The provider an installed app declares for a ComponentSource value, or None."""
    return plugins.merged("grade_sources").get(source)


def score_component(component, students, now, *, for_students=False, context=None, source=None):
    """One component's items per student: the provider of its source (or of ``source``,
    one part of a component with several) with a context of its own (``context``: share
    one across a gradebook's components)."""
    if not students:
        return {}
    provider = provider_for(source or component.source)
    if provider is None:
        # The app that feeds this source is not installed (yet): nothing to grade.
        return {}
    if context is None:
        context = GradeContext(component.course, list(students), now, for_students)
    return provider(component, context) or {}


def component_parts(component) -> list:
    """The parts of a component with several sources (prefetched as ``parts``), else []."""
    if component.source != SEVERAL:
        return []
    return list(component.parts.all())


ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


# --------------------------------------------------------------------------- rounding, letters


def round2(value: Decimal) -> Decimal:
    """Half up to two decimals: the only rounding, for display and the letter."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def letter_for(percent: Decimal, scale) -> tuple[str, Decimal]:
    """(letter, the rounded percentage that decided it) on a [[letter, lower bound], …] scale."""
    rounded = round2(percent)
    for letter, bound in scale:
        if rounded >= Decimal(str(bound)):
            return letter, rounded
    return scale[-1][0], rounded


def weights_problem(course, components: Iterable) -> str | None:
    """What is wrong with these components' weights for ``course``, or None.

    Non-bonus weights must add up to exactly 100. ``components`` may be unsaved
    instances (a formset being validated); a course with no component yet is fine.
    """
    regular = [c for c in components if not c.is_bonus]
    if not regular:
        return None
    total = sum((Decimal(c.weight or 0) for c in regular), ZERO)
    if total == HUNDRED:
        return None
    off = abs(HUNDRED - total)
    direction = "short of" if total < HUNDRED else "over"
    return (
        f"The non-bonus weights of {course.code} add up to {total:.2f}%, "
        f"{off:.2f} {direction} 100. Change them so they add up to exactly 100."
    )


# --------------------------------------------------------------------------- per-student results


def _sum(values) -> Decimal:
    return sum(values, ZERO)


@dataclass
class ComponentScore:
    """One student's items in one component, and what they add up to."""

    component: object  # GradeComponent
    items: list[ItemScore]

    def _with(self, *statuses) -> list[ItemScore]:
        return [i for i in self.items if i.status in statuses]

    @cached_property
    def graded(self):
        return self._with(ItemStatus.GRADED)

    @cached_property
    def missing(self):
        return self._with(ItemStatus.MISSING)

    @cached_property
    def ungraded(self):
        return self._with(ItemStatus.UNGRADED)

    @cached_property
    def upcoming(self):
        return self._with(ItemStatus.UPCOMING)

    @cached_property
    def excused(self):
        return self._with(ItemStatus.EXCUSED)

    @cached_property
    def earned(self) -> Decimal:
        return _sum(i.earned or ZERO for i in self.graded)

    @cached_property
    def counted_possible(self) -> Decimal:
        """Possible points of graded and missing items: the current denominator."""
        return _sum(i.possible for i in self.graded + self.missing)

    @cached_property
    def total_possible(self) -> Decimal:
        """Possible points of every item but excused ones: the projected denominator."""
        return _sum(i.possible for i in self.items if i.status != ItemStatus.EXCUSED)

    @property
    def weight(self) -> Decimal:
        return self.component.weight

    @property
    def is_bonus(self) -> bool:
        return self.component.is_bonus

    @cached_property
    def current_fraction(self) -> Decimal | None:
        if not self.counted_possible:
            return None
        return self.earned / self.counted_possible

    @cached_property
    def projected_fraction(self) -> Decimal:
        if self.is_bonus:
            return self.current_fraction or ZERO
        if not self.total_possible:
            return ZERO
        return self.earned / self.total_possible

    @property
    def counts_now(self) -> bool:
        return self.current_fraction is not None

    @cached_property
    def open_possible(self) -> Decimal:
        """Possible points of the items not graded yet (awaiting a grade, or upcoming)."""
        return _sum(i.possible for i in self.ungraded + self.upcoming)

    @cached_property
    def ceiling_fraction(self) -> Decimal:
        """Every item not graded yet at full marks: the best still possible."""
        if self.is_bonus:
            possible = self.counted_possible + self.open_possible
            return (self.earned + self.open_possible) / possible if possible else ZERO
        if not self.total_possible:
            return ONE  # nothing to hand in here yet: nothing lost either
        return (self.earned + self.open_possible) / self.total_possible

    @cached_property
    def ceiling_points(self) -> Decimal:
        return self.weight * self.ceiling_fraction

    @cached_property
    def current_points(self) -> Decimal | None:
        """weight x current fraction (percentage points), None when nothing counts yet."""
        if self.current_fraction is None:
            return None
        return self.weight * self.current_fraction

    @cached_property
    def projected_points(self) -> Decimal:
        """weight x projected fraction: what this component adds to the projected final."""
        return self.weight * self.projected_fraction

    @property
    def current_percent(self) -> Decimal | None:
        return None if self.current_fraction is None else self.current_fraction * HUNDRED

    @property
    def projected_percent(self) -> Decimal:
        return self.projected_fraction * HUNDRED

    @property
    def url(self) -> str:
        """The underlying work when there is exactly one item with a link."""
        urls = [i.url for i in self.items if i.url]
        return urls[0] if len(urls) == 1 else ""

    @property
    def missing_count(self) -> int:
        return len(self.missing)

    @property
    def ungraded_count(self) -> int:
        return len(self.ungraded)


class SummedScore(ComponentScore):
    """A component's score from its provider's ``Totals`` (no items): the same fractions,
    current, floor and ceiling as ComponentScore computes from the items the totals sum."""

    def __init__(self, component, totals: Totals):
        super().__init__(component, [])
        self.totals = totals

    earned = property(lambda self: self.totals.earned)
    counted_possible = property(lambda self: self.totals.counted_possible)
    total_possible = property(lambda self: self.totals.total_possible)
    open_possible = property(lambda self: self.totals.open_possible)
    missing_count = property(lambda self: self.totals.missing)
    ungraded_count = property(lambda self: self.totals.ungraded)


class CombinedScore(ComponentScore):
    """A component with several sources: one ComponentScore per part (its ``component`` is
    the grading.ComponentPart, weighted inside), combined as the final grade combines
    components: the current fraction over the parts that count now, reweighted; the floor
    and the ceiling over all parts. Its items are the parts' items, for the counts."""

    def __init__(self, component, parts: list[ComponentScore]):
        super().__init__(component, [item for part in parts for item in part.items])
        self.parts = parts

    def _weighted(self, fraction) -> Decimal:
        return _sum(part.component.weight * fraction(part) for part in self.parts) / HUNDRED

    @cached_property
    def current_fraction(self) -> Decimal | None:
        counting = [part for part in self.parts if part.current_fraction is not None]
        weight = _sum(part.component.weight for part in counting)
        if not weight:
            return None
        return _sum(part.component.weight * part.current_fraction for part in counting) / weight

    @cached_property
    def projected_fraction(self) -> Decimal:
        return self._weighted(lambda part: part.projected_fraction)

    @cached_property
    def ceiling_fraction(self) -> Decimal:
        return self._weighted(lambda part: part.ceiling_fraction)

    @property
    def missing_count(self) -> int:
        return sum(part.missing_count for part in self.parts)

    @property
    def ungraded_count(self) -> int:
        return sum(part.ungraded_count for part in self.parts)


@dataclass
class StudentGrade:
    """One student's grade over a list of components (see the module docstring)."""

    student: object  # User
    section: str
    components: list[ComponentScore]
    scale: list

    @cached_property
    def _counted(self) -> list[ComponentScore]:
        return [c for c in self.components if not c.is_bonus and c.counts_now]

    @cached_property
    def counted_weight(self) -> Decimal:
        """Sum of the weights behind the current grade."""
        return _sum(c.weight for c in self._counted)

    @cached_property
    def bonus_points(self) -> Decimal:
        return _sum(c.projected_points for c in self.components if c.is_bonus)

    @cached_property
    def current_percent(self) -> Decimal | None:
        if not self.counted_weight:
            return None
        weighted = _sum(c.current_points for c in self._counted)
        return weighted / self.counted_weight * HUNDRED + self.bonus_points

    @cached_property
    def projected_percent(self) -> Decimal:
        """The floor: everything not graded yet as 0 (the final grade if nothing more is
        handed in)."""
        return _sum(c.projected_points for c in self.components)

    @property
    def floor_percent(self) -> Decimal:
        return self.projected_percent

    @cached_property
    def ceiling_percent(self) -> Decimal:
        """Everything not graded yet at full marks: the best grade still possible."""
        return _sum(c.ceiling_points for c in self.components)

    @cached_property
    def floor_letter(self) -> tuple[str, Decimal]:
        return letter_for(self.floor_percent, self.scale)

    @cached_property
    def ceiling_letter(self) -> tuple[str, Decimal]:
        return letter_for(self.ceiling_percent, self.scale)

    @cached_property
    def current_letter(self) -> tuple[str, Decimal] | None:
        if self.current_percent is None:
            return None
        return letter_for(self.current_percent, self.scale)

    @cached_property
    def final_letter(self) -> tuple[str, Decimal]:
        return letter_for(self.projected_percent, self.scale)

    def score_for(self, component) -> ComponentScore | None:
        for c in self.components:
            if c.component.pk == component.pk:
                return c
        return None


@dataclass
class Gradebook:
    course: object
    components: list  # GradeComponent, in order
    rows: list[StudentGrade]
    now: datetime
    unpublished_weight: Decimal = field(default=ZERO)  # left out (students' view only)

    def row_for(self, user) -> StudentGrade | None:
        return next((r for r in self.rows if r.student.pk == user.pk), None)


def compute_gradebook(
    course, *, now=None, student_ids=None, published_only=False, summed=False
) -> Gradebook:
    """Grades of the course's students over its components, in a fixed number of queries.

    Two queries (components, students) plus what each component's provider runs,
    each called once with every student. ``student_ids`` narrows the students
    (one student's page); ``published_only`` keeps only published components
    (what students may see); ``summed``: the scores need their sums only, not their
    items (GradeContext.summed; the rows' scores then have no items).
    """
    from django.utils import timezone

    from courses.models import Membership

    now = now or timezone.now()
    all_components = list(course.components.all())
    several = [c for c in all_components if c.source == SEVERAL]
    if several:  # their parts, in one query (courses without any run none)
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(several, "parts")
    components = [c for c in all_components if c.published or not published_only]
    unpublished_weight = _sum(
        c.weight for c in all_components if c not in components and not c.is_bonus
    )
    memberships = Membership.objects.students().filter(course=course).select_related("user")
    if student_ids is not None:
        memberships = memberships.filter(user_id__in=list(student_ids))
    memberships = sorted(memberships, key=lambda m: (m.user.name.lower(), m.user.email))
    students = [m.user for m in memberships]
    for component in components:
        component.course = course  # providers read it without a query
    context = GradeContext(course, students, now, for_students=published_only, summed=summed)
    per_component = {}
    for c in components:
        parts = component_parts(c)
        if parts:
            per_component[c.pk] = [
                (part, score_component(c, students, now, context=context, source=part.source))
                for part in parts
            ]
        else:
            per_component[c.pk] = score_component(c, students, now, context=context)
    scale = course.letter_scale

    def one(component, found, user_id):
        got = found.get(user_id, [])
        if isinstance(got, Totals):
            return SummedScore(component, got)
        return ComponentScore(component, got)

    def score(c, user_id):
        found = per_component[c.pk]
        if isinstance(found, list):
            return CombinedScore(c, [one(part, items, user_id) for part, items in found])
        return one(c, found, user_id)

    rows = [
        StudentGrade(
            student=m.user,
            section=m.section,
            components=[score(c, m.user.pk) for c in components],
            scale=scale,
        )
        for m in memberships
    ]
    return Gradebook(course, components, rows, now, unpublished_weight)


# --------------------------------------------------------------------------- built-in providers


def manual_scores(component, context: GradeContext) -> dict[int, list[ItemScore]]:
    """A ManualScore out of max_points; none yet is ungraded. One query."""
    scores = component.manual_scores.all()
    if context.for_students:  # a student's own page: their score only
        scores = scores.filter(student__in=context.students)
    scores = {s.student_id: s for s in scores}
    result = {}
    for student in context.students:
        score = scores.get(student.pk)
        if score is None:
            item = ItemScore(component.name, component.max_points, ItemStatus.UNGRADED)
        else:
            item = ItemScore(
                component.name,
                component.max_points,
                ItemStatus.GRADED,
                score.points,
                note=score.feedback,
            )
        result[student.pk] = [item]
    return result

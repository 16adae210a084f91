"""What reviews plugs into courses: navigation, deadlines, grading (reviews.hooks names
them; the course file's section is reviews.coursefile). Courses never imports reviews.
"""

from decimal import Decimal

from django.template.defaultfilters import pluralize

from courses.deadlines import DueItem
from courses.models import Membership, Role
from grading.engine import ItemScore, ItemStatus, Totals
from reviews.models import LatePolicy, Review, ReviewKind
from reviews.plan import Owed, ReviewPlan

# --- navigation ---


def nav_visible(course, role) -> bool:
    """Members of a course that has review kinds (one cheap query, cached on the course)."""
    if role is None:
        return False
    if not hasattr(course, "_has_review_kinds"):
        course._has_review_kinds = ReviewKind.objects.filter(course=course).exists()
    return course._has_review_kinds


# --- deadlines (dashboard, calendar feed) ---


def due_reviews(user, courses) -> list[DueItem]:
    """The user's reviews in the courses where they are a student (eight queries)."""
    courses = list(courses)
    if not courses or not user.is_authenticated:
        return []
    student_in = set(
        Membership.objects.filter(user=user, course__in=courses, role=Role.STUDENT).values_list(
            "course_id", flat=True
        )
    )
    courses = [c for c in courses if c.pk in student_in]
    if not courses:
        return []
    plan = ReviewPlan(courses, users=[user])
    items = []
    for course in courses:
        for owed in plan.owed_by_user(course, user.pk):
            # Optional work: a review of an optional reading that only feeds the bonus
            # (without the bonus, the kind's own component grades it like any other).
            optional = not owed.reading.required and owed.kind.counts_optional_as_bonus
            note = " (optional, bonus)" if optional else ""
            items.append(
                DueItem(
                    course=course,
                    title=f"{owed.kind.name}: {owed.reading.paper.title}{note}",
                    optional=optional,
                    due_at=owed.due_at,
                    url=owed.url,
                    kind="review",
                    done=owed.submitted,
                    uid=f"review-{owed.kind.pk}-{owed.reading.pk}-{user.pk}",
                )
            )
    return items


# --- grading ---


def late_policy_words(kind) -> str:
    """The kind's late policy in words, worked out once per kind (a gradebook asks per item)."""
    words = getattr(kind, "_late_policy_words", None)
    if words is None:
        words = kind._late_policy_words = kind.get_late_policy_display()
    return words


def item_score(owed: Owed) -> ItemScore:
    """One review as a graded item, after the kind's late policy."""
    kind, review = owed.kind, owed.review
    score = ItemScore(
        label=f"{kind.name}: {owed.reading.paper.title}",
        possible=kind.max_points,
        status=ItemStatus.UPCOMING,
        due_at=owed.due_at,
        url=owed.url,
    )
    if review is None:
        if owed.is_due:
            score.status, score.earned = ItemStatus.MISSING, Decimal("0")
        return score
    score.key = f"review:{review.pk}"
    if review.is_excused:
        score.status = ItemStatus.EXCUSED
        return score
    # SPEC: a grade counts as soon as it is published, even before the due time (a
    # graded review is final: its author can no longer change it).
    late_by = owed.late_by
    if late_by is not None:
        from courses.timing import humanize_delta

        score.note = f"late {humanize_delta(late_by)}: {late_policy_words(kind)}"
        if kind.late_policy == LatePolicy.NO_CREDIT:
            score.status, score.earned = ItemStatus.GRADED, Decimal("0")
            return score
    if review.points is None:
        score.status = ItemStatus.UNGRADED
        return score
    score.status = ItemStatus.GRADED
    score.earned = kind.earned(review.points, late_by)
    return score


def _feeds(kind, component, bonus: bool) -> bool:
    """Does ``kind`` feed ``component`` (the bonus side: its optional readings)?"""
    return kind.counts_optional_as_bonus if bonus else kind.component_id == component.pk


def _scores(component, context, *, bonus: bool, kinds=None) -> dict[int, list[ItemScore]]:
    """Items per student of the kinds feeding ``component`` (``kinds``: only these)."""
    student_ids = [getattr(s, "pk", s) for s in context.students]
    result: dict[int, list[ItemScore]] = {sid: [] for sid in student_ids}
    # One plan per gradebook: the reviews and the bonus component share it.
    # A student's own page reads only that student's (and team's) reviews: the page does
    # not grow with the class. The gradebook reads everybody's at once.
    plan = context.once(
        f"reviews.plan.{component.course_id}",
        lambda: ReviewPlan(
            [component.course],
            users=context.students if context.for_students else None,
            now=context.now,
            for_grading=True,
        ),
    )
    for kind in plan.kinds:
        if not _feeds(kind, component, bonus) or (kinds is not None and kind.pk not in kinds):
            continue
        # Readings of this kind's side (bonus or not), in the plan's order, found once.
        readings = [
            r for r in plan.readings if bonus == (not r.required and kind.counts_optional_as_bonus)
        ]
        for sid in student_ids:
            author = plan.author_for(kind, sid)
            if author is None:
                continue
            items = result[sid]
            for reading in readings:
                if plan.applies(kind, reading, author):
                    items.append(item_score(plan.owed(kind, reading, author)))
    return result


def _summed(component, context, *, bonus: bool) -> dict[int, Totals]:
    """A gradebook with no item shown: the totals per student, added up in SQL
    (reviews.sums) for kinds whose readings are everybody's, item by item for the others."""
    from reviews.sums import BONUS, SUMMED_SCOPES, review_sums

    course = component.course
    plan = context.once(
        f"reviews.sums-plan.{course.pk}",
        lambda: ReviewPlan([course], now=context.now, for_grading=True, reviews=False),
    )
    student_ids = [s.pk for s in context.students]
    sums = context.once(f"reviews.sums.{course.pk}", lambda: review_sums(plan, course, student_ids))
    target = BONUS if bonus else component.pk
    result = {sid: sums[key] for sid in student_ids if (key := (target, sid)) in sums}
    by_author = {
        kind.pk
        for kind in plan.kinds
        if _feeds(kind, component, bonus) and kind.readings not in SUMMED_SCOPES
    }
    if by_author:
        for sid, items in _scores(component, context, bonus=bonus, kinds=by_author).items():
            if items:
                totals = Totals.of(items)
                result[sid] = result[sid] + totals if sid in result else totals
    return result


def review_scores(component, context):
    """Source "reviews": each reading a kind feeding ``component`` asks for
    (optional readings excluded where they count as bonus). Eight queries; for a gradebook
    that shows no item (``context.summed``), the totals from reviews.sums."""
    if context.summed and not context.for_students:
        return _summed(component, context, bonus=False)
    return _scores(component, context, bonus=False)


def bonus_review_scores(component, context):
    """Source "bonus_reviews": reviews of optional readings of kinds whose
    optional reviews count as bonus; a missing one scores 0 once due."""
    if context.summed and not context.for_students:
        return _summed(component, context, bonus=True)
    return _scores(component, context, bonus=True)


def reviews_to_grade(courses, now):
    """Per session that has started: submitted reviews with no points, not excused. One
    query; each links to the grading view of that session."""
    from django.db.models import Count
    from django.urls import reverse

    from courses import timing
    from courses.staffwork import LATEST_LOCAL, WorkItem, course_today

    by_id = {course.pk: course for course in courses}
    rows = (
        Review.objects.filter(
            kind__course__in=list(by_id), points__isnull=True, is_excused=False,
            reading__session__date__lte=(now + LATEST_LOCAL).date(),
        )
        .values_list("kind__course_id", "reading__session_id", "reading__session__date")
        .annotate(waiting=Count("id"))
        .order_by("reading__session__date")
    )  # fmt: skip
    grade = reverse("admin:reviews_review_grade")
    return [
        WorkItem(
            course=by_id[course_id],
            label=f"Grade: {waiting} review{pluralize(waiting)} of {timing.format_day(day)}",
            count=waiting,
            url=f"{grade}?session={session_id}",
            order=(day,),
        )
        for course_id, session_id, day, waiting in rows
        if day <= course_today(by_id[course_id], now)  # the session's day has come
    ]

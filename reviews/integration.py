"""What reviews plugs into courses: navigation, deadlines, the course file, grading.

Registered from ReviewsConfig.ready(); courses never imports reviews.
"""

from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils.text import slugify

from courses.coursefile import CourseFileError, format_instant
from courses.deadlines import DueItem
from courses.models import Membership, Role
from grading.engine import ItemScore, ItemStatus
from reviews.models import (
    DueKind,
    DueOverride,
    LatePolicy,
    PeerVisibility,
    ReadingScope,
    ReviewKind,
    WrittenBy,
    validate_prompts,
)
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
    if review.is_excused:
        score.status = ItemStatus.EXCUSED
        return score
    if not owed.is_due and review.points is not None:
        # SPEC: the mean is over readings whose due time has passed; points given early
        # count from the due time on (until then the author may still change the review).
        score.note = "graded; counts from its due time"
        return score
    late_by = owed.late_by
    if late_by is not None:
        from courses.timing import humanize_delta

        score.note = f"late {humanize_delta(late_by)}: {kind.get_late_policy_display()}"
        if kind.late_policy == LatePolicy.NO_CREDIT:
            score.status, score.earned = ItemStatus.GRADED, Decimal("0")
            return score
    if review.points is None:
        score.status = ItemStatus.UNGRADED
        return score
    score.status = ItemStatus.GRADED
    score.earned = kind.earned(review.points, late_by)
    return score


def _scores(component, context, *, bonus: bool) -> dict[int, list[ItemScore]]:
    student_ids = [getattr(s, "pk", s) for s in context.students]
    result: dict[int, list[ItemScore]] = {sid: [] for sid in student_ids}
    # One plan per gradebook: the reviews and the bonus component share it.
    plan = context.once(
        f"reviews.plan.{component.course_id}",
        lambda: ReviewPlan([component.course], now=context.now, for_grading=True),
    )
    for kind in plan.kinds:
        if bonus:
            if not kind.counts_optional_as_bonus:
                continue
        elif kind.component_id != component.pk:
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


def review_scores(component, context):
    """Source "reviews": each reading a kind feeding ``component`` asks for
    (optional readings excluded where they count as bonus). Eight queries."""
    return _scores(component, context, bonus=False)


def bonus_review_scores(component, context):
    """Source "bonus_reviews": reviews of optional readings of kinds whose
    optional reviews count as bonus; a missing one scores 0 once due."""
    return _scores(component, context, bonus=True)


# --- course file ---

KEY = "review_kinds"


def export_kinds(course):
    kinds = list(
        ReviewKind.objects.filter(course=course)
        .select_related("component")
        .prefetch_related("overrides__session")
    )
    if not kinds:
        return None
    data = []
    for kind in kinds:
        due = {"kind": kind.due_kind}
        if kind.due_kind == DueKind.BEFORE:
            due.update(days_before=kind.due_days_before, at=kind.due_time.strftime("%H:%M"))
        else:
            due["hours_after"] = kind.due_hours_after
        late = {"policy": kind.late_policy}
        if kind.late_policy == LatePolicy.PENALTY:
            late["percent_per_day"] = str(kind.late_penalty_percent)
        item = {
            "name": kind.name,
            "slug": kind.slug,
            "written_by": kind.written_by,
            "readings": kind.readings,
            "due": due,
            "late": late,
            "max_points": str(kind.max_points),
            "component": kind.component.name if kind.component else None,
            "optional_as_bonus": kind.counts_optional_as_bonus,
            "peer_visibility": kind.peer_visibility,
            "prompts": kind.prompts,
        }
        overrides = [
            # Local time in the course's zone, like every instant in the file: cloning
            # shifts the date and keeps 23:59 local across a DST change.
            {"session": o.session.date.isoformat(), "due_at": format_instant(o.due_at, course.tz)}
            for o in kind.overrides.all()
        ]
        if overrides:
            item["overrides"] = overrides
        data.append(item)
    return data


def _choice(value, choices, path, default):
    if value is None:
        return default
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise CourseFileError(path, f"{value!r} is not one of: {allowed}")
    return value


def load_kinds(course, data):
    """Create or update the course's review kinds (matched by slug); a kind left
    out of the file is deleted, unless reviews were written against it."""
    if data is None:
        data = []
    if not isinstance(data, list):
        raise CourseFileError(KEY, "expected a list of review kinds")
    components = {c.name: c for c in course.components.all()}
    seen = []
    for i, item in enumerate(data):
        path = f"{KEY}[{i}]"
        if not isinstance(item, dict) or not item.get("name"):
            raise CourseFileError(path, "each review kind needs a name")
        slug = item.get("slug") or slugify(item["name"])[:40]
        kind = ReviewKind.objects.filter(course=course, slug=slug).first() or ReviewKind(
            course=course, slug=slug
        )
        kind.name = item["name"]
        kind.order = i
        try:
            validate_prompts(item.get("prompts"))
        except ValidationError as error:
            raise CourseFileError(f"{path}.prompts", " ".join(error.messages)) from None
        kind.prompts = item["prompts"]
        kind.written_by = _choice(
            item.get("written_by"), WrittenBy, f"{path}.written_by", "student"
        )
        kind.readings = _choice(item.get("readings"), ReadingScope, f"{path}.readings", "all")
        kind.peer_visibility = _choice(
            item.get("peer_visibility"), PeerVisibility, f"{path}.peer_visibility", "nobody"
        )
        due = item.get("due") or {}
        kind.due_kind = _choice(due.get("kind"), DueKind, f"{path}.due.kind", "before")
        try:
            kind.due_days_before = int(due.get("days_before", 1))
            kind.due_hours_after = int(due.get("hours_after", 24))
            kind.due_time = time.fromisoformat(str(due.get("at", "23:59")))
        except (TypeError, ValueError):
            raise CourseFileError(
                f"{path}.due", "days_before/hours_after are whole numbers, at is HH:MM"
            ) from None
        late = item.get("late") or {}
        kind.late_policy = _choice(
            late.get("policy"), LatePolicy, f"{path}.late.policy", "no_credit"
        )
        try:
            kind.late_penalty_percent = Decimal(str(late.get("percent_per_day", "10")))
            kind.max_points = Decimal(str(item.get("max_points", "1")))
        except InvalidOperation:
            raise CourseFileError(path, "max_points and percent_per_day are numbers") from None
        name = item.get("component")
        if name:
            if name not in components:
                raise CourseFileError(
                    f"{path}.component",
                    f"no grade component named {name!r} in this course (define it under components)",
                )
            kind.component = components[name]
        else:
            kind.component = None
        kind.counts_optional_as_bonus = bool(item.get("optional_as_bonus", False))
        try:
            kind.full_clean(exclude=["course"])
        except ValidationError as error:
            raise CourseFileError(path, "; ".join(error.messages)) from None
        kind.save()
        _load_overrides(course, kind, item.get("overrides") or [], f"{path}.overrides")
        seen.append(kind.pk)
    for kind in ReviewKind.objects.filter(course=course).exclude(pk__in=seen):
        try:
            kind.delete()
        except ProtectedError:
            raise CourseFileError(
                KEY, f"review kind {kind.slug!r} has reviews; it cannot be removed"
            ) from None


def _load_overrides(course, kind, overrides, path):
    keep = []
    for j, row in enumerate(overrides):
        try:
            date = datetime.fromisoformat(str(row["session"])).date()
            due = datetime.fromisoformat(str(row["due_at"]))
        except (KeyError, TypeError, ValueError):
            raise CourseFileError(
                f"{path}[{j}]", "needs session (YYYY-MM-DD) and due_at (ISO date-time)"
            ) from None
        if due.tzinfo is None:
            due = due.replace(tzinfo=course.tz)
        sessions = list(course.sessions.filter(date=date)[:2])
        if len(sessions) != 1:
            raise CourseFileError(f"{path}[{j}].session", f"no single session on {date}")
        override, _ = DueOverride.objects.update_or_create(
            kind=kind, session=sessions[0], defaults={"due_at": due}
        )
        keep.append(override.pk)
    DueOverride.objects.filter(kind=kind).exclude(pk__in=keep).delete()

"""What claims adds to the course core (courses.plugins): the board in the menu, claim
and slides due items, the presentation grade source, and its part in course-file imports."""

from collections import defaultdict

from django.db import models, transaction
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimEvent, Preference, Slides
from claims.services import tell_moved_presenters
from courses.deadlines import DueItem
from courses.models import Membership, Role
from courses.navigation import NavItem
from grading.engine import GradeContext, ItemScore, ItemStatus
from teams.models import TeamMember

nav_items = [
    NavItem(
        "Claims",
        "claims:board",
        lambda course, role: course.uses_claims and role is not None,
        order=20,
    ),
    NavItem(
        "Preferences",
        "claims:preferences",
        lambda course, role: course.by_preference and role is not None,
        order=21,
    ),
]


def due_items(user, courses) -> list[DueItem]:
    """courses.deadlines provider: the claim window closing (for students while it is
    open or upcoming), and each presenter's presentation and slides due time.
    Three queries whatever the number of courses."""
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
        .of_user(user)
        .select_related("reading__paper", "reading__session")
        .annotate(has_slides=Exists(Slides.objects.filter(reading=OuterRef("reading_id"))))
    )
    holding = {c.course_id for c in claims}
    items = [
        DueItem(
            course=course,
            title="Paper claims close",
            due_at=course.claims_close_at,
            url=reverse("claims:board", args=[course.code]),
            kind="claims",
            done=course.pk in holding,
            uid=f"claims-close-{course.pk}",
        )
        for course in (by_id[pk] for pk in student_in)
        if not course.by_preference and course.claims_close_at and now < course.claims_close_at
    ]
    items += _ranking_items(user, [by_id[pk] for pk in student_in], now)
    for claim in claims:
        items += _presenter_items(claim, by_id[claim.course_id])
    return items


def _ranking_items(user, courses, now) -> list[DueItem]:
    """ "Rank papers" while a course's preference window is open or upcoming; done once the
    student (or their team) saved a ranking. One query, none without such a course."""
    courses = [c for c in courses if c.by_preference and now < (c.preferences_close_at or now)]
    if not courses:
        return []
    ranked = set(
        Preference.objects.filter(course__in=courses)
        .filter(Q(student=user) | Q(team__members__user=user))
        .values_list("course_id", flat=True)
    )
    return [
        DueItem(
            course=course,
            title="Rank papers to present",
            due_at=course.preferences_close_at,
            url=reverse("claims:preferences", args=[course.code]),
            kind="claims",
            done=course.pk in ranked,
            uid=f"preferences-close-{course.pk}",
        )
        for course in courses
    ]


def _presenter_items(claim, course) -> list[DueItem]:
    """A presenter's presentation and, where the course sets it, their slides' due time."""
    session = claim.reading.session
    session.course = course
    items = [
        DueItem(
            course=course,
            title=f"Your presentation: {claim.reading.paper}",
            due_at=session.starts_at(),
            url=reverse("claims:board", args=[course.code]),
            kind="presentation",
            uid=f"presentation-{claim.pk}",
        )
    ]
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


# A claim that is active, or graded, is work an import must not drop; a withdrawn one is
# history, kept in the claim events.
reading_work = {
    Claim: Q(withdrawn_at__isnull=True) | Q(points__isnull=False) | ~Q(feedback=""),
    Preference: Q(pk__in=[]),  # a ranking is not work: a removed reading leaves it
}


SOMEONE_ELSE = ("someone", 0)  # a presenter the caller did not ask about


def presenters(course_ids, holders=None) -> dict[int, set[tuple[str, int]]]:
    """Who presents each reading of these courses: its active claims' holders. One query.

    ``holders`` (a student's pages): only these authors are named; any other presenter
    is SOMEONE_ELSE, which is all such a page needs (is the reading presented at all?).
    Then it reads one row per presented reading, not one per claim of the class."""
    found: dict[int, set[tuple[str, int]]] = defaultdict(set)
    claims = Claim.objects.active().filter(course__in=course_ids)
    if holders is None:
        for claim in claims.only("reading", "student", "team"):
            who = ("team", claim.team_id) if claim.team_id else ("student", claim.student_id)
            found[claim.reading_id].add(who)
        return found
    students = [pk for kind, pk in holders if kind == "student"]
    teams = [pk for kind, pk in holders if kind == "team"]
    mine = Q(student_id__in=students) | Q(team_id__in=teams)
    rows = (
        claims.annotate(
            who_kind=Case(
                When(mine & Q(team__isnull=False), then=Value("team")),
                When(mine, then=Value("student")),
                default=Value(SOMEONE_ELSE[0]),
            ),
            who_id=Case(
                When(mine, then=Coalesce("team_id", "student_id")),
                default=Value(SOMEONE_ELSE[1]),
            ),
        )
        .values_list("reading_id", "who_kind", "who_id")
        .distinct()
    )
    for reading_id, kind, pk in rows:
        found[reading_id].add((kind, pk))
    return found


def reading_prefetches() -> list[Prefetch]:
    """Presenters (holders loaded) and slides of each reading, for the schedule pages."""
    return [
        Prefetch(
            "claims",
            queryset=Claim.objects.active().with_holders().order_by("seat", "claimed_at"),
            to_attr="active_claims",
        ),
        Prefetch(
            "slides",
            queryset=Slides.objects.order_by("-uploaded_at", "-id"),
            to_attr="all_slides",
        ),
    ]


def readings_removed(readings) -> dict[int, str]:
    """An import removes these readings (none has work attached): their withdrawn claims
    go, their claim events stay with the paper's title and session date."""
    withdrawn = dict(
        Claim.objects.filter(reading__in=readings)
        .values("reading_id")
        .annotate(n=models.Count("id"))
        .values_list("reading_id", "n")
    )
    for reading in readings:
        ClaimEvent.objects.filter(reading=reading, paper_title="").update(
            paper_title=reading.paper.title[:300], session_date=reading.session.date
        )
    Claim.objects.filter(reading__in=readings).delete()
    return {
        pk: f"{n} withdrawn claim{'s' if n > 1 else ''}: kept in the claims audit"
        for pk, n in withdrawn.items()
    }


def readings_moved(moved):
    """An import moved readings: name their presenters ("claim by Alice Liu"), and once the
    import commits (never on a dry run, which rolls back) tell presenters whose reading
    moved to another date. Returns (phrases by reading id, the models named)."""
    readings = [reading for reading, _ in moved]
    holders: dict[int, list[str]] = defaultdict(list)
    for claim in (
        Claim.objects.active()
        .filter(reading__in=readings)
        .with_holders()
        .order_by("reading_id", "seat")
    ):
        holders[claim.reading_id].append(str(claim.holder))
    phrases = {
        pk: f"claim{'s' if len(names) > 1 else ''} by {' and '.join(names)}"
        for pk, names in holders.items()
    }
    dated = [
        (reading, old.date, reading.session.date)
        for reading, old in moved
        if reading.pk in holders and old.date != reading.session.date
    ]
    if dated:
        # A mail server that is down is logged and does not undo the import.
        transaction.on_commit(lambda: tell_moved_presenters(dated), robust=True)
    return phrases, (Claim,)


def presentation_scores(component, context: GradeContext) -> dict[int, list[ItemScore]]:
    """Source "presentation": points on the student's (or their team's) active claims, one
    item per claim, out of the component's ``max_points``: graded once staff put points on
    the claim; before the session starts it is upcoming; after it started without points
    it is ungraded. A student with no claim gets one "no paper claimed" item: missing once
    the claim window has closed, upcoming before. One or two queries."""
    course, students, now = component.course, context.students, context.now
    ids = {s.pk for s in students}
    team_of: dict[int, int] = {}
    if course.presents_by_team:
        team_of = dict(
            TeamMember.objects.filter(course=course, user_id__in=ids).values_list(
                "user_id", "team_id"
            )
        )
    claims = (
        Claim.objects.active()
        .filter(course=course)
        .select_related("reading__session", "reading__paper")
        .order_by("reading__session__date", "id")
    )
    if context.for_students:  # one student's page: their claims only, not the class's
        claims = claims.filter(Q(student_id__in=ids) | Q(team_id__in=set(team_of.values())))
    by_student: dict[int, list] = defaultdict(list)
    by_team: dict[int, list] = defaultdict(list)
    for claim in claims:
        claim.reading.session.course = course
        if claim.student_id:
            by_student[claim.student_id].append(claim)
        else:
            by_team[claim.team_id].append(claim)
    board = reverse("claims:board", args=[course.code])
    closed = course.claims_state(now) == "closed"
    result = {}
    for student in students:
        held = by_student.get(student.pk, []) + by_team.get(team_of.get(student.pk), [])
        items = [_presentation_item(c, component, now, board) for c in held]
        if not items:
            items = [
                ItemScore(
                    label="No paper claimed",
                    possible=component.max_points,
                    status=ItemStatus.MISSING if closed else ItemStatus.UPCOMING,
                    url=board,
                    note="the claim window has closed" if closed else "claim a paper to present",
                )
            ]
        result[student.pk] = items
    return result


def _presentation_item(claim, component, now, board) -> ItemScore:
    starts = claim.reading.session.starts_at()
    label = f"Presentation: {claim.reading.paper.title}"
    url = f"{board}#reading-{claim.reading_id}"
    if claim.points is not None:
        return ItemScore(
            label,
            component.max_points,
            ItemStatus.GRADED,
            claim.points,
            starts,
            url,
            claim.feedback,
        )
    status = ItemStatus.UNGRADED if now >= starts else ItemStatus.UPCOMING
    return ItemScore(label, component.max_points, status, None, starts, url)


grade_sources = {"presentation": presentation_scores}


def staff_work(courses, now):
    """Presentations given (the session has started) that have no points yet. One query;
    links to those claims in the admin."""
    from django.db.models import Count
    from django.template.defaultfilters import pluralize
    from django.urls import reverse

    from courses.staffwork import LATEST_LOCAL, WorkItem, course_today

    by_id = {course.pk: course for course in courses}
    rows = (
        Claim.objects.active()
        .filter(
            course__in=list(by_id),
            points__isnull=True,
            reading__session__date__lt=(now + LATEST_LOCAL).date(),
        )
        .values_list("course_id", "reading__session__date")
        .annotate(waiting=Count("id"))
    )
    waiting: dict[int, int] = {}
    for course_id, day, count in rows:
        if day < course_today(by_id[course_id], now):  # presented before today, locally
            waiting[course_id] = waiting.get(course_id, 0) + count
    claims = reverse("admin:claims_claim_changelist")
    return [
        WorkItem(
            course=by_id[course_id],
            label=f"Grade: {count} presentation{pluralize(count)}",
            count=count,
            url=f"{claims}?course__id__exact={course_id}",
            order=(),
        )
        for course_id, count in sorted(waiting.items())
    ]

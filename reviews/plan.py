"""Who owes which review, and when: computed for many courses and people in a
fixed number of queries.

A ``ReviewPlan`` loads a set of courses' review kinds, readings, presenters,
due-time overrides, extensions, team memberships and reviews (one query each)
and answers in memory: which (kind, reading) an author owes, when it is due
(``courses.timing.due_at`` + override + extension) and how it stands.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from courses import plugins
from courses.models import Membership, Reading, Role, SessionKind
from courses.timing import due_at, humanize_delta
from grading.models import ComponentSource, GradeComponent
from reviews.models import (
    DueOverride,
    Extension,
    PeerVisibility,
    ReadingScope,
    Review,
    ReviewKind,
)
from teams.models import TeamMember

# An author is ("student", user_id) or ("team", team_id).
Author = tuple[str, int]


def author_of(review: Review) -> Author:
    return ("team", review.team_id) if review.team_id else ("student", review.student_id)


@dataclass
class Owed:
    """One review an author owes (or wrote): the kind, the reading, its due time."""

    kind: ReviewKind
    reading: Reading
    author: Author
    due_at: datetime
    review: Review | None
    now: datetime
    # The write page's URL when the plan built it already (one reverse() per course).
    prepared_url: str | None = field(default=None, repr=False, compare=False)
    # Whether the author may see the points: set by mark_points_visibility().
    points_visible: bool = field(default=False, compare=False)

    @property
    def submitted(self) -> bool:
        return self.review is not None

    @property
    def is_due(self) -> bool:
        return self.now >= self.due_at

    @property
    def late_by(self) -> timedelta | None:
        return self.review.late_by(self.due_at) if self.review else None

    @property
    def earned(self):
        if self.review is None:
            return None
        return self.kind.earned(self.review.points, self.late_by)

    @property
    def status(self) -> str:
        """upcoming | missing | excused | graded | late | submitted."""
        review = self.review
        if review is None:
            return "missing" if self.is_due else "upcoming"
        if review.is_excused:
            return "excused"
        if review.points is not None:
            return "graded"
        if self.late_by is not None:
            return "late"
        return "submitted"

    @property
    def editable(self) -> bool:
        """Until the due time; after it only a late (or new) review, never a graded one."""
        review = self.review
        if review is None:
            return True
        if review.points is not None or review.is_excused:
            return False
        return not self.is_due or self.late_by is not None

    def status_line(self) -> str:
        """'Saved at … (on time).' or 'Submitted 2 h 14 min late (…).'; '' if not submitted."""
        if self.review is None:
            return ""
        local = self.review.submitted_at.astimezone(self.kind.course.tz)
        when = f"{local:%a %b %-d, %-I:%M %p %Z}"
        late_by = self.late_by
        if late_by is not None:
            return f"Submitted {humanize_delta(late_by)} late (saved {when})."
        return f"Saved at {when} (on time)."

    @property
    def url(self) -> str:
        if self.prepared_url is not None:
            return self.prepared_url
        url = reverse("reviews:write", args=[self.kind.course.code, self.reading.pk])
        return f"{url}?kind={self.kind.slug}"


@dataclass
class DigestSection:
    """One kind's part of a reading's digest."""

    kind: ReviewKind
    due_at: datetime
    owed_count: int = 0
    missing: list = field(default_factory=list)  # authors who owe it and have not submitted
    reviews: list = field(default_factory=list)  # {"review", "answers", "late_by"}
    questions: list = field(default_factory=list)  # {"author", "text"}


class DueTimes:
    """Overrides and extensions of some courses (two queries), to compute due times.

    Base due times are computed once per (kind, session); extensions are indexed by
    author, so a gradebook's 20,000 due times cost dictionary lookups.
    """

    def __init__(self, course_ids):
        self.overrides = {
            (o.kind_id, o.session_id): o.due_at
            for o in DueOverride.objects.filter(kind__course__in=course_ids)
        }
        self.extensions = list(
            Extension.objects.filter(course__in=course_ids).select_related("course")
        )
        self._by_author: dict[tuple[int, str, int], list[Extension]] = {}
        for ext in self.extensions:
            if ext.student_id is not None:
                self._by_author.setdefault((ext.course_id, "student", ext.student_id), []).append(
                    ext
                )
            if ext.team_id is not None:
                self._by_author.setdefault((ext.course_id, "team", ext.team_id), []).append(ext)
        self._base: dict[tuple[int, int], datetime] = {}

    def authors_with_extensions(self, course_id: int) -> list[Author]:
        """The authors of ``course_id`` with at least one extension."""
        return [(who, ident) for course, who, ident in self._by_author if course == course_id]

    def base(self, kind: ReviewKind, reading: Reading) -> datetime:
        """The due time for everyone: the session override, else the kind's policy."""
        key = (kind.pk, reading.session_id)
        due = self._base.get(key)
        if due is None:
            due = self.overrides.get(key) or due_at(kind.policy, reading.session)
            self._base[key] = due
        return due

    def for_author(self, kind: ReviewKind, reading: Reading, author: Author) -> datetime:
        """The base due time, moved later by the latest extension matching the author."""
        due = self.base(kind, reading)
        who, ident = author
        for ext in self._by_author.get((kind.course_id, who, ident), ()):
            if (ext.kind_id is None or ext.kind_id == kind.pk) and (
                ext.reading_id is None or ext.reading_id == reading.pk
            ):
                due = ext.extends(due, ext.course.tz)
        return due


# What grading reads of a review (reviews.integration.item_score and Review.late_by).
GRADING_FIELDS = (
    "pk", "kind_id", "reading_id", "student_id", "team_id", "submitted_at", "is_excused", "points",
)  # fmt: skip


@dataclass(slots=True)
class GradedReview:
    """A review as grading reads it (GRADING_FIELDS), loaded as a tuple: a class of 500
    students has tens of thousands of reviews, and a model instance each costs more than
    everything grading then does with them."""

    pk: int
    kind_id: int
    reading_id: int
    student_id: int | None
    team_id: int | None
    submitted_at: datetime
    is_excused: bool
    points: object  # Decimal | None

    def late_by(self, due: datetime) -> timedelta | None:
        return Review.late_by(self, due)


class ReviewPlan:
    def __init__(
        self, courses, *, users=None, now=None, for_grading=False, reading_ids=None, reviews=True
    ):
        """Load the courses' review data. ``users``: only their reviews and teams
        (a student's pages); None: everybody's (digest, grading, reminders).
        ``for_grading``: only the review fields grading reads (GRADING_FIELDS), no
        answers or author objects (a big course has tens of thousands of reviews).
        ``reading_ids``: only the reviews of these readings (one reading's digest).
        ``reviews=False``: everything but the reviews (reviews.sums adds them up in SQL).
        Seven queries whatever the number of courses, readings or people."""
        self.now = now or timezone.now()
        self._write_urls: dict[int, str] = {}
        self.courses = {c.pk: c for c in courses}
        ids = list(self.courses)
        self.kinds = list(ReviewKind.objects.filter(course__in=ids).select_related("component"))
        for kind in self.kinds:
            kind.course = self.courses[kind.course_id]
        self.readings = list(
            Reading.objects.filter(course__in=ids)
            .exclude(session__kind__in=[SessionKind.HOLIDAY, SessionKind.DEADLINE])
            .select_related("session", "paper")
        )
        for reading in self.readings:
            reading.session.course = self.courses[reading.course_id]
            reading.course = self.courses[reading.course_id]
        self.due_times = DueTimes(ids)
        members = TeamMember.objects.filter(course__in=ids)
        if users is not None:
            members = members.filter(user__in=users)
        self.team_of: dict[tuple[int, int], int] = {}
        self.team_members: dict[int, list[int]] = {}
        for m in members.only("course", "team", "user"):
            self.team_of[(m.course_id, m.user_id)] = m.team_id
            self.team_members.setdefault(m.team_id, []).append(m.user_id)
        # Who presents each reading (claims, through the ``presenters`` hook); for some
        # users' pages, only those users (and their teams) by name.
        holders = None
        if users is not None:
            holders = {("student", u.pk) for u in users}
            holders |= {("team", team_id) for team_id in self.team_of.values()}
        self.presenters: dict[int, set[Author]] = {}
        for found in plugins.call("presenters", ids, holders=holders):
            for reading_id, found_holders in found.items():
                self.presenters.setdefault(reading_id, set()).update(found_holders)
        self.reviews: dict[tuple[int, int, Author], Review | GradedReview] = {}
        if not reviews:
            return
        reviews = Review.objects.filter(kind__course__in=ids)
        if not for_grading:
            reviews = reviews.select_related("student", "team")
        if reading_ids is not None:
            reviews = reviews.filter(reading__in=list(reading_ids))
        if users is not None:
            user_ids = [u.pk for u in users]
            reviews = reviews.filter(
                Q(student__in=user_ids) | Q(team__in=set(self.team_of.values()))
            )
        if for_grading:
            reviews = (GradedReview(*row) for row in reviews.values_list(*GRADING_FIELDS))
        self.reviews = {(r.kind_id, r.reading_id, author_of(r)): r for r in reviews}

    # --- who owes what ---

    def author_for(self, kind: ReviewKind, user_id: int) -> Author | None:
        if kind.by_team:
            team_id = self.team_of.get((kind.course_id, user_id))
            return ("team", team_id) if team_id else None
        return ("student", user_id)

    def applies(self, kind: ReviewKind, reading: Reading, author: Author | None = None) -> bool:
        """Does ``kind`` ask for a review of ``reading`` (from ``author``, for "own")?"""
        if reading.course_id != kind.course_id or reading.paper.is_placeholder:
            return False
        scope = kind.readings
        if scope == ReadingScope.REQUIRED:
            return reading.required
        if scope == ReadingScope.OPTIONAL:
            return not reading.required
        if scope == ReadingScope.PRESENTED:
            # Presenters do not write questions for their own reading ("the rest of the class").
            presenters = self.presenters.get(reading.pk)
            if not presenters:
                return False
            return author is None or not self.presents(author, reading.course_id, presenters)
        if scope == ReadingScope.OWN:
            # Without an author: does anybody owe it (is the reading presented)?
            presenters = self.presenters.get(reading.pk, ())
            return author in presenters if author is not None else bool(presenters)
        return True

    def presents(self, author: Author, course_id: int, presenters: set[Author]) -> bool:
        """Is the author (or, for a student, their team) among the presenters?"""
        if author in presenters:
            return True
        team_id = self.team_of.get((course_id, author[1])) if author[0] == "student" else None
        return team_id is not None and ("team", team_id) in presenters

    def owed(self, kind: ReviewKind, reading: Reading, author: Author) -> Owed:
        return Owed(
            kind=kind,
            reading=reading,
            author=author,
            due_at=self.due_times.for_author(kind, reading, author),
            review=self.reviews.get((kind.pk, reading.pk, author)),
            now=self.now,
            prepared_url=self.write_url(kind, reading),
        )

    def write_url(self, kind: ReviewKind, reading: Reading) -> str:
        """The write page of ``reading`` for ``kind``: one reverse() per course, then
        string formatting (the same URL reverse() gives)."""
        template = self._write_urls.get(kind.course_id)
        if template is None:
            sample = reverse("reviews:write", args=[kind.course.code, 0])
            head, tail = sample.rsplit("/0/", 1)
            template = self._write_urls[kind.course_id] = (
                head + "/{reading}/" + tail + "?kind={kind}"
            )
        return template.format(reading=reading.pk, kind=kind.slug)

    def owed_by_user(self, course, user_id: int) -> list[Owed]:
        """Everything the user (or their team) owes in ``course``, by due time."""
        items = []
        for kind in self.kinds:
            if kind.course_id != course.pk:
                continue
            author = self.author_for(kind, user_id)
            if author is None:
                continue
            for reading in self.readings:
                if self.applies(kind, reading, author):
                    items.append(self.owed(kind, reading, author))
        return sorted(items, key=lambda o: (o.due_at, o.kind.order, o.reading.order))

    def authors_of_course(self, kind: ReviewKind, student_ids: list[int]) -> list[Author]:
        if kind.by_team:
            teams = {
                self.team_of[(kind.course_id, s)]
                for s in student_ids
                if (kind.course_id, s) in self.team_of
            }
            return [("team", t) for t in sorted(teams)]
        return [("student", s) for s in student_ids]

    def choices(self, reading: Reading, user_id: int) -> list[Owed]:
        """The reviews of ``reading`` the user (or their team) owes, one per kind."""
        result = []
        for kind in self.kinds:
            author = self.author_for(kind, user_id)
            if author is not None and self.applies(kind, reading, author):
                result.append(self.owed(kind, reading, author))
        return result

    def owed_count(self, kind: ReviewKind, reading: Reading, student_ids: list[int]) -> int:
        return sum(
            1
            for author in self.authors_of_course(kind, student_ids)
            if self.applies(kind, reading, author)
        )

    def submitted_count(self, kind: ReviewKind, reading: Reading, student_ids: list[int]) -> int:
        return sum(
            1
            for author in self.authors_of_course(kind, student_ids)
            if self.applies(kind, reading, author) and (kind.pk, reading.pk, author) in self.reviews
        )

    def user_presents(self, reading: Reading, user_id: int) -> bool:
        presenters = self.presenters.get(reading.pk, set())
        return self.presents(("student", user_id), reading.course_id, presenters)

    def digest_opens_at(
        self, kind: ReviewKind, reading: Reading, user_id: int, *, privileged: bool
    ) -> datetime | None:
        """When the user may read all of ``kind``'s reviews of ``reading``; None: never.

        Presenters and staff (``privileged``): at the due time. Classmates: as the
        kind's peer_visibility allows, and not before their own (extended) due time.
        """
        due = self.due_times.base(kind, reading)
        if privileged:
            return due
        if kind.peer_visibility == PeerVisibility.NOBODY:
            return None
        mine = self.author_for(kind, user_id)
        if kind.peer_visibility == PeerVisibility.SUBMITTED and (
            (kind.pk, reading.pk, mine) not in self.reviews
        ):
            return None
        return self.due_times.for_author(kind, reading, mine) if mine else due

    def digest_section(
        self, kind: ReviewKind, reading: Reading, due: datetime, student_ids: list[int]
    ) -> DigestSection:
        """Every review of ``kind`` for ``reading`` (oldest first), questions gathered."""
        owing = [
            a for a in self.authors_of_course(kind, student_ids) if self.applies(kind, reading, a)
        ]
        section = DigestSection(
            kind=kind,
            due_at=due,
            owed_count=len(owing),
            missing=[a for a in owing if (kind.pk, reading.pk, a) not in self.reviews],
        )
        gathered = kind.gathered_prompts()
        reviews = [r for (k, rd, _), r in self.reviews.items() if k == kind.pk and rd == reading.pk]
        if reviews and isinstance(reviews[0], GradedReview):
            # A plan of tuples (the digest page): the database pages the reviews and the
            # questions, a page's rows at a time (reviews.digest_pages).
            from reviews.digest_pages import paged_questions, paged_reviews

            section.reviews = paged_reviews(self, kind, reading, len(reviews))
            section.questions = paged_questions(kind, reading, gathered)
            return section
        for review in sorted(reviews, key=lambda r: (r.submitted_at, r.pk)):
            section.reviews.append(self.digest_entry(kind, reading, review))
            for prompt in gathered:
                text = str(review.answers.get(prompt["key"], "")).strip()
                if text:
                    section.questions.append({"author": review.author_name, "text": text})
        return section

    def digest_entry(self, kind: ReviewKind, reading: Reading, review: Review) -> dict:
        """One review as the digest shows it: its answers in the kind's order, and its
        lateness against its author's due time."""
        review.kind = kind
        late_by = review.late_by(self.due_times.for_author(kind, reading, author_of(review)))
        answers = [(p["label"], review.answers.get(p["key"], "")) for p in kind.prompts]
        return {"review": review, "answers": answers, "late_by": late_by}

    def reading(self, pk: int) -> Reading | None:
        return next((r for r in self.readings if r.pk == pk), None)


def digest_readers(reading_ids) -> dict[int, set[int]]:
    """{reading id: user ids} of those who read these readings' digests as their presenters
    do, besides the presenters and staff: the ``digest_readers`` hook of every app (reviewer
    panels: the members of the session's reviewer groups). One query per such app."""
    found: dict[int, set[int]] = {}
    for part in plugins.call("digest_readers", list(reading_ids)):
        for reading_id, users in part.items():
            found.setdefault(reading_id, set()).update(users)
    return found


def course_students(course_ids) -> dict[int, list[int]]:
    """Student user ids per course (one query)."""
    result: dict[int, list[int]] = {}
    rows = Membership.objects.filter(course__in=course_ids, role=Role.STUDENT).values_list(
        "course_id", "user_id"
    )
    for course_id, user_id in rows:
        result.setdefault(course_id, []).append(user_id)
    return result


def published_components(course) -> dict[int, str]:
    """{component id: source} of the course's components its students may see. One query."""
    return dict(
        GradeComponent.objects.filter(course=course, published=True).values_list("pk", "source")
    )


def points_visible(kind, reading, published: dict[int, str]) -> bool:
    """Whether a student sees the points of their ``kind`` review of ``reading``: once the
    component it feeds is published (``published``: published_components): the kind's
    component, or for an optional reading counted as bonus, the bonus component."""
    if kind.counts_optional_as_bonus and not reading.required:
        return ComponentSource.BONUS_REVIEWS in published.values()
    return kind.component_id in published


def mark_points_visibility(course, owed_items) -> None:
    """Set ``owed.points_visible`` on each (points_visible). Staff choose what is
    published; unpublished scores stay with them."""
    published = published_components(course)
    for owed in owed_items:
        owed.points_visible = points_visible(owed.kind, owed.reading, published)

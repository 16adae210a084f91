"""Which readings have a thread, and a thread as one person sees it.

``threads_of(course)`` answers for every reading at once (for the list of threads and the
hooks); ``Thread.load`` builds one reading's thread for one viewer: its posts and replies
in one query, each with the author's name or a pseudonym as that viewer may see it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from courses import plugins
from courses.models import Reading
from discussions.models import NO_THREAD_SESSIONS, DiscussionSettings, Post, ThreadRule
from reviews.models import ReadingScope


@dataclass
class ThreadInfo:
    """A reading that has a thread: the rules that give it one, and the review kind a first
    post counts as (None: posts count as nothing)."""

    reading: Reading
    rules: list = field(default_factory=list)

    @property
    def counting_kind(self):
        return next((r.kind for r in self.rules if r.counts_as_review), None)


def course_rules(course) -> list[ThreadRule]:
    """The course's thread rules with their kinds and sessions (one query, kept on it)."""
    if not hasattr(course, "_thread_rules"):
        course._thread_rules = list(
            ThreadRule.objects.filter(course=course).select_related("kind", "session")
        )
    return course._thread_rules


def _presented(course, rules) -> set[int]:
    """Ids of readings with an active claim, asked only when a rule's kind needs them."""
    if not any(r.kind_id and r.kind.readings in (ReadingScope.PRESENTED, ReadingScope.OWN)
               for r in rules):  # fmt: skip
        return set()
    found: set[int] = set()
    for presenters in plugins.call("presenters", [course.pk]):
        found.update(reading_id for reading_id, holders in presenters.items() if holders)
    return found


def _threaded(readings, rules, presented) -> dict[int, ThreadInfo]:
    result = {}
    for reading in readings:
        if reading.paper.is_placeholder or reading.session.kind in NO_THREAD_SESSIONS:
            continue
        covering = [r for r in rules if r.covers(reading, presented)]
        if covering:
            result[reading.pk] = ThreadInfo(reading, covering)
    return result


def threads_of(course) -> dict[int, ThreadInfo]:
    """{reading id: ThreadInfo} of every reading of ``course`` with a thread, in schedule
    order. Two queries (three when a rule's kind is about presented readings); none
    past the first when the course has no rules."""
    rules = course_rules(course)
    if not rules:
        return {}
    readings = Reading.objects.filter(course=course).select_related("session", "paper")
    for reading in readings:
        reading.course = reading.session.course = course
    return _threaded(readings, rules, _presented(course, rules))


def thread_of(course, reading_pk) -> ThreadInfo | None:
    """The thread of one reading of ``course``, or None (no such reading, or no thread)."""
    rules = course_rules(course)
    if not rules or not str(reading_pk).isdigit():
        return None
    reading = (
        Reading.objects.filter(course=course, pk=reading_pk)
        .select_related("session", "paper")
        .first()
    )
    if reading is None:
        return None
    reading.course = reading.session.course = course
    return _threaded([reading], rules, _presented(course, rules)).get(reading.pk)


def has_posted(user, reading) -> bool:
    """Whether ``user`` has a post (not only replies) in ``reading``'s thread. One query."""
    return Post.objects.top_level().filter(reading=reading, author=user).exists()


@dataclass
class Thread:
    """One reading's thread as one viewer sees it.

    ``posts``: top-level posts, pinned first, then oldest first; each with ``replies``
    (oldest first) and ``shown_author``, ``is_new``, ``is_staff_author``, ``editable``.
    When the course shows others only after posting and the viewer (a student) has not
    posted, ``posts`` holds nothing of classmates: ``hidden`` says how many there are.
    """

    info: ThreadInfo
    settings: DiscussionSettings
    posts: list
    post_count: int
    reply_count: int
    new_count: int
    hidden: int
    viewer_posted: bool
    seen_at: datetime | None

    @classmethod
    def load(cls, info, *, viewer, is_staff, staff_ids, now, seen_at) -> "Thread":
        """Two queries: the course's settings (cached on the course) and every post of
        the thread with its author and endorser."""
        course = info.reading.course
        rules = DiscussionSettings.of(course)
        every = list(
            Post.objects.filter(reading=info.reading)
            .select_related("author", "endorsed_by")
            .order_by("created_at", "id")
        )
        top = [p for p in every if p.parent_id is None]
        replies = defaultdict(list)
        for post in every:
            if post.parent_id is not None:
                replies[post.parent_id].append(post)
        posted = any(p.author_id == viewer.pk for p in top)
        pseudonyms = _pseudonyms(every, staff_ids)
        for post in every:
            post.is_staff_author = post.author_id in staff_ids
            post.shown_author = _shown_author(post, viewer, is_staff, pseudonyms)
            # Everything by others is new on a first visit, as the list of threads counts it.
            post.is_new = post.author_id != viewer.pk and (
                seen_at is None or post.created_at > seen_at
            )
            post.editable = post.editable_by(viewer, now, rules.edit_window)
            post.editable_until = post.created_at + rules.edit_window
            post.shown_replies = replies.get(post.pk, [])
        visible = top
        hidden = 0
        if rules.see_after_posting and not is_staff and not posted:
            visible = []  # none is the viewer's: they have not posted
            hidden = len({p.author_id for p in top})  # classmates, not posts
        visible.sort(key=lambda p: (not p.pinned, p.created_at, p.pk))
        shown = visible + [r for p in visible for r in p.shown_replies]
        return cls(
            info=info,
            settings=rules,
            posts=visible,
            post_count=len(top),
            reply_count=len(every) - len(top),
            new_count=sum(1 for p in shown if p.is_new),
            hidden=hidden,
            viewer_posted=posted,
            seen_at=seen_at,
        )


def _pseudonyms(posts, staff_ids) -> dict[int, int]:
    """{author id: n} for the students who posted anonymously, numbered in the order of
    their first anonymous post in this thread (so "Anonymous 2" is one person throughout
    the thread, and says nothing about other threads)."""
    numbers: dict[int, int] = {}
    for post in posts:
        if post.anonymous and post.author_id not in staff_ids and post.author_id not in numbers:
            numbers[post.author_id] = len(numbers) + 1
    return numbers


def _shown_author(post, viewer, is_staff, pseudonyms) -> str:
    """What the viewer reads as the post's author: staff always read the name; the author
    reads "You"; classmates read the name, or "Anonymous n" for an anonymous post."""
    name = post.author.name or post.author.email
    if is_staff:
        return f"{name} (anonymous to classmates)" if post.anonymous else name
    if post.author_id == viewer.pk:
        return "You (anonymous to classmates)" if post.anonymous else "You"
    if post.anonymous and post.author_id in pseudonyms:
        return f"Anonymous {pseudonyms[post.author_id]}"
    return name

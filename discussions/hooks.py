"""What discussion threads add to the course core (courses.plugins): the Discussion page in
the menu of courses that have threads, the course file's "discussions" section, the link
from a reading's digest to its thread, and the review form handing over to the thread
where a post is the review."""

from django.db.models import Q

from courses.navigation import NavItem
from discussions import coursefile
from discussions.models import Post, ThreadVisit
from discussions.services import thread_url
from discussions.threads import course_rules, has_posted, thread_of


def nav_visible(course, role) -> bool:
    """Members of a course with thread rules (one query, cached on the course and shared
    with the thread pages and the digest's link)."""
    return role is not None and bool(course_rules(course))


nav_items = [NavItem("Discussion", "discussions:threads", nav_visible, order=35)]
coursefile_sections = [coursefile.SECTION]
# Posts are work an import must not drop with their reading; who last read a thread is not.
reading_work = {ThreadVisit: Q(pk__in=[])}


def review_elsewhere(owed) -> str | None:
    """The thread's address when a post there is ``owed``'s review (the review form then
    sends the student to the thread); None otherwise."""
    info = thread_of(owed.kind.course, owed.reading.pk)
    if info is None or info.counting_kind is None or info.counting_kind.pk != owed.kind.pk:
        return None
    return thread_url(info.reading)


def digest_page(access, reading, sections, user) -> dict:
    """Extra context for a reading's digest: a link to its thread, and where posts are the
    reviews, the thread's rules kept: a review that is an anonymous post shows no name to
    a student (a presenter is a classmate), and under "see others only after posting" a
    student who has not posted reads no post's text here either."""
    from discussions.models import DiscussionSettings

    info = thread_of(access.course, reading.pk)
    if info is None:
        return {}
    context = {"thread_link": thread_url(reading)}
    kind = info.counting_kind
    if kind is None or access.is_staff:
        return context
    section = next((s for s in sections if s.kind.pk == kind.pk), None)
    if section is None:
        return context
    if DiscussionSettings.of(access.course).see_after_posting and not has_posted(user, reading):
        sections.remove(section)
        context["thread_note"] = (
            f"The {kind.name.lower()}s of this reading are posts in its thread: you read them "
            "once you have posted there."
        )
        return context
    anonymous = set(
        Post.objects.filter(reading=reading, anonymous=True, review__isnull=False).values_list(
            "review_id", flat=True
        )
    )
    if anonymous:
        _hide_names(section, anonymous)
    return context


def _hide_names(section, review_ids: set[int]) -> None:
    """Mark the section's reviews and questions that are anonymous posts (``anonymous``: the
    digest shows "A classmate"). The digest's lists are plain lists, or lists the database
    pages (a ``shape`` turning each row of a page into what the template reads): either way
    each row learns whether it is one of ``review_ids``."""
    reviews, questions = section.reviews, section.questions
    if hasattr(reviews, "shape"):
        shape_review, shape_question = reviews.shape, questions.shape
        reviews.shape = lambda review: {
            **shape_review(review),
            "anonymous": review.pk in review_ids,
        }
        questions.shape = lambda row: {
            **shape_question(row),
            "anonymous": row.get("pk") in review_ids,
        }
        return
    names = set()
    for item in reviews:
        item["anonymous"] = item["review"].pk in review_ids
        if item["anonymous"]:
            names.add(item["review"].author_name)
    for question in questions:
        question["anonymous"] = question["author"] in names

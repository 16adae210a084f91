"""Thread workflows: posting, replying, editing within the window, endorsing and pinning,
and the email that tells a post's author of a new reply (sent once, through the outbox).

Where the course counts a post as the review (``ThreadRule.counts_as_review``), a
student's first post is saved as their review of that kind for that reading through
``reviews.services.review_submit``, in the same transaction: the review gets the post's
time, so due times, extensions and the late policy apply to it exactly as to a review
written on the review form, and the gradebook, reminders and the admin's grading view see
it with nothing else to learn.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from courses import reminders
from courses.models import Reading
from discussions.models import DiscussionSettings, Post, ReplyNotice
from discussions.threads import ThreadInfo
from reviews.models import Review
from reviews.plan import ReviewPlan
from reviews.services import ReviewError, review_submit


class DiscussionError(Exception):
    """A post cannot be saved or changed; ``message`` is shown to the user next to
    ``field`` ("body", or None for the whole form)."""

    def __init__(self, message: str, field: str | None = "body"):
        super().__init__(message)
        self.message, self.field = message, field


def clean_body(body: str, rules: DiscussionSettings) -> str:
    """The text to save, or DiscussionError: not empty, not over the course's limit."""
    body = (body or "").replace("\r\n", "\n")
    if not body.strip():
        raise DiscussionError("Write something first: the post is empty.")
    if len(body) > rules.max_length:
        raise DiscussionError(
            f"The post is {len(body):,} characters long; this course allows at most "
            f"{rules.max_length:,}. Shorten it and post again: your text is kept below."
        )
    return body.strip("\n")


def _answers(kind, body: str) -> dict[str, str]:
    """The review's answers: the post's text is the answer to the kind's first prompt."""
    return {kind.prompts[0]["key"]: body}


def _owed(kind, reading, user, now):
    plan = ReviewPlan([reading.course], users=[user], now=now, reading_ids=[reading.pk])
    return next((o for o in plan.choices(reading, user.pk) if o.kind.pk == kind.pk), None)


@transaction.atomic
def post_create(
    *,
    info: ThreadInfo,
    author,
    body: str,
    anonymous: bool = False,
    parent: Post | None = None,
    is_staff: bool,
    now: datetime,
) -> Post:
    """Post to ``info``'s thread (or reply to ``parent``) at ``now``.

    Staff never post anonymously. Under "see others only after posting" a student replies
    only once they have posted. A student's first post where posts count as the review
    becomes that review (``review_submit``: its due-time rules, its refusals)."""
    reading = info.reading
    rules = DiscussionSettings.of(reading.course)
    body = clean_body(body, rules)
    if anonymous and (is_staff or not rules.allow_anonymous):
        raise DiscussionError(
            "This course does not take anonymous posts." if not is_staff
            else "Staff post under their name, never anonymously.", field="anonymous",
        )  # fmt: skip
    if parent is not None:
        if parent.reading_id != reading.pk:
            raise DiscussionError("That post is not in this thread.", field=None)
        parent = parent.parent or parent  # replies are one level deep
        if rules.see_after_posting and not is_staff:
            posted = Post.objects.top_level().filter(reading=reading, author=author).exists()
            if not posted:
                raise DiscussionError(
                    "Post in the thread first: you can reply once you have posted.", field=None
                )
    post = Post(
        reading=reading,
        parent=parent,
        author=author,
        body=body,
        anonymous=anonymous,
        created_at=now,
    )
    kind = info.counting_kind
    if kind is not None and parent is None and not is_staff:
        # First posts on a reading queue here (a double click, two members of a team posting
        # at once): the second then sees the review the first made, and is discussion.
        list(Reading.objects.select_for_update(no_key=True).filter(pk=reading.pk).values("pk"))
        owed = _owed(kind, reading, author, now)
        # A review already there is the first post's, or was written on the review form
        # before the thread counted: it is kept as it is, and this post is discussion.
        if owed is not None and owed.review is None:
            post.review = _submit(owed, author, _answers(kind, body), now)
    post.save()
    if parent is not None:
        _tell_of_reply(post, parent, is_staff=is_staff)
    return post


def _submit(owed, user, answers, now) -> Review:
    try:
        return review_submit(owed=owed, user=user, answers=answers, now=now)
    except ReviewError as error:
        raise DiscussionError(str(error), field=None) from None


@transaction.atomic
def post_edit(*, post: Post, user, body: str, now: datetime) -> Post:
    """Change ``post``'s text: its author only, within the course's edit window. A post that
    is a review is re-saved as that review (``review_submit``: a graded review, or an
    on-time one after its due time, stays as it was and the edit is refused)."""
    post = Post.objects.select_for_update().select_related("reading__course").get(pk=post.pk)
    rules = DiscussionSettings.of(post.reading.course)
    if post.author_id != user.pk:
        raise DiscussionError("Only its author can change a post.", field=None)
    if now > post.editable_until(rules.edit_window):
        raise DiscussionError(
            f"Posts can be changed for {rules.edit_minutes} minutes after posting; that time "
            "has passed. Your new text was not saved; it is still below.",
            field=None,
        )
    body = clean_body(body, rules)
    if post.review_id is not None:
        review = Review.objects.select_related("kind").get(pk=post.review_id)
        owed = _owed(review.kind, post.reading, user, now)
        if owed is not None:
            _submit(owed, user, _answers(review.kind, body), now)
    post.body, post.edited_at = body, now
    post.save(update_fields=["body", "edited_at"])
    return post


def post_moderate(*, post: Post, by, action: str, now: datetime) -> str:
    """Staff endorse or pin a post (or undo it); returns what was done, in words."""
    if action == "endorse":
        post.endorsed_by, post.endorsed_at = by, now
        post.save(update_fields=["endorsed_by", "endorsed_at"])
        return "Endorsed: classmates see the post marked as endorsed by the staff."
    if action == "unendorse":
        post.endorsed_by, post.endorsed_at = None, None
        post.save(update_fields=["endorsed_by", "endorsed_at"])
        return "The endorsement is withdrawn."
    if action in ("pin", "unpin"):
        if post.parent_id is not None:
            raise DiscussionError("Only a post, not a reply, can be pinned.", field=None)
        post.pinned = action == "pin"
        post.save(update_fields=["pinned"])
        return "Pinned: the post is shown first." if post.pinned else "Unpinned."
    raise DiscussionError("Choose endorse, unendorse, pin or unpin.", field=None)


def thread_url(reading) -> str:
    return reverse("discussions:thread", args=[reading.course.code, reading.pk])


def _tell_of_reply(reply: Post, parent: Post, *, is_staff: bool) -> None:
    """Email the author of ``parent`` that ``reply`` answers it (not when they replied to
    themselves), once: ReplyNotice's unique constraint and the queued email commit together.
    The email names staff, and never a classmate who replied anonymously."""
    recipient = parent.author
    if recipient.pk == reply.author_id or not recipient.email:
        return
    course = reply.reading.course
    if is_staff:
        who = f"{reply.author.name or reply.author.email} (staff)"
    elif reply.anonymous:
        who = "A classmate (anonymous)"
    else:
        who = reply.author.name or "A classmate"
    context = {
        "user": recipient,
        "course": course,
        "paper": reply.reading.paper,
        "who": who,
        "reply": reply,
        "link": f"{settings.SITE_URL}{thread_url(reply.reading)}#post-{reply.pk}",
    }
    reminders.send_once(
        lambda: ReplyNotice.objects.create(reply=reply, user=recipient),
        subject=f"[{course.code}] New reply to your post on “{reply.reading.paper.title}”",
        message=render_to_string("discussions/reply_email.txt", context),
        to=recipient.email,
    )

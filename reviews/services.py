"""Review workflows: saving a review under the due-time rules, sending reminders."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from courses import reminders, timing
from courses.models import Course
from reviews.models import ReminderSent, Review
from reviews.plan import Owed, ReviewPlan, course_students


class ReviewError(Exception):
    """A review cannot be saved; the message is shown to the student."""


@transaction.atomic
def review_submit(*, owed: Owed, user, answers: dict[str, str], now: datetime) -> Review:
    """Save the author's review of ``owed`` at ``now``.

    Until the due time it can be changed any number of times. A review first
    sent after the due time is saved and counts as late (each later change
    re-stamps it). An on-time review is kept as it was once the due time has
    passed: editing it then is refused, so a stray edit never turns on-time work
    into late work. A graded or excused review is final.
    """
    kind, reading, (who, ident) = owed.kind, owed.reading, owed.author
    lookup = {"kind": kind, "reading": reading, f"{who}_id": ident}
    review = Review.objects.select_for_update().filter(**lookup).first()
    if review is None:
        try:
            with transaction.atomic():
                return Review.objects.create(
                    **lookup,
                    answers=answers,
                    submitted_at=now,
                    first_submitted_at=now,
                    edited_by=user,
                )
        except IntegrityError:
            # A teammate saved the same review a moment ago: update theirs below.
            review = Review.objects.select_for_update().get(**lookup)
    if review.points is not None or review.is_excused:
        raise ReviewError(
            "This review has been graded, so it can no longer be changed. "
            "Your new text was not saved; it is still in the form below."
        )
    if now > owed.due_at and review.late_by(owed.due_at) is None:
        raise ReviewError(
            f"The due time passed at {timing.format_instant(owed.due_at, kind.course.tz, year=True)}: your on-time review "
            "is kept as it was. Your new text was not saved; it is still in the form below."
        )
    review.answers = answers
    review.submitted_at = now
    review.edited_by = user
    review.save(update_fields=["answers", "submitted_at", "edited_by"])
    return review


def send_reminders(*, now: datetime | None = None, window: timedelta = timedelta(hours=24)) -> int:
    """Email everyone (each team member for team reviews) who has not submitted a
    review due within ``window``. One reminder per (kind, reading, recipient, due
    time): the ReminderSent row is written in the same transaction as the email is
    sent, so concurrent or repeated runs never send one twice. Returns the count sent."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    courses = list(Course.objects.filter(review_kinds__isnull=False).distinct())
    if not courses:
        return 0
    plan = ReviewPlan(courses, now=now)
    students = course_students(list(plan.courses))
    pending: list[tuple[Owed, int]] = []
    for kind in plan.kinds:
        for reading in plan.readings:
            if reading.course_id != kind.course_id:
                continue
            for author in plan.authors_of_course(kind, students.get(kind.course_id, [])):
                if not plan.applies(kind, reading, author):
                    continue
                owed = plan.owed(kind, reading, author)
                if owed.review is not None or not (now < owed.due_at <= now + window):
                    continue
                who, ident = author
                recipients = [ident]
                if who == "team":  # members dropped from the course are not reminded
                    enrolled = students.get(kind.course_id, [])
                    recipients = [u for u in plan.team_members.get(ident, []) if u in enrolled]
                pending.extend((owed, user_id) for user_id in recipients)
    users = get_user_model().objects.in_bulk({user_id for _, user_id in pending})
    already = set(
        ReminderSent.objects.filter(user__in=users, due_at__gt=now).values_list(
            "kind_id", "reading_id", "user_id", "due_at"
        )
    )
    sent = 0
    for owed, user_id in pending:
        if (owed.kind.pk, owed.reading.pk, user_id, owed.due_at) in already:
            continue
        if _remind(owed, users[user_id]):
            sent += 1
    return sent


def _remind(owed: Owed, user) -> bool:
    course = owed.kind.course
    due_local = timing.format_instant(owed.due_at, course.tz, year=True)
    context = {
        "user": user,
        "course": course,
        "kind": owed.kind,
        "paper": owed.reading.paper,
        "due_local": due_local,
        "link": settings.SITE_URL + owed.url,
    }
    return reminders.send_once(
        lambda: ReminderSent.objects.create(
            kind=owed.kind, reading=owed.reading, user=user, due_at=owed.due_at
        ),
        subject=f"[{course.code}] {owed.kind.name} due {due_local}: {owed.reading.paper.title}",
        message=render_to_string("reviews/reminder_email.txt", context),
        to=user.email,
    )


def tell_if_published(review: Review, published: dict[int, str] | None = None) -> int:
    """Tell the review's author (each member, for a team's review) once that it was graded,
    when the student can see it: its points (plan.points_visible) or its feedback
    (published). Every grading path calls this; grading.notices tells once. ``published``:
    the course's published_components, for a caller telling many reviews at once."""
    from django.urls import reverse

    from grading.notices import tell
    from reviews.plan import points_visible, published_components
    from teams.models import TeamMember

    kind, reading = review.kind, review.reading
    course = kind.course
    if published is None:
        published = published_components(course)
    shown = (review.points is not None and points_visible(kind, reading, published)) or (
        review.feedback_published and review.feedback.strip()
    )
    if not shown:
        return 0
    if review.team_id:
        members = TeamMember.objects.filter(team_id=review.team_id).select_related("user")
        people = [member.user for member in members]
    else:
        people = [review.student]
    url = reverse("reviews:write", args=[course.code, reading.pk]) + f"?kind={kind.slug}"
    label = f"Your {kind.name} of “{reading.paper.title}” was graded"
    return tell(course, people, key=f"review:{review.pk}", label=label, url=url)

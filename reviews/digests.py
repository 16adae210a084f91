"""The digest email: once a reading's questions are due, its presenters and the other
digest readers (``digest_readers`` hook: a session's reviewer groups) each get one email
with the questions the class asked, who asked them, and the link to the digest.

It runs as a reminder sender (courses.reminders: ``manage.py send_reminders`` and the
worker's schedule every few minutes), so it must be idempotent: one email per (kind,
reading, recipient, due time), recorded by a ``DigestSent`` row under a unique constraint
in the same transaction as the email is queued (``reminders.send_once``). Only review
kinds that gather questions send one (CSE 585's Question, ECS 289D's Paper review; not
CSE 585's Summary), and only for due times within the last ``window``, so turning this on
(or a worker back after a long stop) does not mail a term's old digests.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from courses import reminders, timing
from courses.models import Course
from reviews.models import DigestSent
from reviews.plan import ReviewPlan, course_students, digest_readers


def send_digests(*, now: datetime | None = None, window: timedelta = timedelta(hours=24)) -> int:
    """Email each presenter and reviewer of every reading whose questions came due in the
    last ``window`` (at most once each); returns how many emails were queued. A fixed
    number of queries for the plans, then one insert and one email per recipient."""
    now = now or timezone.now()
    courses = list(Course.objects.filter(review_kinds__isnull=False).distinct())
    if not courses:
        return 0
    schedule = ReviewPlan(courses, now=now, reading_ids=[])  # due times only, no reviews
    due = [
        (kind, reading, at)
        for kind in schedule.kinds
        if kind.gathered_prompts()
        for reading in schedule.readings
        if schedule.applies(kind, reading)
        and now - window < (at := schedule.due_times.base(kind, reading)) <= now
    ]
    if not due:
        return 0
    reading_ids = {reading.pk for _, reading, _ in due}
    plan = ReviewPlan(
        [c for c in courses if c.pk in {r.course_id for _, r, _ in due}],
        now=now,
        reading_ids=reading_ids,
    )
    readers = digest_readers(reading_ids)
    students = course_students(list(plan.courses))
    pending = []  # (kind, reading, due time, {user id: presents?})
    for kind, reading, at in due:
        enrolled = set(students.get(kind.course_id, []))
        to = {user_id: False for user_id in readers.get(reading.pk, ()) if user_id in enrolled}
        for who, ident in plan.presenters.get(reading.pk, ()):
            for user_id in plan.team_members.get(ident, []) if who == "team" else [ident]:
                if user_id in enrolled:
                    to[user_id] = True
        if to:
            pending.append((kind, reading, at, to))
    if not pending:
        return 0
    already = set(
        DigestSent.objects.filter(due_at__gt=now - window, reading__in=reading_ids).values_list(
            "kind_id", "reading_id", "user_id", "due_at"
        )
    )
    users = get_user_model().objects.in_bulk({u for *_, to in pending for u in to})
    sent = 0
    for kind, reading, at, to in pending:
        fresh = [u for u in to if (kind.pk, reading.pk, u, at) not in already]
        if not fresh:
            continue
        section = plan.digest_section(kind, reading, at, students.get(kind.course_id, []))
        for user_id in fresh:
            if _send(kind, reading, at, section, users[user_id], presents=to[user_id]):
                sent += 1
    return sent


def _send(kind, reading, due, section, user, *, presents: bool) -> bool:
    course = kind.course
    day = timing.format_day(reading.session.date)
    count = len(section.questions)
    noun = "question" if count == 1 else "questions"
    link = settings.SITE_URL + reverse("reviews:digest", args=[course.code, reading.pk])
    context = {
        "user": user,
        "course": course,
        "kind": kind,
        "paper": reading.paper,
        "day": day,
        "due_local": timing.format_instant(due, course.tz, year=True),
        "presents": presents,
        "section": section,
        "link": link,
    }
    return reminders.send_once(
        lambda: DigestSent.objects.create(kind=kind, reading=reading, user=user, due_at=due),
        subject=f"[{course.code}] {count} {noun} for {day}: {reading.paper.title}",
        message=render_to_string("reviews/digest_email.txt", context),
        to=user.email,
    )

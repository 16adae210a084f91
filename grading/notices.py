"""Telling students that a grade or feedback was published (SPEC, "Grading work for
staff"): once per person and graded thing, by email through the outbox (when the course
emails grades) and as "new" on their pages until they open it.

The apps that publish grades call ``tell`` from every path that publishes (the grading
view, the admin's forms and lists, bulk actions); the unique GradeNotice row makes a
second call for the same thing a no-op, so paths need not know whether it was told.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.mail import queue_email
from grading.models import GradeNotice


def tell(course, users, *, key: str, label: str, url: str = "") -> int:
    """Tell each of ``users`` (a student, or a team's members) once that ``label`` was
    published; returns how many were told now."""
    told = 0
    for user in users:
        try:
            with transaction.atomic():
                GradeNotice.objects.create(course=course, user=user, key=key, label=label, url=url)
                if course.email_grades:
                    queue_email(
                        to=user.email,
                        subject=f"{course.code}: {label}",
                        body=(
                            f"Hello {user.name or user.email},\n\n{label} in {course.title}.\n\n"
                            f"See it: {settings.SITE_URL}{url}\n"
                        ),
                    )
        except IntegrityError:
            continue  # told already
        told += 1
    return told


def unseen_keys(user, course) -> set[str]:
    return set(
        GradeNotice.objects.filter(user=user, course=course, seen_at__isnull=True).values_list(
            "key", flat=True
        )
    )


def mark_seen(user, course, keys=None) -> None:
    """The person opened the page these notices are on (all of the course's by default)."""
    notices = GradeNotice.objects.filter(user=user, course=course, seen_at__isnull=True)
    if keys is not None:
        notices = notices.filter(key__in=list(keys))
    notices.update(seen_at=timezone.now())

"""What presenter feedback adds to the course core (courses.plugins): the "Give feedback"
and "Feedback on your presentation" due items, the "feedback" grade source and the course
file's "presenter_feedback" section."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from courses.deadlines import DueItem
from courses.models import Membership
from feedback import coursefile
from feedback.models import FeedbackResponse, FeedbackSettings
from feedback.presentations import presentations
from feedback.providers import feedback_scores
from grading.models import ComponentSource

grade_sources = {ComponentSource.FEEDBACK: feedback_scores}
coursefile_sections = [coursefile.SECTION]


def due_items(user, courses) -> list[DueItem]:
    """While a presentation's feedback window is open: "Give feedback" for each classmate
    (done once they gave it), "Feedback on your presentation" for its presenters (due when
    they can read it). One query for a user in no course with feedback; six at most."""
    if not user.is_authenticated or not courses:
        return []
    by_id = {c.pk: c for c in courses}
    rules = {
        s.course_id: s
        for s in FeedbackSettings.objects.filter(course__in=list(by_id), enabled=True)
    }
    student_in = set()
    if rules:
        student_in = set(
            Membership.objects.students()
            .filter(user=user, course__in=list(rules))
            .values_list("course_id", flat=True)
        )
    if not student_in:
        return []
    now = timezone.now()
    for course_id in student_in:
        by_id[course_id]._feedback_settings = rules[course_id]
    # Open windows are of sessions in the last days: a date filter wide enough for every
    # course's zone and window, the exact cut made on the few presentations it leaves.
    longest = max(rules[pk].closes_after_hours for pk in student_in)
    recent = Q(session__date__gte=(now - timedelta(hours=longest, days=2)).date()) & Q(
        session__date__lte=(now + timedelta(days=2)).date()
    )
    found = [
        p
        for p in presentations(
            [by_id[pk] for pk in student_in],
            rules_of=lambda c: rules[c.pk],
            readings=recent,
        )
        if p.state(now) == "open"
    ]
    if not found:
        return []
    given = set(
        FeedbackResponse.objects.filter(
            student=user, reading__in=[p.reading for p in found]
        ).values_list("reading_id", flat=True)
    )
    items = []
    for p in found:
        reading = p.reading
        url = reverse("feedback:reading", args=[reading.course.code, reading.pk])
        if p.presented_by(user.pk):
            items.append(
                DueItem(
                    course=reading.course,
                    title=f"Feedback on your presentation (shown after it closes): {reading.paper}",
                    due_at=p.closes_at,
                    url=url,
                    kind="feedback",
                    uid=f"feedback-presenter-{reading.pk}",
                )
            )
        else:
            items.append(
                DueItem(
                    course=reading.course,
                    title=f"Give feedback: {reading.paper}",
                    due_at=p.closes_at,
                    url=url,
                    kind="feedback",
                    done=reading.pk in given,
                    uid=f"feedback-{reading.pk}",
                )
            )
    return items

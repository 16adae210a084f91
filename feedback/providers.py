"""Presenter feedback as a grade source ("feedback"): the classmates' mean rating of each
of the student's presentations, scaled to the component."""

from decimal import Decimal

from django.urls import reverse

from courses.timing import format_day
from feedback.models import FeedbackResponse, FeedbackSettings
from feedback.presentations import presentations, summarize
from grading.engine import GradeContext, ItemScore, ItemStatus


def feedback_scores(component, context: GradeContext) -> dict[int, list[ItemScore]]:
    """One item per presentation of the student (their own, or their team's), out of the
    component's ``max_points``: once the feedback window has closed with at least the
    course's minimum of responses, graded at max_points x the mean rating as a fraction of
    the scale (each criterion on its own scale; 4 of 5 is 80%); with fewer responses it is
    excused (left out: nobody's fault the class did not answer); before it closes it is
    upcoming. A student who presents nothing has one "No presentation" item, missing once
    the claim window has closed and upcoming before (as the presentation source).

    Four queries (settings, presenters, readings, responses; a fifth for the members of
    presenting teams) whatever the number of students, presentations or responses."""
    course, now = component.course, context.now
    rules = FeedbackSettings.of(course)
    found = presentations([course], rules_of=lambda c: rules)
    ids = {s.pk for s in context.students}
    if context.for_students:  # a student's own page: their presentations only
        found = [p for p in found if p.presenter_ids & ids]
    closed = [p for p in found if p.state(now) == "closed"]
    rows: dict[int, list] = {p.reading.pk: [] for p in closed}
    if closed:
        for reading_id, ratings in FeedbackResponse.objects.filter(
            reading__in=[p.reading for p in closed]
        ).values_list("reading_id", "ratings"):
            rows[reading_id].append((ratings, ""))
    items_of = {}
    for p in found:
        items_of[p.reading.pk] = _item(p, component, rules, rows.get(p.reading.pk), now)
    claims_closed = course.claims_state(now) == "closed"
    result = {}
    for student in context.students:
        items = [items_of[p.reading.pk] for p in found if student.pk in p.presenter_ids]
        if not items:
            items = [
                ItemScore(
                    "No presentation",
                    component.max_points,
                    ItemStatus.MISSING if claims_closed else ItemStatus.UPCOMING,
                    note="the claim window has closed" if claims_closed else "claim a paper",
                )
            ]
        result[student.pk] = items
    return result


def _item(p, component, rules, rows, now) -> ItemScore:
    course = p.reading.course
    label = f"Presenter feedback: {p.reading.paper.title}"
    url = reverse("feedback:reading", args=[course.code, p.reading.pk])
    possible = component.max_points
    if rows is None:  # not closed yet
        return ItemScore(
            label,
            possible,
            ItemStatus.UPCOMING,
            due_at=p.closes_at,
            url=url,
            note=f"feedback closes {format_day(p.closes_at.astimezone(course.tz))}",
        )
    if len(rows) < rules.min_responses:
        return ItemScore(
            label,
            possible,
            ItemStatus.EXCUSED,
            due_at=p.closes_at,
            url=url,
            note=f"fewer than {rules.min_responses} responses",
        )
    summary = summarize(rules.criteria, rows)
    if summary.fraction is None:
        return ItemScore(
            label, possible, ItemStatus.EXCUSED, due_at=p.closes_at, url=url, note="no ratings"
        )
    earned = possible * Decimal(summary.points) / Decimal(summary.possible)
    return ItemScore(
        label,
        possible,
        ItemStatus.GRADED,
        earned,
        due_at=p.closes_at,
        url=url,
        note=f"mean {summary.overall} from {summary.responses} responses",
    )

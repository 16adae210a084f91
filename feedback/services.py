"""Giving feedback: the one workflow that writes it."""

from django.db import IntegrityError, transaction

from courses.models import Membership
from courses.timing import format_instant
from feedback.models import FeedbackResponse, FeedbackSettings
from feedback.presentations import Presentation


class FeedbackError(Exception):
    """A refusal a person can read; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def rating_field(key: str) -> str:
    return f"rating_{key}"


def window_refusal(presentation: Presentation, now) -> str:
    """Why feedback on ``presentation`` is refused at ``now`` (before or after its window),
    or '' while it is open."""
    tz = presentation.reading.course.tz
    state = presentation.state(now)
    if state == "before":
        return f"Feedback on this presentation opens {format_instant(presentation.opens_at, tz)}."
    if state == "closed":
        return (
            f"Feedback on this presentation closed {format_instant(presentation.closes_at, tz)}"
            ": yours was not saved (what you typed is kept below)."
        )
    return ""


def feedback_give(
    *,
    presentation: Presentation,
    rules: FeedbackSettings,
    student,
    ratings: dict[str, int],
    comment: str,
    now,
) -> FeedbackResponse:
    """``student``'s feedback on ``presentation`` at ``now``: created, or replaced while
    the window is open (one response per student and presentation, which the database
    keeps). Refused (FeedbackError) outside the window, for a presenter of it, for anyone
    who is not a current student of the course, for a missing or out-of-range rating and
    for a comment over the course's limit."""
    reading = presentation.reading
    if not rules.is_on:
        raise FeedbackError("This course does not collect presenter feedback.")
    if problem := window_refusal(presentation, now):
        raise FeedbackError(problem)
    if presentation.presented_by(student.pk):
        raise FeedbackError("You present this paper: presenters do not rate their own talk.")
    if (
        not Membership.objects.students()
        .filter(course_id=reading.course_id, user_id=student.pk)
        .exists()
    ):
        raise FeedbackError("Only the course's students give feedback on presentations.")
    clean = {}
    for criterion in rules.criteria:
        key, scale = criterion["key"], int(criterion["scale"])
        value = ratings.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= scale:
            raise FeedbackError(
                f"Choose a rating for {criterion['label']} from 1 to {scale}.",
                field=rating_field(key),
            )
        clean[key] = value
    comment = (comment or "").strip()
    if len(comment) > rules.comment_max_length:
        raise FeedbackError(
            f"Keep the comment to {rules.comment_max_length} characters (it has {len(comment)}).",
            field="comment",
        )
    fields = {"ratings": clean, "comment": comment, "updated_at": now}
    try:
        with transaction.atomic():
            response, created = FeedbackResponse.objects.select_for_update().get_or_create(
                reading=reading, student=student, defaults={**fields, "submitted_at": now}
            )
    except IntegrityError:  # the same student's other tab, at the same instant
        response, created = FeedbackResponse.objects.get(reading=reading, student=student), False
    if not created:
        for name, value in fields.items():
            setattr(response, name, value)
        response.save(update_fields=list(fields))
    return response

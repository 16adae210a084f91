"""Grading reviews one at a time (the admin's grading view, as HotCRP's review page or
Canvas's SpeedGrader): a queue per reading or session, the review's text beside the
points box ("/ max") and the feedback, save-and-next, previous/next, the position in
the queue. From the keyboard, each review takes typing plus two actions: Tab from the
points to the feedback, and Ctrl+Enter to save and go to the next one.

The queue is the reviews of the reading (or of every reading of the session), in the
reading's order and then by author; it opens on the first one awaiting a grade. The
page runs the same queries whatever the length of the queue (tests/reviews/
test_grade_queue.py counts them at 5 and 25 reviews).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from courses.timing import humanize_delta
from grading.queue import GradeForm, Queue
from reviews.services import tell_if_published

URL_NAME = "admin:reviews_review_grade"


def review_queue(queryset, params) -> Queue:
    """The reviews of the reading or session (optionally of one review form) in order."""
    selection = {}
    for key in ("reading", "session", "kind"):
        value = params.get(key, "")
        if value:
            if not value.isdigit():
                raise Http404("No such reading, session or review form.")
            selection[key] = value
    if "reading" not in selection and "session" not in selection:
        raise Http404("Pick a reading or a session to grade.")
    if "reading" in selection:
        queryset = queryset.filter(reading_id=selection["reading"])
    if "session" in selection:
        queryset = queryset.filter(reading__session_id=selection["session"])
    if "kind" in selection:
        queryset = queryset.filter(kind_id=selection["kind"])
    rows = queryset.order_by(
        "reading__session__date", "reading__order", "reading_id", "kind_id",
        "student__name", "team__name", "id",
    ).values_list("pk", "points", "is_excused")  # fmt: skip
    entries = [(pk, points is None and not excused) for pk, points, excused in rows]
    return Queue(entries, selection, URL_NAME)


def grade_view(model_admin, request):
    from reviews.admin import attach_due_times

    scoped = model_admin.get_queryset(request)
    queue = review_queue(scoped, request.GET)  # the form posts back to the same address
    wanted = request.GET.get("review", "")
    current = int(wanted) if wanted.isdigit() else queue.first()
    if current is None:
        raise Http404("Nothing to grade here.")
    if current not in queue.ids:
        raise Http404("That review is not in this queue.")
    review = scoped.select_related(
        "kind__course", "reading__paper", "reading__session__course", "student", "team"
    ).get(pk=current)
    attach_due_times([review])
    form = GradeForm(
        request.POST or None,
        max_points=review.kind.max_points,
        rubric=review.kind.rubric,
        scores=review.rubric_scores,
        initial={
            "points": review.points,
            "feedback": review.feedback,
            "publish": review.feedback_published or review.points is None,
        },
    )
    if request.method == "POST" and form.is_valid():
        _save(review, form.cleaned_data, request.user)
        messages.success(request, f"Saved: {review.author_name}, {review.reading.paper.title}.")
        if "save_next" in request.POST:
            following = queue.after(review.pk)
            return redirect(queue.url(following if following is not None else review.pk))
        return redirect(queue.url(review.pk))
    late_by = review.late_by(review.due)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Grade: {review.kind.name} of “{review.reading.paper.title}”",
        "review": review,
        "prompts": [(p["label"], review.answers.get(p["key"], "")) for p in review.kind.prompts],
        "form": form,
        **queue.context(review.pk),
        "max_points": review.kind.max_points,
        "late": humanize_delta(late_by) if late_by else "",
        "list_url": reverse("admin:reviews_review_changelist")
        + f"?kind__course__id__exact={review.kind.course_id}",
        "course_time_zone": review.kind.course.time_zone,
    }
    return TemplateResponse(request, "admin/reviews/review/grade.html", context)


def _save(review, data, user) -> None:
    fields = ["feedback", "feedback_published", "rubric_scores"]
    review.rubric_scores = data.get("rubric_scores", review.rubric_scores)
    if data["points"] != review.points:
        review.points = data["points"]
        review.graded_by, review.graded_at = user, timezone.now()
        fields += ["points", "graded_by", "graded_at"]
    review.feedback = data["feedback"]
    review.feedback_published = data["publish"]
    review.save(update_fields=fields)
    tell_if_published(review)

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

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.validators import MaxValueValidator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from courses.timing import humanize_delta
from reviews.services import tell_if_published


class GradeForm(forms.Form):
    points = forms.DecimalField(
        label="Points", required=False, min_value=0, max_digits=6, decimal_places=2
    )
    feedback = forms.CharField(
        label="Feedback", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    publish = forms.BooleanField(label="Publish the feedback to the author", required=False)

    def __init__(self, *args, max_points, **kwargs):
        super().__init__(*args, **kwargs)
        points = self.fields["points"]
        points.validators.append(MaxValueValidator(max_points))
        points.widget.attrs.update(
            {
                "max": f"{max_points.normalize():f}",
                "step": "0.01",
                "autofocus": True,
                "inputmode": "decimal",
            }
        )
        points.help_text = f"out of {max_points.normalize():f}; blank: not graded yet"
        self.fields["feedback"].widget.attrs["aria-keyshortcuts"] = "Control+Enter"


@dataclass
class Queue:
    """The reviews of the selection, as (id, awaiting a grade) in order."""

    entries: list[tuple[int, bool]]
    selection: dict  # the query string that selects it

    @classmethod
    def of(cls, queryset, params) -> "Queue":
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
        return cls(entries, selection)

    @property
    def ids(self) -> list[int]:
        return [pk for pk, _ in self.entries]

    @property
    def awaiting(self) -> int:
        return sum(1 for _, waiting in self.entries if waiting)

    def first(self) -> int | None:
        waiting = [pk for pk, is_waiting in self.entries if is_waiting]
        return (waiting or self.ids or [None])[0]

    def after(self, pk: int) -> int | None:
        """The next review awaiting a grade after ``pk`` (wrapping), else the next one."""
        ids = self.ids
        if pk not in ids:
            return self.first()
        start = ids.index(pk)
        order = self.entries[start + 1 :] + self.entries[:start]
        waiting = [other for other, is_waiting in order if is_waiting]
        if waiting:
            return waiting[0]
        return ids[start + 1] if start + 1 < len(ids) else None

    def neighbours(self, pk: int) -> tuple[int | None, int | None]:
        ids = self.ids
        index = ids.index(pk)
        return (ids[index - 1] if index else None, ids[index + 1] if index + 1 < len(ids) else None)

    def url(self, pk: int | None) -> str:
        query = dict(self.selection)
        if pk is not None:
            query["review"] = pk
        return reverse("admin:reviews_review_grade") + "?" + urlencode(query)


def grade_view(model_admin, request):
    from reviews.admin import attach_due_times

    scoped = model_admin.get_queryset(request)
    queue = Queue.of(scoped, request.GET)  # the form posts back to the same address
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
    previous, following = queue.neighbours(review.pk)
    late_by = review.late_by(review.due)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Grade: {review.kind.name} of “{review.reading.paper.title}”",
        "review": review,
        "prompts": [(p["label"], review.answers.get(p["key"], "")) for p in review.kind.prompts],
        "form": form,
        "position": queue.ids.index(review.pk) + 1,
        "queue_length": len(queue.ids),
        "awaiting": queue.awaiting,
        "previous_url": queue.url(previous) if previous else "",
        "next_url": queue.url(following) if following else "",
        "late": humanize_delta(late_by) if late_by else "",
        "list_url": reverse("admin:reviews_review_changelist")
        + f"?kind__course__id__exact={review.kind.course_id}",
        "course_time_zone": review.kind.course.time_zone,
    }
    return TemplateResponse(request, "admin/reviews/review/grade.html", context)


def _save(review, data, user) -> None:
    fields = ["feedback", "feedback_published"]
    if data["points"] != review.points:
        review.points = data["points"]
        review.graded_by, review.graded_at = user, timezone.now()
        fields += ["points", "graded_by", "graded_at"]
    review.feedback = data["feedback"]
    review.feedback_published = data["publish"]
    review.save(update_fields=fields)
    tell_if_published(review)

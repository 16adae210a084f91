"""What the admin's grading views share (reviews.grade_queue, projects.grade_queue): the
queue of work awaiting a grade and its moves, and the grade form (points "/ max", or one
box per rubric criterion adding up to the points; feedback; publish).

A queue is the ids of the selection in order, each marked "awaits a grade"; it opens on
the first one awaiting, and "save and next" goes to the next one awaiting (wrapping).
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.urls import reverse
from django.utils.http import urlencode

from grading.models import rubric_criteria


@dataclass
class Queue:
    entries: list[tuple[int, bool]]  # (id, awaiting a grade), in order
    selection: dict  # the query string that selects the queue
    url_name: str  # the grading view's admin URL name
    key: str = "review"  # the query parameter naming the current item

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
        """The next item awaiting a grade after ``pk`` (wrapping), else the next one."""
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
            query[self.key] = pk
        return reverse(self.url_name) + "?" + urlencode(query)

    def context(self, pk: int) -> dict:
        """The template's view of the queue at ``pk``: position, counts, neighbours."""
        previous, following = self.neighbours(pk)
        return {
            "position": self.ids.index(pk) + 1,
            "queue_length": len(self.ids),
            "awaiting": self.awaiting,
            "previous_url": self.url(previous) if previous else "",
            "next_url": self.url(following) if following else "",
        }


def digits(value: Decimal) -> str:
    return f"{value.normalize():f}"


class GradeForm(forms.Form):
    """Points out of ``max_points`` (or the rubric's criteria, whose sum is the points),
    feedback, and whether to publish them. Blank points: not graded yet."""

    points = forms.DecimalField(
        label="Points", required=False, min_value=0, max_digits=6, decimal_places=2
    )
    feedback = forms.CharField(
        label="Feedback", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    publish = forms.BooleanField(label="Publish the grade and feedback", required=False)

    def __init__(self, *args, max_points, rubric=None, scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = rubric_criteria(rubric)
        points = self.fields["points"]
        points.validators.append(MaxValueValidator(max_points))
        box = {"max": digits(max_points), "step": "0.01", "inputmode": "decimal"}
        points.widget.attrs.update(box)
        points.help_text = f"out of {digits(max_points)}; blank: not graded yet"
        self.fields["feedback"].widget.attrs["aria-keyshortcuts"] = "Control+Enter"
        scores = scores or {}
        for index, (criterion, most, description) in enumerate(self.criteria):
            field = forms.DecimalField(
                label=criterion,
                required=False,
                min_value=0,
                max_value=most,
                max_digits=6,
                decimal_places=2,
                help_text=f"out of {digits(most)}" + (f": {description}" if description else ""),
                initial=scores.get(criterion),
            )
            field.widget.attrs.update({**box, "max": digits(most)})
            self.fields[f"criterion_{index}"] = field
        if self.criteria:
            # The points are the criteria's sum: shown, not typed.
            points.disabled = True
            points.help_text = f"out of {digits(max_points)}: the sum of the rubric"
            self.fields["criterion_0"].widget.attrs["autofocus"] = True
        else:
            points.widget.attrs["autofocus"] = True

    def criterion_fields(self):
        return [self[f"criterion_{index}"] for index in range(len(self.criteria))]

    def clean(self):
        data = super().clean()
        if not self.criteria:
            return data
        given = [data.get(f"criterion_{i}") for i in range(len(self.criteria))]
        if any(v is None for v in given) and any(v is not None for v in given):
            missing = next(i for i, v in enumerate(given) if v is None)
            self.add_error(
                f"criterion_{missing}", "Score every criterion, or none to leave it ungraded."
            )
            return data
        if all(v is None for v in given):
            data["points"], data["rubric_scores"] = None, {}
        else:
            data["points"] = sum(given, Decimal(0))
            data["rubric_scores"] = {
                criterion: str(value)
                for (criterion, _, _), value in zip(self.criteria, given, strict=True)
            }
        return data

from django import forms

from feedback.services import rating_field


class FeedbackForm(forms.Form):
    """A rating per criterion of the course's rubric (1 to its scale, required) and an
    optional comment up to the course's limit. Nothing is capped in the browser: a comment
    that is too long comes back with its text and the count, so nothing typed is lost."""

    def __init__(self, *args, criteria: list[dict], comment_max_length: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.comment_max_length = comment_max_length
        for criterion in criteria:
            scale, label = int(criterion["scale"]), criterion["label"]
            message = f"Choose a rating for {label} from 1 to {scale}."
            self.fields[rating_field(criterion["key"])] = forms.TypedChoiceField(
                label=label,
                choices=[(str(i), str(i)) for i in range(1, scale + 1)],
                coerce=int,
                widget=forms.RadioSelect,
                help_text=criterion.get("description", ""),
                error_messages={"required": message, "invalid_choice": message},
            )
        self.fields["comment"] = forms.CharField(
            label="Comment for the presenters (optional)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        if len(comment) > self.comment_max_length:
            raise forms.ValidationError(
                f"Keep the comment to {self.comment_max_length} characters (it has {len(comment)})."
            )
        return comment

    def ratings(self) -> dict[str, int]:
        return {
            c["key"]: self.cleaned_data[rating_field(c["key"])]
            for c in self.criteria
            if rating_field(c["key"]) in self.cleaned_data
        }

    def rows(self):
        """(criterion, bound field, the chosen value as text) for the template."""
        for criterion in self.criteria:
            bound = self[rating_field(criterion["key"])]
            value = bound.value()
            yield {
                "criterion": criterion,
                "field": bound,
                "value": "" if value is None else str(value),
                "choices": [str(i) for i in range(1, int(criterion["scale"]) + 1)],
            }

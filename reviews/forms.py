import re
from decimal import Decimal

from django import forms
from django.template.defaultfilters import pluralize

from reviews.models import Review


def _words(text: str) -> int:
    return len(text.split())


# "Summary (3-4 sentences)", "one question", "about 200 words": guidance written in the label.
_SUGGESTED = re.compile(
    r"(?:about |up to |at most |at least )?(?:\d+\s*[-–]\s*\d+|\d+|one|two|three|a few)"
    r"\s+(?:sentences?|words?|paragraphs?|questions?)",
    re.IGNORECASE,
)


def length_guidance(prompt: dict) -> dict:
    """The prompt's length rule for the word counter: the course's hard limits
    (``min_words``/``max_words``, refused on submit) and any suggested length
    written in its label or help text (guidance only, never refused)."""
    said = _SUGGESTED.search(f"{prompt['label']} {prompt.get('help', '')}")
    limits = []
    if prompt.get("min_words"):
        limits.append(f"at least {prompt['min_words']} words")
    if prompt.get("max_words"):
        limits.append(f"at most {prompt['max_words']} words")
    return {
        "suggested": said.group(0) if said else "",
        "limit": ", ".join(limits),
        "min_words": prompt.get("min_words") or "",
        "max_words": prompt.get("max_words") or "",
    }


class ReviewForm(forms.Form):
    """One textarea per prompt of the kind, with its required flag and length guidance.

    Errors never drop text: the form is re-rendered from the POST data.
    """

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for prompt in kind.prompts:
            guidance = []
            if prompt.get("min_words"):
                guidance.append(f"at least {prompt['min_words']} words")
            if prompt.get("max_words"):
                guidance.append(f"at most {prompt['max_words']} words")
            if prompt.get("min_chars"):
                guidance.append(f"at least {prompt['min_chars']} characters")
            help_text = " ".join(
                part
                for part in (prompt.get("help", ""), f"({', '.join(guidance)})" if guidance else "")
                if part
            )
            self.fields[prompt["key"]] = forms.CharField(
                label=prompt["label"],
                help_text=help_text,
                required=bool(prompt.get("required", True)),
                strip=True,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": f"“{prompt['label']}” is required."},
            )

    def clean(self):
        data = super().clean()
        for prompt in self.kind.prompts:
            text = data.get(prompt["key"]) or ""
            if not text:
                continue
            words = _words(text)
            if prompt.get("min_words") and words < prompt["min_words"]:
                self.add_error(
                    prompt["key"],
                    f"Too short: write at least {prompt['min_words']} words (you have {words}).",
                )
            elif prompt.get("max_words") and words > prompt["max_words"]:
                self.add_error(
                    prompt["key"],
                    f"Too long: at most {prompt['max_words']} words (you have {words}).",
                )
            elif prompt.get("min_chars") and len(text) < prompt["min_chars"]:
                self.add_error(
                    prompt["key"],
                    f"Too short: write at least {prompt['min_chars']} characters (you have {len(text)}).",
                )
        return data

    def answers(self) -> dict[str, str]:
        return {p["key"]: self.cleaned_data.get(p["key"], "") for p in self.kind.prompts}

    def rows(self) -> list[dict]:
        """Per prompt: the field, its current text, its word count and length guidance."""
        rows = []
        for prompt in self.kind.prompts:
            field = self[prompt["key"]]
            text = field.value() or ""
            words = _words(text)
            rows.append({"field": field, "text": text, "words": words, **length_guidance(prompt)})
        return rows


class ReviewAdminForm(forms.ModelForm):
    """Also used for the list-editable grading columns: points obey the kind's maximum."""

    class Meta:
        model = Review
        fields = [
            "kind",
            "reading",
            "student",
            "team",
            "answers",
            "is_excused",
            "points",
            "feedback",
            "feedback_published",
        ]

    def clean_points(self):
        points = self.cleaned_data.get("points")
        kind = self.instance.kind if self.instance.kind_id else self.cleaned_data.get("kind")
        if points is not None:
            if points < Decimal("0"):
                raise forms.ValidationError("Points cannot be negative.")
            if kind is not None and points > kind.max_points:
                most = kind.max_points
                raise forms.ValidationError(f"At most {most.normalize():f} point{pluralize(most)}.")
        return points

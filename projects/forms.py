import filetype
from django import forms
from django.conf import settings

from courses.models import Team
from projects.models import Deliverable, Milestone

# What a file deliverable may be, by content (never by the name or the browser's claim).
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/zip": "zip archive",
    "application/gzip": "tar.gz archive",
    "application/x-tar": "tar archive",
}


class TeamCreateForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name", "working_title", "topic")
        labels = {"name": "Team name", "working_title": "Working title"}
        help_texts = {"topic": "A few sentences: the problem and what you plan to build or test."}
        widgets = {"topic": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):
        # The course is not on the form; the service reports a duplicate name.
        pass


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        max_length=20,
        help_text="Ask a member of the team for its code.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "text-uppercase"}),
    )


def _check_upload(upload) -> str:
    """The detected content type of an upload, or a ValidationError a student can act on."""
    limit = settings.MAX_UPLOAD_MB
    if upload.size > limit * 1024 * 1024:
        raise forms.ValidationError(
            f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is {limit} MB.",
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        found = f" (it looks like {kind.mime})" if kind else ""
        raise forms.ValidationError(
            f"Upload a PDF or an archive (zip or tar.gz){found}.", code="bad_type"
        )
    return kind.mime


class SubmissionForm(forms.Form):
    """The deliverable a milestone asks for: one field, chosen by the milestone."""

    def __init__(self, *args, milestone: Milestone, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone = milestone
        self.prefix = f"m{milestone.pk}"
        if milestone.deliverable == Deliverable.LINK:
            self.fields["link"] = forms.URLField(
                label="Link",
                max_length=500,
                assume_scheme="https",
                help_text="A URL your graders can open (repository, shared document, video).",
            )
        elif milestone.deliverable == Deliverable.TEXT:
            self.fields["text"] = forms.CharField(
                label="Text", widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000
            )
        elif milestone.deliverable == Deliverable.FILE:
            self.fields["file"] = forms.FileField(
                label="File",
                help_text=f"PDF, zip or tar.gz; at most {settings.MAX_UPLOAD_MB} MB.",
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.zip,.tar.gz,.tgz"}),
            )
        self.content_type = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = _check_upload(upload)
        return upload

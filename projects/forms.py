from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from courses.uploads import MILESTONE_FILES, check_archive
from projects.models import Deliverable, Milestone


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
                help_text=(
                    f"PDF, zip or tar.gz; at most {settings.MAX_UPLOAD_MB} MB. An archive may "
                    f"unpack to at most {filesizeformat(settings.SUBMISSION_ARCHIVE_MAX_BYTES)} "
                    f"and {settings.SUBMISSION_ARCHIVE_MAX_MEMBERS:,} files."
                ),
                widget=forms.ClearableFileInput(attrs={"accept": MILESTONE_FILES.accept}),
            )
        self.content_type = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        checked = MILESTONE_FILES.check(upload)
        check_archive(
            upload,
            checked.content_type,
            max_bytes=settings.SUBMISSION_ARCHIVE_MAX_BYTES,
            max_members=settings.SUBMISSION_ARCHIVE_MAX_MEMBERS,
        )
        upload.name, self.content_type = checked.name, checked.content_type
        return upload

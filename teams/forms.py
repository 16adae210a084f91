from django import forms

from teams.models import Team


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

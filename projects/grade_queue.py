"""Grading a milestone team by team (the admin's grading view for milestones, beside the
one for reviews): the team and its members, every version it submitted (the latest PDF
shown in a frame beside the form), points "/ max" or the milestone's rubric, feedback,
each member's adjustment, save-and-next through the teams.

The queue is the course's teams by name; a team awaits a grade when it has submitted
(or the milestone takes no submissions) and has no points yet. The page runs the same
queries whatever the number of teams (tests/projects/test_grade_queue.py).
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from courses.admin.scoping import staff_courses
from grading.queue import GradeForm, Queue, digits
from projects.models import Milestone, MilestoneAdjustment, MilestoneGrade, Submission
from teams.models import Team

URL_NAME = "admin:projects_milestonegrade_grade"


class AdjustmentForm(forms.Form):
    """One member's change to the team's points: add (or subtract) points, or override
    them, with a reason; both blank means none."""

    delta = forms.DecimalField(label="Add points", required=False, max_digits=6, decimal_places=2)
    override = forms.DecimalField(
        label="Set points", required=False, min_value=0, max_digits=6, decimal_places=2
    )
    reason = forms.CharField(label="Reason", required=False, max_length=200)

    def __init__(self, *args, member, max_points, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["override"].validators.append(MaxValueValidator(max_points))
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label} for {member.name or member.email}"

    def clean(self):
        data = super().clean()
        delta, override = data.get("delta"), data.get("override")
        if delta is not None and override is not None:
            raise forms.ValidationError("Add points or set them, not both.")
        if (delta is not None or override is not None) and not data.get("reason", "").strip():
            self.add_error("reason", "Say why: the student sees this reason.")
        return data


def team_queue(milestone) -> Queue:
    submitted = Submission.objects.filter(milestone=milestone, team=OuterRef("pk"))
    graded = MilestoneGrade.objects.filter(
        milestone=milestone, team=OuterRef("pk"), points__isnull=False
    )
    rows = (
        Team.objects.filter(course_id=milestone.course_id)
        .annotate(submitted=Exists(submitted), graded=Exists(graded))
        .order_by("name", "pk")
        .values_list("pk", "submitted", "graded")
    )
    takes = milestone.takes_submissions
    entries = [(pk, (did or not takes) and not done) for pk, did, done in rows]
    return Queue(entries, {"milestone": milestone.pk}, URL_NAME, key="team")


def grade_view(model_admin, request):
    wanted = request.GET.get("milestone", "")
    if not wanted.isdigit():
        raise Http404("Pick a milestone to grade.")
    milestones = Milestone.objects.select_related("course")
    if not request.user.is_superuser:
        milestones = milestones.filter(course__in=staff_courses(request))
    milestone = milestones.filter(pk=wanted).first()
    if milestone is None:
        raise Http404("No such milestone in your courses.")
    queue = team_queue(milestone)
    wanted_team = request.GET.get("team", "")
    current = int(wanted_team) if wanted_team.isdigit() else queue.first()
    if current is None:
        raise Http404("This course has no teams yet.")
    if current not in queue.ids:
        raise Http404("That team is not in this course.")
    team = Team.objects.get(pk=current)
    members = [m.user for m in team.members.select_related("user").order_by("user__name")]
    grade = (
        MilestoneGrade.objects.filter(milestone=milestone, team=team)
        .prefetch_related("adjustments")
        .first()
    )
    adjustments = {a.student_id: a for a in grade.adjustments.all()} if grade else {}
    versions = list(
        Submission.objects.filter(milestone=milestone, team=team)
        .select_related("submitted_by")
        .order_by("-version")
    )
    form = GradeForm(
        request.POST or None,
        max_points=milestone.max_points,
        rubric=milestone.rubric,
        scores=grade.rubric_scores if grade else None,
        initial={
            "points": grade.points if grade else None,
            "feedback": grade.feedback if grade else "",
            "publish": grade.published if grade else True,
        },
    )
    form.fields["publish"].label = "Publish the grade and feedback to the team"
    adjustment_forms = [
        AdjustmentForm(
            request.POST or None,
            prefix=f"m{member.pk}",
            member=member,
            max_points=milestone.max_points,
            initial=_initial(adjustments.get(member.pk)),
        )
        for member in members
    ]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in adjustment_forms):
        saved = _save(milestone, team, grade, form.cleaned_data, adjustment_forms)
        from projects.admin import tell_team_if_published

        tell_team_if_published(saved)
        messages.success(request, f"Saved: {team.name}, {milestone.name}.")
        if "save_next" in request.POST:
            following = queue.after(team.pk)
            return redirect(queue.url(following if following is not None else team.pk))
        return redirect(queue.url(team.pk))
    latest = versions[0] if versions else None
    team_points = grade.team_points(latest) if grade else None
    code = milestone.course.code
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Grade: {milestone.name} of {team.name}",
        "milestone": milestone,
        "team": team,
        "versions": [
            (
                version,
                reverse("projects:submission_file", args=[code, version.pk])
                if version.file
                else "",
            )
            for version in versions
        ],
        "pdf_url": (
            reverse("projects:submission_file", args=[code, latest.pk]) + "?view=inline"
            if latest and latest.file and latest.content_type == "application/pdf"
            else ""
        ),
        "members": [
            (
                member,
                adjustment_form,
                _member_points(adjustments.get(member.pk), team_points, milestone),
            )
            for member, adjustment_form in zip(members, adjustment_forms, strict=True)
        ],
        "team_points": team_points,
        "form": form,
        **queue.context(team.pk),
        "max_points": milestone.max_points,
        "list_url": reverse("admin:projects_milestonegrade_changelist")
        + f"?milestone__id__exact={milestone.pk}",
        "course_time_zone": milestone.course.time_zone,
        "extra_template": "admin/projects/milestonegrade/adjustments.html",
    }
    return TemplateResponse(request, "admin/projects/milestonegrade/grade.html", context)


def _initial(adjustment) -> dict:
    if adjustment is None:
        return {}
    return {"delta": adjustment.delta, "override": adjustment.override, "reason": adjustment.reason}


def _member_points(adjustment, team_points, milestone) -> str:
    """What this member gets, as the grades page shows it."""
    if team_points is None:
        return ""
    points = adjustment.apply(team_points, milestone.max_points) if adjustment else team_points
    return f"{digits(points.quantize(Decimal('0.01')))} / {digits(milestone.max_points)}"


@transaction.atomic
def _save(milestone, team, grade, data, adjustment_forms) -> MilestoneGrade:
    grade = grade or MilestoneGrade(milestone=milestone, team=team)
    grade.points = data["points"]
    grade.feedback = data["feedback"]
    grade.published = data["publish"]
    grade.rubric_scores = data.get("rubric_scores", grade.rubric_scores)
    grade.save()
    for adjustment_form in adjustment_forms:
        cleaned = adjustment_form.cleaned_data
        member = adjustment_form.member
        if cleaned.get("delta") is None and cleaned.get("override") is None:
            MilestoneAdjustment.objects.filter(grade=grade, student=member).delete()
            continue
        MilestoneAdjustment.objects.update_or_create(
            grade=grade,
            student=member,
            defaults={
                "delta": cleaned["delta"],
                "override": cleaned["override"],
                "reason": cleaned["reason"].strip(),
            },
        )
    return grade

from django import forms
from django.contrib import admin, messages
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from courses import timing
from courses.admin.scoping import CourseScopedAdmin, CourseScopedInline, staff_courses
from courses.models import Session
from grading.models import GradeComponent
from projects.models import (
    Milestone,
    MilestoneAdjustment,
    MilestoneExtension,
    MilestoneGrade,
    Submission,
)
from teams.models import Team


def _limit_to_staff_courses(request, db_field, kwargs, lookup):
    if not request.user.is_superuser:
        kwargs["queryset"] = db_field.related_model.objects.filter(
            **{f"{lookup}__in": staff_courses(request)}
        )


class MilestoneExtensionInline(CourseScopedInline):
    """A later due time for one team; versions already in are judged again on save."""

    model = MilestoneExtension
    extra = 0
    fields = ("team", "due_at", "extra_days", "reason")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Team:
            _limit_to_staff_courses(request, db_field, kwargs, "course")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Milestone)
class MilestoneAdmin(CourseScopedAdmin):
    list_display = (
        "name",
        "course",
        "due_local",
        "deliverable",
        "late_policy",
        "max_points",
        "component",
        "grade_link",
    )
    list_filter = ("course", "deliverable")
    list_select_related = ("course", "component", "session")
    search_fields = ("name",)
    actions = ["prepare_grades"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "course",
                    "name",
                    "description",
                    "deliverable",
                    ("late_policy", "late_penalty_pct"),
                    ("max_points", "component"),
                    "rubric",
                    "order",
                )
            },
        ),
        ("Due time", {"fields": ("due_at",)}),
        (
            "Or due relative to a session (moves with it)",
            {
                "fields": (
                    "session",
                    "relative_kind",
                    ("days_before", "at_time"),
                    "hours_after",
                ),
                "description": "With a session chosen, the due time above is computed from it.",
            },
        ),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in (GradeComponent, Session):
            _limit_to_staff_courses(request, db_field, kwargs, "course")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    inlines = [MilestoneExtensionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:  # versions already in are judged on the new due time and extensions
            form.instance.restamp_lateness()

    @admin.display(description="due (course time)", ordering="due_at")
    def due_local(self, milestone):
        return timing.format_instant(milestone.due_at, milestone.course.tz, year=True)

    @admin.display(description="grade")
    def grade_link(self, milestone):
        url = reverse("admin:projects_milestonegrade_grade") + f"?milestone={milestone.pk}"
        return format_html('<a href="{}">Grade team by team</a>', url)

    @admin.action(description="Prepare a grade row for every team")
    def prepare_grades(self, request, queryset):
        created = 0
        for milestone in queryset:
            for team in Team.objects.filter(course=milestone.course_id):
                _, new = MilestoneGrade.objects.get_or_create(milestone=milestone, team=team)
                created += new
        rows = ngettext("%d grade row added", "%d grade rows added", created) % created
        messages.success(request, f"{rows}; grade them under Milestone grades.")


@admin.register(Submission)
class SubmissionAdmin(CourseScopedAdmin):
    """Submissions are the students' record: staff read and download, never edit or
    delete one (every version is kept). Only a superuser removes them, with their course
    or team; the admin then lists them on the confirmation page."""

    course_lookup = "milestone__course"
    list_display = (
        "team",
        "milestone",
        "version",
        "submitted_by",
        "submitted_at",
        "is_late",
        "lateness",
        "work",
    )
    list_filter = ("milestone__course", "milestone", "is_late")
    list_select_related = ("team", "milestone__course", "submitted_by")
    search_fields = ("team__name",)
    readonly_fields = [f.name for f in Submission._meta.fields] + ["work"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="work")
    def work(self, s):
        if s.file:
            url = reverse("projects:submission_file", args=[s.milestone.course.code, s.pk])
            return format_html('<a href="{}">{}</a>', url, s.original_name)
        if s.link:
            return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', s.link, s.link)
        return s.text[:80]


class MilestoneAdjustmentForm(forms.ModelForm):
    class Meta:
        model = MilestoneAdjustment
        fields = ("student", "delta", "override", "reason")

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("delta") is None) == (cleaned.get("override") is None):
            raise forms.ValidationError("Give either points to add or override points, not both.")
        return cleaned


class MilestoneAdjustmentFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        team = self.instance.team if self.instance.team_id else None
        if team is None:
            return
        member_ids = set(team.members.values_list("user_id", flat=True))
        for form in self.forms:
            student = form.cleaned_data.get("student") if form.cleaned_data else None
            if student is not None and student.pk not in member_ids:
                form.add_error("student", f"{student} is not in {team}.")


class MilestoneAdjustmentInline(CourseScopedInline):
    model = MilestoneAdjustment
    form = MilestoneAdjustmentForm
    formset = MilestoneAdjustmentFormSet
    extra = 0
    raw_id_fields = ("student",)


class MilestoneGradeForm(forms.ModelForm):
    class Meta:
        model = MilestoneGrade
        fields = ("milestone", "team", "points", "feedback", "published", "held")
        widgets = {"feedback": forms.Textarea(attrs={"rows": 2, "cols": 40})}


@admin.register(MilestoneGrade)
class MilestoneGradeAdmin(CourseScopedAdmin):
    course_lookup = "milestone__course"
    form = MilestoneGradeForm
    list_display = (
        "team",
        "milestone",
        "latest_version",
        "points",
        "feedback",
        "published",
        "held",
    )
    list_editable = ("points", "feedback", "published", "held")
    list_filter = ("milestone__course", "milestone", "published", "held")
    list_select_related = ("team", "milestone__course")
    search_fields = ("team__name",)
    inlines = [MilestoneAdjustmentInline]
    actions = ["publish"]

    def get_actions(self, request):
        """No "Delete selected" for course staff on graded work, beside the grading
        actions: one slip would erase it (staff change the points instead; a superuser may delete)."""
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest=Max(
                    "team__submissions__version",
                    filter=Q(team__submissions__milestone=F("milestone")),
                )
            )
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Milestone:
            _limit_to_staff_courses(request, db_field, kwargs, "course")
        if db_field.related_model is Team:
            _limit_to_staff_courses(request, db_field, kwargs, "course")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        from django.urls import path

        from projects.grade_queue import grade_view

        view = self.admin_site.admin_view(lambda request: grade_view(self, request))
        return [path("grade/", view, name="projects_milestonegrade_grade"), *super().get_urls()]

    @admin.display(description="latest version", ordering="latest")
    def latest_version(self, grade):
        return f"v{grade.latest}" if grade.latest else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        tell_team_if_published(obj)

    @admin.action(description="Publish the selected grades to their teams")
    def publish(self, request, queryset):
        grades = list(queryset.select_related("milestone__course", "team"))
        count = queryset.update(published=True)
        for grade in grades:
            grade.published = True
            tell_team_if_published(grade)
        messages.success(
            request, ngettext("%d grade published.", "%d grades published.", count) % count
        )


def tell_team_if_published(grade) -> int:
    """Tell each member of the team once that the milestone was graded, when it is
    published with points or feedback (grading.notices)."""
    from django.urls import reverse

    from grading.notices import tell

    if not (grade.published and (grade.points is not None or grade.feedback.strip())):
        return 0
    course = grade.milestone.course
    people = [m.user for m in grade.team.members.select_related("user")]
    label = f"{grade.milestone.name} of {grade.team.name} was graded"
    return tell(
        course, people, key=f"milestone:{grade.pk}", label=label,
        url=reverse("teams:team", args=[course.code]),
    )  # fmt: skip

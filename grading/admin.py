"""Admin for grade components and per-student manual scores.

Weights are checked as a whole: the course page's "Grade components" inline
refuses a set whose non-bonus weights do not add up to 100 (so components can
be added together), and the standalone component list refuses any edit that
would leave a course off 100.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, BaseModelFormSet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from courses.admin.labels import labelled_formset
from courses.admin.scoping import CourseScopedAdmin, CourseScopedInline
from courses.models import Course, Membership
from grading.engine import weights_problem
from grading.models import (
    ComponentPart,
    ComponentSource,
    GradeComponent,
    ManualScore,
    parts_problem,
)

MANUAL_SOURCES = (ComponentSource.PARTICIPATION, ComponentSource.MANUAL)


def kept_instances(formset) -> list:
    """The objects an inline formset keeps: its filled-in forms not marked for deletion."""
    return [
        form.instance
        for form in formset.forms
        if form.cleaned_data and not formset._should_delete_form(form)
    ]


class GradeComponentInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = kept_instances(self)
        problem = weights_problem(self.instance, kept)
        if problem:
            raise ValidationError(problem)


class GradeComponentInline(CourseScopedInline):
    """Goes on the course page: components are added and re-weighted together."""

    model = GradeComponent
    formset = GradeComponentInlineFormSet
    extra = 0
    fields = ("order", "name", "group", "weight", "is_bonus", "source", "max_points", "published")
    verbose_name = "grade component"
    verbose_name_plural = "Grade components (non-bonus weights must add up to 100)"


class ComponentChangelistFormSet(BaseModelFormSet):
    """list_editable on the component list: the edited rows plus the rest must still add to 100."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        edited = {form.instance.pk: form.instance for form in self.forms}
        course_ids = {instance.course_id for instance in edited.values()}
        for course in Course.objects.filter(pk__in=course_ids).prefetch_related("components"):
            components = [edited.get(c.pk, c) for c in course.components.all()]
            problem = weights_problem(course, components)
            if problem:
                raise ValidationError(problem)


class ComponentPartFormSet(BaseInlineFormSet):
    """A component of source "several" has parts whose weights add up to 100; any other
    component has none."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = kept_instances(self)
        several = self.instance.source == ComponentSource.SEVERAL
        if not several and kept:
            raise ValidationError(
                "Only a component whose source is “several sources” has parts: set the "
                "source, or remove the parts."
            )
        if several and self.instance.is_bonus:
            raise ValidationError("A bonus component has one source, not parts.")
        if several:
            problem = (
                parts_problem(kept)
                if kept
                else "Give the parts (each a source and a weight inside)."
            )
            if problem:
                raise ValidationError(problem)


class ComponentPartInline(CourseScopedInline):
    """The sources of a component with several, weighted inside it (CSE 585's participation:
    questions 50, in class 50)."""

    model = ComponentPart
    formset = ComponentPartFormSet
    course_lookup = "component__course"
    extra = 0
    fields = ("order", "source", "weight")
    verbose_name = "part"
    verbose_name_plural = "Parts (for source “several sources”: weights inside add up to 100)"

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "source":
            kwargs["choices"] = [
                (value, label)
                for value, label in ComponentSource.choices
                if value not in (ComponentSource.SEVERAL, ComponentSource.BONUS_REVIEWS)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


# What a component says about itself, in the order the form and the list show it.
COMPONENT_SETTINGS = ("group", "weight", "is_bonus", "source", "max_points", "published", "order")


class GradeComponentForm(forms.ModelForm):
    class Meta:
        model = GradeComponent
        fields = ("course", "name", *COMPONENT_SETTINGS)

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course")
        if course is None or cleaned.get("weight") is None:
            return cleaned
        others = list(course.components.exclude(pk=self.instance.pk))
        this = GradeComponent(weight=cleaned["weight"], is_bonus=cleaned.get("is_bonus", False))
        problem = weights_problem(course, [*others, this])
        if problem:
            hint = (
                " To add or re-weight several components at once, use “Grade components” "
                "on the course's page."
            )
            raise ValidationError(problem + hint)
        return cleaned


@admin.register(GradeComponent)
class GradeComponentAdmin(CourseScopedAdmin):
    form = GradeComponentForm
    list_display = ("name", "course", *COMPONENT_SETTINGS, "enter_scores_link")
    list_editable = ("weight", "published", "order")
    list_display_links = ("name",)
    list_filter = (("course", admin.RelatedOnlyFieldListFilter), "published", "source")
    list_select_related = ("course",)
    search_fields = ("name", "group", "course__code")
    inlines = [ComponentPartInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parts")

    def get_changelist_formset(self, request, **kwargs):
        kwargs["formset"] = ComponentChangelistFormSet
        return super().get_changelist_formset(request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Deleting one component alone always breaks the 100; do it on the course page.
        return False

    @admin.display(description="scores")
    def enter_scores_link(self, obj):
        if not takes_scores(obj):
            return "—"
        url = reverse("admin:grading_gradecomponent_enter_scores", args=[obj.pk])
        return format_html('<a href="{}">enter scores</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:component_id>/scores/",
                self.admin_site.admin_view(self.enter_scores_view),
                name="grading_gradecomponent_enter_scores",
            ),
        ] + super().get_urls()

    def enter_scores_view(self, request, component_id):
        component = get_object_or_404(
            self.get_queryset(request).select_related("course"), pk=component_id
        )
        memberships = list(
            Membership.objects.students()
            .filter(course=component.course)
            .select_related("user")
            .order_by("user__name", "user__email")
        )
        existing = {s.student_id: s for s in component.manual_scores.all()}
        initial = [
            {
                "student": m.user.pk,
                "points": existing[m.user.pk].points if m.user.pk in existing else None,
                "feedback": existing[m.user.pk].feedback if m.user.pk in existing else "",
            }
            for m in memberships
        ]
        names = {m.user.pk: m.user.name or m.user.email for m in memberships}
        ScoreFormSet = labelled_formset(
            forms.formset_factory(ScoreEntryForm, extra=0),
            row_of=lambda form, index: names.get(form.initial.get("student"), "new row"),
        )
        formset = ScoreFormSet(
            request.POST or None, initial=initial, form_kwargs={"component": component}
        )
        if request.method == "POST" and formset.is_valid():
            saved, cleared = _save_scores(component, formset, {m.user.pk for m in memberships})
            messages.success(
                request,
                ngettext("%d score saved", "%d scores saved", saved) % saved
                + (f", {cleared} cleared" if cleared else "")
                + f" for {component.name}.",
            )
            return redirect(request.path)
        rows = list(zip(memberships, formset.forms, strict=True))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Scores for {component.name} ({component.course.code})",
            "component": component,
            "formset": formset,
            "rows": rows,
            "opts": self.model._meta,
        }
        return render(request, "grading/gradebook_enter_scores.html", context)


def takes_scores(component) -> bool:
    """Manual or participation scores are entered for it (its source, or one of its parts)."""
    sources = {component.source, *(part.source for part in component.parts.all())}
    return bool(sources & set(MANUAL_SOURCES))


class ScoreEntryForm(forms.Form):
    student = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "size": 6}),
    )
    feedback = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 50}))

    def __init__(self, *args, component, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].help_text = f"out of {component.max_points}; blank: not graded yet"


class ManualScoreForm(forms.ModelForm):
    class Meta:
        model = ManualScore
        fields = ("component", "student", "points", "feedback")

    def clean(self):
        cleaned = super().clean()
        component, student = cleaned.get("component"), cleaned.get("student")
        if component and student:
            if (
                not Membership.objects.students()
                .filter(course_id=component.course_id, user=student)
                .exists()
            ):
                self.add_error("student", "This user is not a student of the component's course.")
        return cleaned


@admin.register(ManualScore)
class ManualScoreAdmin(CourseScopedAdmin):
    form = ManualScoreForm
    course_lookup = "component__course"
    list_display = ("student", "student_email", "component", "points", "out_of", "feedback")
    list_editable = ("points", "feedback")
    list_filter = (
        ("component__course", admin.RelatedOnlyFieldListFilter),
        ("component", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("student", "component__course")
    search_fields = ("student__name", "student__email", "student__student_id")
    raw_id_fields = ("student",)
    list_per_page = 200

    @admin.display(description="email", ordering="student__email")
    def student_email(self, obj):
        return obj.student.email

    @admin.display(description="out of")
    def out_of(self, obj):
        return obj.component.max_points

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "component" and not request.user.is_superuser:
            from courses.admin.scoping import staff_courses

            kwargs["queryset"] = GradeComponent.objects.filter(
                course__in=staff_courses(request), source__in=MANUAL_SOURCES
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("widgets", {})["feedback"] = forms.TextInput(attrs={"size": 40})
        return super().get_changelist_form(request, **kwargs)


def _save_scores(component, formset, allowed) -> tuple[int, int]:
    """Save the changed rows of the scores grid; (saved, cleared). Rows of anyone not a
    student of the course (a tampered form) are ignored."""
    saved = cleared = 0
    for form in formset:
        student_id = form.cleaned_data["student"]
        if student_id not in allowed or not form.has_changed():
            continue
        points = form.cleaned_data["points"]
        if points is None:
            cleared += component.manual_scores.filter(student_id=student_id).delete()[0]
            continue
        ManualScore.objects.update_or_create(
            component=component,
            student_id=student_id,
            defaults={"points": points, "feedback": form.cleaned_data["feedback"]},
        )
        saved += 1
    return saved, cleared

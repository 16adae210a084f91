from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import ngettext

from courses.admin.changelist import ChangeList
from courses.admin.scoping import CourseScopedAdmin, CourseScopedInline, staff_courses
from courses.models import Reading, Session
from courses.timing import humanize_delta
from grading.models import GradeComponent
from reviews.forms import ReviewAdminForm
from reviews.models import DueOverride, Extension, Review, ReviewKind
from reviews.plan import DueTimes, author_of, published_components
from reviews.services import tell_if_published
from reviews.templatetags.review_markdown import render_markdown
from teams.models import Team


def attach_due_times(reviews) -> None:
    """Set ``review.due`` (the due time that applies to its author) on each review.
    Two queries for any number of reviews; needs kind/reading/session/course loaded."""
    reviews = list(reviews)
    if not reviews:
        return
    due_times = DueTimes({r.kind.course_id for r in reviews})
    for review in reviews:
        review.due = due_times.for_author(review.kind, review.reading, author_of(review))


class ScopedChoicesMixin:
    """Foreign-key choices limited to the staff member's courses."""

    scoped_choices = {
        "component": GradeComponent,
        "session": Session,
        "reading": Reading,
        "team": Team,
        "kind": ReviewKind,
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = self.scoped_choices.get(db_field.name)
        if model is not None and not request.user.is_superuser:
            kwargs["queryset"] = model.objects.filter(course__in=staff_courses(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DueOverrideInline(ScopedChoicesMixin, CourseScopedInline):
    model = DueOverride
    extra = 0
    fields = ["session", "due_at", "reason"]


@admin.register(ReviewKind)
class ReviewKindAdmin(ScopedChoicesMixin, CourseScopedAdmin):
    list_display = [
        "name",
        "course",
        "written_by",
        "readings",
        "due_rule",
        "late_policy",
        "max_points",
        "component",
    ]
    list_filter = ["course"]
    list_select_related = ["course", "component"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DueOverrideInline]
    fieldsets = [
        (None, {"fields": ["course", "name", "slug", "order", "prompts"]}),
        ("Who and which readings", {"fields": ["written_by", "readings", "peer_visibility"]}),
        (
            "Due time",
            {"fields": ["due_kind", "due_days_before", "due_time", "due_hours_after"]},
        ),
        (
            "Credit",
            {
                "fields": [
                    "late_policy",
                    "late_penalty_percent",
                    "max_points",
                    "rubric",
                    "component",
                    "counts_optional_as_bonus",
                ]
            },
        ),
    ]

    @admin.display(description="due")
    def due_rule(self, obj):
        return obj.policy.describe()


@admin.register(Extension)
class ExtensionAdmin(ScopedChoicesMixin, CourseScopedAdmin):
    list_display = ["__str__", "course", "kind", "reading", "reason"]
    list_filter = ["course"]
    list_select_related = ["course", "kind", "reading__paper", "student", "team"]
    raw_id_fields = ["student", "team", "reading"]
    fields = ["course", "kind", "reading", "student", "team", "due_at", "extra_days", "reason"]


class LateFilter(admin.SimpleListFilter):
    title = "lateness"
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("late", "late"), ("on_time", "on time")]

    def queryset(self, request, queryset):
        if self.value() not in ("late", "on_time"):
            return queryset
        # Due times are computed (they follow moved sessions), so filter in Python.
        reviews = list(queryset.with_related())
        attach_due_times(reviews)
        want_late = self.value() == "late"
        ids = [r.pk for r in reviews if (r.late_by(r.due) is not None) == want_late]
        return queryset.filter(pk__in=ids)


class SessionFilter(admin.SimpleListFilter):
    title = "session"
    parameter_name = "session"

    def lookups(self, request, model_admin):
        sessions = Session.objects.filter(readings__reviews__isnull=False).distinct()
        if not request.user.is_superuser:
            sessions = sessions.filter(course__in=staff_courses(request))
        return [(s.pk, f"{s.date:%Y-%m-%d} {s.title or s.topic}") for s in sessions]

    def queryset(self, request, queryset):
        value = str(self.value() or "")  # the query's text; an id when counting facets
        if value:
            if not (value.isascii() and value.isdigit()):
                raise IncorrectLookupParameters("session is a session's id")  # as Django's own
            return queryset.filter(reading__session_id=value)
        return queryset


class UngradedFilter(admin.SimpleListFilter):
    title = "grading"
    parameter_name = "graded"

    def lookups(self, request, model_admin):
        return [("no", "ungraded"), ("yes", "graded")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(points__isnull=True, is_excused=False)
        if self.value() == "yes":
            return queryset.filter(points__isnull=False)
        return queryset


class ReviewChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        attach_due_times(self.result_list)


@admin.register(Review)
class ReviewAdmin(ScopedChoicesMixin, CourseScopedAdmin):
    course_lookup = "kind__course"
    form = ReviewAdminForm
    # The grading columns come right after who wrote what, so that they are on screen
    # at laptop widths; the rest (when, which kind, an excerpt) follows.
    list_display = [
        "reading",
        "author_name",
        "points",
        "feedback",
        "feedback_published",
        "lateness",
        "is_excused",
        "submitted_local",
        "kind",
        "session_date",
        "excerpt",
    ]
    list_editable = ["points", "feedback", "feedback_published"]
    list_filter = [
        ("kind__course", admin.RelatedOnlyFieldListFilter),
        SessionFilter,
        "kind",
        LateFilter,
        UngradedFilter,
        "is_excused",
    ]
    list_select_related = [
        "kind__course",
        "reading__paper",
        "reading__session__course",
        "student",
        "team",
    ]
    search_fields = ["reading__paper__title", "student__name", "student__email", "team__name"]
    raw_id_fields = ["student", "team", "reading", "edited_by", "graded_by"]
    readonly_fields = [
        "review_text",
        "submitted_at",
        "first_submitted_at",
        "edited_by",
        "graded_by",
        "graded_at",
    ]
    actions = ["full_credit_on_time", "excuse"]

    def get_actions(self, request):
        """No "Delete selected" for course staff on graded work, beside the grading
        actions: one slip would erase it (staff excuse instead; a superuser may delete)."""
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    def get_changelist(self, request, **kwargs):
        return ReviewChangeList

    def get_urls(self):
        from django.urls import path

        from reviews.grade_queue import grade_view

        view = self.admin_site.admin_view(lambda request: grade_view(self, request))
        return [path("grade/", view, name="reviews_review_grade"), *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        # What the student wrote, and against what, is theirs: staff grade it, not edit it.
        if obj is not None:
            return ["kind", "reading", "student", "team", *self.readonly_fields]
        return self.readonly_fields

    def get_exclude(self, request, obj=None):
        return ["answers"] if obj is not None else []

    @admin.display(description="review")
    def review_text(self, obj):
        if obj.pk is None:
            return "—"
        return format_html_join(
            "",
            '<p><strong>{}</strong></p><div class="review-text">{}</div>',
            (
                (p["label"], mark_safe(render_markdown(obj.answers.get(p["key"], ""))))  # noqa: S308 - nh3 sanitised it
                for p in obj.kind.prompts
            ),
        )

    @admin.display(description="review")
    def excerpt(self, obj):
        text = " / ".join(str(v) for v in obj.answers.values() if v)
        return Truncator(text).chars(80)

    def get_changelist_form(self, request, **kwargs):
        # Grading in the list: a small feedback box and points field, so that points,
        # feedback and "published" fit beside the review at laptop widths.
        kwargs["widgets"] = {
            "points": forms.NumberInput(attrs={"style": "width: 5em", "step": "0.01"}),
            "feedback": forms.Textarea(attrs={"rows": 2, "cols": 24}),
        }
        return super().get_changelist_form(request, **kwargs)

    @admin.display(description="submitted (course time)", ordering="submitted_at")
    def submitted_local(self, obj):
        return date_format(obj.submitted_at.astimezone(obj.kind.course.tz), "D M j, g:i A T")

    @admin.display(description="session", ordering="reading__session__date")
    def session_date(self, obj):
        return obj.reading.session.date

    @admin.display(description="author")
    def author_name(self, obj):
        return obj.author_name

    @admin.display(description="late by")
    def lateness(self, obj):
        due = getattr(obj, "due", None)
        if due is None:
            return "—"
        late_by = obj.late_by(due)
        return "on time" if late_by is None else humanize_delta(late_by)

    def save_model(self, request, obj, form, change):
        # Also each row saved from the list's editable columns.
        if "points" in form.changed_data:
            obj.graded_by = request.user
            obj.graded_at = timezone.now()
        super().save_model(request, obj, form, change)
        tell_if_published(obj)

    @admin.action(description="Full credit to selected on-time reviews")
    def full_credit_on_time(self, request, queryset):
        reviews = list(queryset.with_related())
        attach_due_times(reviews)
        on_time = [r for r in reviews if r.late_by(r.due) is None and not r.is_excused]
        now = timezone.now()
        for review in on_time:
            review.points = review.kind.max_points
            review.graded_by = request.user
            review.graded_at = now
        Review.objects.bulk_update(on_time, ["points", "graded_by", "graded_at"])
        published = {}  # per course: one query, not one per review
        for review in on_time:
            course = review.kind.course
            if course.pk not in published:
                published[course.pk] = published_components(course)
            tell_if_published(review, published[course.pk])
        skipped = len(reviews) - len(on_time)
        self.message_user(
            request,
            ngettext(
                "Full credit to %d on-time review",
                "Full credit to %d on-time reviews",
                len(on_time),
            )
            % len(on_time)
            + (f"; {skipped} late or excused left unchanged." if skipped else "."),
            messages.SUCCESS,
        )

    @admin.action(description="Excuse selected reviews")
    def excuse(self, request, queryset):
        count = queryset.update(is_excused=True)
        excused = ngettext("Excused %d review.", "Excused %d reviews.", count) % count
        self.message_user(request, excused, messages.SUCCESS)

"""Staff edit the schedule: sessions with their readings inline, papers (each course
has its own), and readings (with a bulk "move to session" action). Moving a reading
keeps every claim, review and slide attached, since those point at the reading."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import models
from django.db.models import Count, Q

from courses import plugins
from courses.admin.scoping import CourseScopedAdmin, CourseScopedInline, staff_courses
from courses.models import Paper, Reading, Session


class ReadingInline(CourseScopedInline):
    model = Reading
    extra = 1
    fields = ("order", "paper", "required", "presented_by_instructor")
    autocomplete_fields = ("paper",)
    ordering = ("order", "id")
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("paper")


@admin.register(Session)
class SessionAdmin(CourseScopedAdmin):
    list_display = ("date", "weekday", "course", "kind", "topic", "title", "reading_count")
    list_display_links = ("date", "weekday")
    list_filter = ("course", "kind", "topic")
    list_select_related = ("course",)
    search_fields = ("title", "topic", "notes", "readings__paper__title")
    date_hierarchy = "date"
    fields = ("course", "date", "start_time", "kind", "topic", "title", "notes")
    inlines = [ReadingInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Due times relative to the session follow it (milestones, through courses.plugins).
        plugins.schedule_changed(form.instance.course)

    ordering = ("course", "date", "start_time")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_readings=Count("readings"))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            # A session stays in its course: its readings' papers belong to that course.
            form.base_fields["course"].disabled = True
        return form

    @admin.display(description="day")
    def weekday(self, obj):
        return obj.date.strftime("%a")

    @admin.display(description="readings", ordering="_readings")
    def reading_count(self, obj):
        return obj._readings


@admin.register(Paper)
class PaperAdmin(CourseScopedAdmin):
    """Each course has its own papers: staff see and edit those of their courses only."""

    # Links without a scheme are read as https (Django 6's default; 5.2 warns otherwise).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "course", "authors", "venue", "year", "is_placeholder")
    list_filter = ("course", "is_placeholder", "venue", "year")
    list_select_related = ("course",)
    search_fields = ("title", "authors", "venue")
    fields = ("course", "title", "authors", "venue", "year", "url", "is_placeholder")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            # A paper stays in its course (its readings are there). Disabled rather than
            # read-only, so the title is still checked against the course's other papers.
            form.base_fields["course"].disabled = True
        return form


class MoveForm(ActionForm):
    to_date = forms.DateField(
        required=False,
        label="to the session on",
        help_text="YYYY-MM-DD",
        widget=forms.DateInput(attrs={"placeholder": "YYYY-MM-DD", "size": 10}),
    )


@admin.register(Reading)
class ReadingAdmin(CourseScopedAdmin):
    list_display = (
        "paper",
        "session",
        "course",
        "required",
        "order",
        "presented_by_instructor",
        "claim_count",
    )
    list_filter = ("course", "required", "presented_by_instructor", "session__topic")
    list_select_related = ("paper", "session", "course")
    search_fields = ("paper__title", "paper__authors")
    autocomplete_fields = ("paper",)
    fields = ("session", "paper", "required", "order", "presented_by_instructor")
    action_form = MoveForm
    actions = ["move_to_session"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_claims=Count("claims", filter=Q(claims__withdrawn_at__isnull=True)))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session" and not request.user.is_superuser:
            kwargs["queryset"] = Session.objects.filter(course__in=staff_courses(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "session" in form.base_fields:
            # A reading moves only within its course, and reads one of its papers.
            form.base_fields["session"].queryset = Session.objects.filter(course=obj.course_id)
            form.base_fields["paper"].queryset = Paper.objects.filter(course=obj.course_id)
        return form

    @admin.display(description="presenters", ordering="_claims")
    def claim_count(self, obj):
        return obj._claims

    @admin.action(description="Move selected readings to the session on the date given")
    def move_to_session(self, request, queryset):
        raw = request.POST.get("to_date", "")
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            self.message_user(
                request, "Give the target session's date as YYYY-MM-DD.", messages.ERROR
            )
            return
        moved = []
        for reading in queryset.select_related("course", "paper"):
            target = Session.objects.filter(course=reading.course_id, date=day).first()
            if target is None:
                self.message_user(
                    request,
                    f"{reading.course.code} has no session on {day:%a %Y-%m-%d}; "
                    f'"{reading.paper.title}" was not moved.',
                    messages.ERROR,
                )
                continue
            if reading.session_id == target.pk:
                continue
            last = target.readings.order_by("-order").values_list("order", flat=True).first()
            reading.session = target
            reading.order = (last or 0) + 1
            reading.save(update_fields=["session", "order", "course"])
            moved.append(reading.paper.title)
        if moved:
            self.message_user(
                request,
                f"Moved to {day:%a %m/%d} with their claims, reviews and slides: "
                + "; ".join(moved),
                messages.SUCCESS,
            )

"""Presenter feedback in the admin: a course's settings (rubric, responses needed, window,
comment limit), and every response with its author for the staff (read-only: it is the
student's; staff may delete one, e.g. an abusive comment)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from courses.admin.scoping import CourseScopedAdmin
from feedback.models import FeedbackResponse, FeedbackSettings


@admin.register(FeedbackSettings)
class FeedbackSettingsAdmin(CourseScopedAdmin):
    list_display = (
        "course",
        "enabled",
        "min_responses",
        "opens",
        "closes_after_hours",
        "comment_max_length",
        "responses_page",
    )
    list_select_related = ("course",)
    fields = (
        "course",
        "enabled",
        "rubric",
        "min_responses",
        "opens",
        "closes_after_hours",
        "comment_max_length",
    )

    def get_readonly_fields(self, request, obj=None):
        return ("course",) if obj else ()

    @admin.display(description="responses")
    def responses_page(self, obj):
        return format_html(
            '<a href="{}">Presenter feedback of {}</a>',
            reverse("feedback:overview", args=[obj.course.code]),
            obj.course.code,
        )


@admin.register(FeedbackResponse)
class FeedbackResponseAdmin(CourseScopedAdmin):
    course_lookup = "reading__course"
    list_display = (
        "student_name",
        "paper",
        "session_day",
        "ratings_shown",
        "comment_start",
        "updated_at",
    )
    list_filter = ("reading__course", "reading__session")
    list_select_related = ("student", "reading__paper", "reading__session")
    search_fields = ("student__name", "student__email", "reading__paper__title", "comment")
    fields = ("reading", "student", "ratings", "comment", "submitted_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="student", ordering="student__name")
    def student_name(self, obj):
        return obj.student.name or obj.student.email

    @admin.display(description="paper", ordering="reading__paper__title")
    def paper(self, obj):
        return obj.reading.paper.title

    @admin.display(description="session", ordering="reading__session__date")
    def session_day(self, obj):
        return obj.reading.session.date

    @admin.display(description="ratings")
    def ratings_shown(self, obj):
        return ", ".join(f"{k} {v}" for k, v in obj.ratings.items())

    @admin.display(description="comment")
    def comment_start(self, obj):
        return Truncator(obj.comment).chars(80)

    def has_add_permission(self, request, *args):
        return False  # students give feedback on the page

    def has_change_permission(self, request, obj=None):
        return False

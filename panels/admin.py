"""Reviewer groups in the admin: staff put a group (team) on a session's panel. Only the
sessions and groups of the staff member's own courses are offered; a group of another
course than the session's, or one presenting in that session, is refused (the model's
``clean``)."""

from django.contrib import admin
from django.db.models import Count

from courses.admin.scoping import CourseScopedAdmin, staff_courses
from courses.models import Session
from panels.models import ReviewerGroup
from teams.models import Team


@admin.register(ReviewerGroup)
class ReviewerGroupAdmin(CourseScopedAdmin):
    course_lookup = "session__course"
    list_display = ("session", "course_code", "team", "members")
    list_filter = ("session__course", "session", "team")
    list_select_related = ("session__course", "team")
    search_fields = ("team__name", "session__title", "session__topic")
    fields = ("session", "team")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("team__members"))

    @admin.display(description="course", ordering="session__course__code")
    def course_code(self, obj):
        return obj.session.course.code

    @admin.display(description="members", ordering="member_count")
    def members(self, obj):
        return obj.member_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        courses = staff_courses(request) if not request.user.is_superuser else None
        if db_field.name == "session":
            sessions = Session.objects.meeting().select_related("course")
            kwargs["queryset"] = (
                sessions if courses is None else sessions.filter(course__in=courses)
            )
        elif db_field.name == "team":
            teams = Team.objects.select_related("course")
            kwargs["queryset"] = teams if courses is None else teams.filter(course__in=courses)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

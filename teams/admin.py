from django import forms
from django.contrib import admin
from django.db.models import Count

from courses.admin.scoping import CourseScopedAdmin, CourseScopedInline
from teams.models import Team, TeamMember


class TeamMemberFormSet(forms.BaseInlineFormSet):
    """One team per student per course: say so before the database refuses it."""

    def clean(self):
        super().clean()
        team = self.instance
        if not team.course_id:
            return
        seen = set()
        for form in self.forms:
            user = form.cleaned_data.get("user") if form.cleaned_data else None
            if user is None or form.cleaned_data.get("DELETE"):
                continue
            if user.pk in seen:
                form.add_error("user", f"{user} is listed twice.")
            seen.add(user.pk)
            clash = (
                TeamMember.objects.filter(course_id=team.course_id, user=user)
                .exclude(team_id=team.pk)
                .select_related("team")
                .first()
            )
            if clash is not None:
                form.add_error(
                    "user", f"{user} is already in {clash.team}; remove them there first."
                )


class TeamMemberInline(CourseScopedInline):
    model = TeamMember
    formset = TeamMemberFormSet
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "joined_at")
    readonly_fields = ("joined_at",)


@admin.register(Team)
class TeamAdmin(CourseScopedAdmin):
    """Staff change teams here, also after the membership deadline (no size limit for staff)."""

    list_display = ("name", "course", "working_title", "size", "join_code")
    list_filter = ("course",)
    list_select_related = ("course",)
    search_fields = ("name", "working_title", "members__user__name", "members__user__email")
    readonly_fields = ("join_code", "created_by", "created_at")
    inlines = [TeamMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(ordering="member_count")
    def size(self, team):
        return team.member_count

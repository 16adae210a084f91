"""LTI in the admin: platform registrations and the tool's keys are site-wide (superusers);
course staff see the LMS courses linked to their own courses, and sync or push from there."""

from django.contrib import admin, messages
from django.db import models

from courses.admin.scoping import CourseScopedAdmin
from lti.models import ContextLink, Deployment, Platform, PlatformUser, ToolKey

# An address typed without a scheme is https (Django 6's default, chosen now).
URLS = {models.URLField: {"assume_scheme": "https"}}


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    formfield_overrides = URLS
    list_display = ("name", "issuer", "client_id", "trust_email")
    search_fields = ("name", "issuer", "client_id")
    inlines = [DeploymentInline]
    readonly_fields = ("key_set_fetched_at",)
    fieldsets = [
        (None, {"fields": ("name", "issuer", "client_id")}),
        (
            "The platform's endpoints",
            {"fields": ("auth_login_url", "auth_token_url", "auth_audience", "key_set_url")},
        ),
        (
            "Accounts and framing",
            {"fields": ("trust_email", "frame_origins", "key_set_fetched_at")},
        ),
    ]


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "created_at", "retired_at")
    readonly_fields = ("kid", "created_at", "retired_at")
    fields = ("kid", "created_at", "retired_at")
    actions = ["rotate"]

    def has_add_permission(self, request):
        return False  # keys are made by rotation, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Rotate: a new signing key (the old ones stay published a day)")
    def rotate(self, request, queryset):
        key = ToolKey.rotate()
        self.message_user(request, f"New signing key {key.kid}.", messages.SUCCESS)


@admin.register(PlatformUser)
class PlatformUserAdmin(admin.ModelAdmin):
    list_display = ("sub", "user", "platform", "linked_at")
    list_select_related = ("user", "platform")
    list_filter = ("platform",)
    search_fields = ("sub", "user__email", "user__name")
    raw_id_fields = ("user",)


@admin.register(ContextLink)
class ContextLinkAdmin(CourseScopedAdmin):
    """Course staff see their courses' links (read-only) and run the two services on them."""

    list_display = ("context_title", "context_id", "course", "platform", "linked_at")
    list_select_related = ("course", "platform")
    list_filter = ("course",)
    search_fields = ("context_title", "context_id", "course__code")
    raw_id_fields = ("linked_by",)
    actions = ["sync_roster", "push_grades"]
    formfield_overrides = {**CourseScopedAdmin.formfield_overrides, **URLS}

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @admin.action(description="Sync roster from the LMS (Names and Roles)")
    def sync_roster(self, request, queryset):
        from lti.roster import RosterSyncError, roster_sync

        for link in queryset.select_related("course", "platform"):
            try:
                result = roster_sync(link=link)
            except RosterSyncError as exc:
                self.message_user(
                    request, f"{link.platform.name}, {link.course.code}: {exc}", messages.ERROR
                )
            else:
                self.message_user(
                    request, f"{link.platform.name}, {link.course.code}: {result.summary()}"
                )
                for line in result.changes + result.skipped:
                    self.message_user(request, line, messages.INFO)

    @admin.action(description="Push grades to the LMS gradebook (Assignment and Grade Services)")
    def push_grades(self, request, queryset):
        from lti.grades import GradePushError, grades_push

        for link in queryset.select_related("course", "platform"):
            try:
                result = grades_push(link=link)
            except GradePushError as exc:
                self.message_user(
                    request, f"{link.platform.name}, {link.course.code}: {exc}", messages.ERROR
                )
                continue
            level = messages.WARNING if result.failures else messages.SUCCESS
            self.message_user(
                request, f"{link.platform.name}, {link.course.code}: {result.summary()}", level
            )
            for failure in result.failures:
                self.message_user(request, f"Not accepted: {failure}", messages.WARNING)

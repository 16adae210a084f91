"""Threads in the admin: a course's discussion settings, which readings have a thread (per
review kind or per session, and whether a post is the review), and the posts themselves,
with the author's name, for staff to read, endorse, pin or remove."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone

from courses.admin.scoping import CourseScopedAdmin, staff_courses
from courses.models import Session
from discussions.models import DiscussionSettings, Post, ThreadRule
from reviews.models import ReviewKind


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(CourseScopedAdmin):
    """A course's thread rules; a course without a row has the defaults. Its own page, as
    attendance's, so the course form is unchanged."""

    list_display = ("course", "see_after_posting", "edit_minutes", "max_length", "allow_anonymous")
    list_select_related = ("course",)
    fields = ("course", "see_after_posting", "edit_minutes", "max_length", "allow_anonymous")

    def get_readonly_fields(self, request, obj=None):
        return ("course",) if obj else ()


@admin.register(ThreadRule)
class ThreadRuleAdmin(CourseScopedAdmin):
    list_display = ("__str__", "course", "kind", "session", "counts_as_review")
    list_filter = ("course", "counts_as_review")
    list_select_related = ("course", "kind", "session")
    fields = ("course", "kind", "session", "counts_as_review")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        courses = staff_courses(request)
        if db_field.name == "kind" and not request.user.is_superuser:
            kwargs["queryset"] = ReviewKind.objects.filter(course__in=courses)
        elif db_field.name == "session" and not request.user.is_superuser:
            kwargs["queryset"] = Session.objects.filter(course__in=courses).select_related("course")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class IsReplyFilter(admin.SimpleListFilter):
    title = "post or reply"
    parameter_name = "reply"

    def lookups(self, request, model_admin):
        return (("no", "posts"), ("yes", "replies"))

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(parent__isnull=True)
        if self.value() == "yes":
            return queryset.filter(parent__isnull=False)
        return queryset


@admin.register(Post)
class PostAdmin(CourseScopedAdmin):
    course_lookup = "reading__course"
    list_display = (
        "excerpt",
        "author_name",
        "anonymous",
        "paper",
        "created_at",
        "reply_count",
        "pinned",
        "endorsed",
    )
    list_filter = ("reading__course", IsReplyFilter, "anonymous", "pinned")
    list_select_related = ("author", "reading__paper", "endorsed_by")
    search_fields = ("body", "author__name", "author__email", "reading__paper__title")
    fields = (
        "reading",
        "parent",
        "author",
        "anonymous",
        "body",
        "created_at",
        "edited_at",
        "pinned",
        "endorsed_by",
        "endorsed_at",
        "review",
    )
    readonly_fields = (
        "reading",
        "parent",
        "author",
        "anonymous",
        "body",
        "created_at",
        "edited_at",
        "endorsed_by",
        "endorsed_at",
        "review",
    )
    actions = ["endorse", "pin"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(replies_n=Count("replies"))

    def has_add_permission(self, request, *args):
        return False  # posts are written in the thread, under their author's name

    @admin.display(description="post")
    def excerpt(self, obj):
        text = " ".join(obj.body.split())
        return text[:80] + ("…" if len(text) > 80 else "")

    @admin.display(description="author", ordering="author__name")
    def author_name(self, obj):
        return obj.author.name or obj.author.email

    @admin.display(description="reading", ordering="reading__paper__title")
    def paper(self, obj):
        return obj.reading.paper.title

    @admin.display(description="replies", ordering="replies_n")
    def reply_count(self, obj):
        return obj.replies_n

    @admin.display(description="endorsed", boolean=True)
    def endorsed(self, obj):
        return obj.endorsed_by_id is not None

    @admin.action(description="Endorse the selected posts")
    def endorse(self, request, queryset):
        count = queryset.filter(endorsed_by__isnull=True).update(
            endorsed_by=request.user, endorsed_at=timezone.now()
        )
        self.message_user(request, f"Endorsed {count} post{'s' if count != 1 else ''}.")

    @admin.action(description="Pin the selected posts (not replies)")
    def pin(self, request, queryset):
        count = queryset.filter(Q(parent__isnull=True)).update(pinned=True)
        self.message_user(request, f"Pinned {count} post{'s' if count != 1 else ''}.")

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from courses import plugins
from courses.admin.labels import LabelledInputsMixin
from courses.admin.scoping import CourseScopedAdmin, staff_courses
from courses.models import Course, Membership, Role
from courses.services.invitations import members_invite
from courses.services.roster import RosterError, admin_access_sync, roster_import
from courses.services.schedule import purge_course


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster CSV", help_text="Columns: email, name, student_id (optional: role, section)."
    )
    drop_missing = forms.BooleanField(
        required=False,
        label="Mark members who are not in the file as dropped",
        help_text="Their work is kept and their access ends. A file without a role column "
        "lists students: it drops absent students only, never the staff.",
    )
    invite = forms.BooleanField(
        required=False,
        initial=True,
        label="Email an invitation to set a password to everyone in the file who has none yet",
    )


class MembershipInline(LabelledInputsMixin, admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "section", "dropped_at")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Course)
class CourseAdmin(CourseScopedAdmin):
    course_lookup = "pk"
    list_display = ("code", "title", "term", "time_zone", "student_count", "view_on_site_link")
    search_fields = ("code", "title", "term")
    inlines = [MembershipInline]

    def get_inlines(self, request, obj):
        # Apps add their parts of a course (grade components) through courses.plugins.
        return [*self.inlines, *plugins.flattened("course_admin_inlines")]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:  # the default start time may have moved every session's class time
            plugins.schedule_changed(form.instance)

    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("code", "title", "term", "institution", "description")}),
        ("Time", {"fields": ("time_zone", "default_start_time", "session_minutes", "location")}),
        (
            "Paper claims",
            {
                "fields": (
                    "claims_mode",
                    "claims_open_at",
                    "claims_close_at",
                    "preferences_open_at",
                    "preferences_close_at",
                    "preferences_min_ranked",
                    "preferences_show_counts",
                    "presents_by",
                    "presenters_per_reading",
                    "claims_per_presenter",
                    "slides_due_hours",
                ),
                "description": "Leave the windows empty for a course without presentations. "
                "First come: students claim during the claim window. By preference: students "
                "rank readings during the preference window, which replaces the claim window "
                "for them, and staff allocate at its close (Claims → Allocations).",
            },
        ),
        (
            "Projects",
            {
                "fields": ("team_min_size", "team_max_size", "team_deadline"),
                "description": "Leave the maximum team size empty for a course without projects.",
            },
        ),
        ("Grading", {"fields": ("letter_scale", "email_grades")}),
    )

    def get_queryset(self, request):
        from django.db.models import Count, Q

        qs = super().get_queryset(request)
        return qs.annotate(
            n_students=Count(
                "memberships",
                filter=Q(memberships__role=Role.STUDENT, memberships__dropped_at__isnull=True),
            )
        )

    @admin.display(description="students", ordering="n_students")
    def student_count(self, obj):
        return obj.n_students

    @admin.display(description="site")
    def view_on_site_link(self, obj):
        from django.utils.html import format_html

        return format_html('<a href="{}">schedule</a>', obj.get_absolute_url())

    def has_add_permission(self, request, *args):
        # New courses come from a superuser or `import_course`; staff run the ones they have.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def delete_model(self, request, obj):
        # Readings protect their claims and reviews from accidental loss; deleting the
        # whole course is the one place where that work goes too.
        purge_course(obj)

    def delete_queryset(self, request, queryset):
        for course in queryset:
            purge_course(course)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/import-roster/",
                self.admin_site.admin_view(self.import_roster_view),
                name="courses_course_import_roster",
            ),
        ] + super().get_urls()

    def import_roster_view(self, request, object_id):
        if not (object_id.isascii() and object_id.isdigit() and len(object_id) < 19):
            raise Http404("No such course.")
        course = get_object_or_404(
            staff_courses(request) if not request.user.is_superuser else Course.objects,
            pk=object_id,
        )
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        problems = []
        result = invited = None
        if request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"].read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text; save it as “CSV UTF-8”.")
            else:
                try:
                    result = roster_import(
                        course=course, text=text, drop_missing=form.cleaned_data["drop_missing"]
                    )
                except RosterError as exc:
                    problems = exc.problems
                    form.add_error(
                        "file", "Nothing was imported; fix the lines below and upload again."
                    )
                else:
                    invited = 0
                    if form.cleaned_data["invite"]:
                        invited = members_invite(
                            memberships=Membership.objects.filter(
                                course=course, user__email__in=result.emails
                            ).select_related("user", "course")
                        )
                    # The page itself lists what changed, member by member.
                    messages.success(
                        request,
                        f"Roster imported: {result.summary()}; "
                        + ngettext("%d invitation sent.", "%d invitations sent.", invited)
                        % invited,
                    )
                    form = RosterUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import roster into {course.code}",
            "course": course,
            "form": form,
            "problems": problems,
            "result": result,
            "opts": self.model._meta,
        }
        return render(request, "admin/courses/course/import_roster.html", context)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Membership:
            admin_access_sync(users=_staff_role_changed(formset))


def _staff_role_changed(formset):
    """The people whose staff role may have begun or ended in this membership formset."""
    users = [m.user for m in formset.deleted_objects if m.role != Role.STUDENT]
    for membership, fields in formset.changed_objects:
        if {"role", "dropped_at"} & set(fields):
            users.append(membership.user)
    users += [m.user for m in formset.new_objects if m.is_staff]
    return users


class MembershipStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "in the course"), ("dropped", "dropped")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "dropped":
            return queryset.dropped()
        return queryset


@admin.register(Membership)
class MembershipAdmin(CourseScopedAdmin):
    list_display = ("user", "user_email", "course", "role", "section", "status", "joined_at")
    list_filter = ("course", "role", MembershipStatusFilter)
    list_select_related = ("user", "course")
    search_fields = ("user__email", "user__name", "user__student_id")
    raw_id_fields = ("user",)
    actions = ["send_invitations", "drop", "restore"]

    @admin.display(description="status", ordering="dropped_at")
    def status(self, obj):
        if obj.dropped_at is None:
            return "in the course"
        return f"dropped {date_format(timezone.localtime(obj.dropped_at), 'DATE_FORMAT')}"

    @admin.action(description="Mark as dropped (work kept, access ends)")
    def drop(self, request, queryset):
        chosen = list(queryset.active().select_related("user"))
        Membership.all_objects.filter(pk__in=[m.pk for m in chosen]).update(
            dropped_at=timezone.now()
        )
        admin_access_sync(users=[m.user for m in chosen if m.role != Role.STUDENT])
        n = len(chosen)
        self.message_user(request, ngettext("%d member dropped.", "%d members dropped.", n) % n)

    @admin.action(description="Restore to the course")
    def restore(self, request, queryset):
        chosen = list(queryset.dropped().select_related("user"))
        Membership.all_objects.filter(pk__in=[m.pk for m in chosen]).update(dropped_at=None)
        admin_access_sync(users=[m.user for m in chosen if m.role != Role.STUDENT])
        n = len(chosen)
        self.message_user(request, ngettext("%d member restored.", "%d members restored.", n) % n)

    @admin.action(description="Email an invitation to set a password (people without one)")
    def send_invitations(self, request, queryset):
        sent = members_invite(memberships=queryset.select_related("user", "course"))
        skipped = queryset.count() - sent
        note = f"; {skipped} skipped (they have a password already)" if skipped else ""
        invitations = ngettext("%d invitation sent", "%d invitations sent", sent) % sent
        self.message_user(request, f"{invitations}{note}.")

    @admin.display(description="email", ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_staff or (change and {"role", "dropped_at"} & set(form.changed_data)):
            admin_access_sync(users=[obj.user])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        if obj.role != Role.STUDENT:
            admin_access_sync(users=[obj.user])

    def delete_queryset(self, request, queryset):
        users = [m.user for m in queryset.select_related("user") if m.role != Role.STUDENT]
        super().delete_queryset(request, queryset)
        admin_access_sync(users=users)

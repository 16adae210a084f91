"""Claims, their audit trail and slides in the admin.

Adding a claim here is a staff assignment: it goes through the same service as
the board (course lock, limits, a reason kept in the audit log), also after the
window closed. An existing claim is edited only for its presentation grade;
moving and removing presenters happen on the claims board, with a reason.
"""

from django import forms
from django.contrib import admin

from claims.models import Claim, ClaimEvent, Slides
from claims.services import ClaimError, claim_assign
from courses.admin.scoping import CourseScopedAdmin, staff_courses
from courses.models import Reading
from teams.models import Team


class ActiveFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "active"), ("withdrawn", "withdrawn")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(withdrawn_at__isnull=True)
        if self.value() == "withdrawn":
            return queryset.filter(withdrawn_at__isnull=False)
        return queryset


class ClaimAssignForm(forms.ModelForm):
    reason = forms.CharField(
        max_length=200, help_text="Why staff assign this presenter; kept in the audit log."
    )

    class Meta:
        model = Claim
        fields = ["reading", "student", "team", "reason"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            # The service writes (under the course lock) inside the admin's transaction.
            self.instance = claim_assign(
                reading=data["reading"],
                student=data.get("student"),
                team=data.get("team"),
                actor=self.request_user,
                reason=data.get("reason", ""),
            )
        except ClaimError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


@admin.register(Claim)
class ClaimAdmin(CourseScopedAdmin):
    def get_actions(self, request):
        """No "Delete selected" for course staff: a claim may carry a presentation grade
        (staff remove a claim one at a time, with a reason, from the claims board)."""
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    list_display = (
        "holder_name",
        "reading",
        "session_date",
        "seat",
        "is_active",
        "claimed_at",
        "by_staff",
        "points",
    )
    list_filter = ("course", ActiveFilter, "by_staff", "reading__session")
    list_select_related = ("student", "team", "reading__paper", "reading__session")
    search_fields = ("student__name", "student__email", "team__name", "reading__paper__title")
    raw_id_fields = ("student",)
    date_hierarchy = "claimed_at"
    change_fields = (
        "course",
        "reading",
        "student",
        "team",
        "seat",
        "claimed_at",
        "claimed_by",
        "by_staff",
        "reason",
        "withdrawn_at",
        "withdrawn_by",
        "points",
        "feedback",
    )

    @admin.display(description="presenter", ordering="student__name")
    def holder_name(self, obj):
        return str(obj.holder)

    @admin.display(description="session", ordering="reading__session__date")
    def session_date(self, obj):
        return obj.reading.session.date

    @admin.display(description="active", boolean=True)
    def is_active(self, obj):
        return obj.withdrawn_at is None

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ClaimAssignForm
            form = super().get_form(request, obj, **kwargs)
            form.request_user = request.user
            return form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ClaimAssignForm.Meta.fields if obj is None else self.change_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(f for f in self.change_fields if f not in ("points", "feedback"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reading":
            kwargs["queryset"] = (
                Reading.objects.claimable()
                .filter(course__in=staff_courses(request))
                .select_related("paper", "session")
            )
        elif db_field.name == "team":
            kwargs["queryset"] = Team.objects.filter(course__in=staff_courses(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["points", "feedback"])
        # On add, the form's clean() already assigned through the service.

    def has_delete_permission(self, request, obj=None):
        return False  # history is kept: remove presenters on the board, with a reason


@admin.register(ClaimEvent)
class ClaimEventAdmin(CourseScopedAdmin):
    # The paper and session as they were then: still there after the reading is removed.
    list_display = ("at", "action", "holder", "paper_title", "session_date", "actor", "reason")
    list_filter = ("course", "action")
    list_select_related = ("actor",)
    search_fields = ("holder", "paper_title", "actor__email", "reason")
    date_hierarchy = "at"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Slides)
class SlidesAdmin(CourseScopedAdmin):
    course_lookup = "reading__course"
    list_display = ("reading", "original_name", "content_type", "uploaded_by", "uploaded_at")
    list_filter = ("reading__course",)
    list_select_related = ("reading__paper", "uploaded_by")
    readonly_fields = ("reading", "file", "original_name", "content_type", "uploaded_by")

    def has_add_permission(self, request, *args):
        return False  # presenters upload on the site, where the file type is checked

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import ngettext

from seminar.models import User


class SeminarUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class SeminarUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class CourseFilter(admin.SimpleListFilter):
    """People by course, offering only the courses the staff member runs."""

    title = "course"
    parameter_name = "course"

    def lookups(self, request, model_admin):
        from courses.models import Course

        courses = Course.objects.all()
        if not request.user.is_superuser:
            courses = Course.objects.for_staff(request.user)
        return [(str(c.pk), c.code) for c in courses.order_by("code")]

    def queryset(self, request, queryset):
        # Only one of the offered courses: another id would tell which of the staff
        # member's students are also in some other course.
        if self.value() in {key for key, _ in self.lookup_choices}:
            return queryset.filter(memberships__course_id=self.value()).distinct()
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = SeminarUserChangeForm
    add_form = SeminarUserCreationForm
    list_display = ("email", "name", "student_id", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", CourseFilter)
    search_fields = ("email", "name", "student_id")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name", "student_id")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Course staff see the people in their own courses only.
        from courses.models import Course

        return qs.filter(memberships__course__in=Course.objects.for_staff(request.user)).distinct()

    def has_change_permission(self, request, obj=None):
        # Only superusers change accounts directly; course staff manage memberships.
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


# Sign-in lock-outs (django-axes): course staff may see and lift the locks of the
# people in their own courses; a superuser sees all.
from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin  # noqa: E402
from axes.admin import AccessFailureLogAdmin, AccessLogAdmin  # noqa: E402
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: E402

from courses.admin.changelist import ChangeListMixin  # noqa: E402

for model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
# Axes' lists have date hierarchies: they take the change list that survives a bad year.
admin.site.register(AccessLog, type("AccessLogAdmin", (ChangeListMixin, AccessLogAdmin), {}))
admin.site.register(
    AccessFailureLog,
    type("AccessFailureLogAdmin", (ChangeListMixin, AccessFailureLogAdmin), {}),
)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ChangeListMixin, AxesAccessAttemptAdmin):
    actions = ["unlock"]
    # Axes also filters by path, whose blank value would be a link with no name.
    list_filter = [f for f in AxesAccessAttemptAdmin.list_filter if f != "path_info"]

    def _course_emails(self, request):
        from courses.models import Course

        return User.objects.filter(
            memberships__course__in=Course.objects.for_staff(request.user)
        ).values("email")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(username__in=self._course_emails(request))

    def _is_course_staff(self, request):
        from courses.admin.scoping import is_course_staff

        return is_course_staff(request)

    def has_module_permission(self, request):
        return self._is_course_staff(request)

    def has_view_permission(self, request, obj=None):
        return self._is_course_staff(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_course_staff(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Unlock: let them sign in again now")
    def unlock(self, request, queryset):
        count = queryset.count()
        queryset.delete()
        self.message_user(
            request,
            ngettext("Unlocked %d sign-in record.", "Unlocked %d sign-in records.", count) % count,
        )

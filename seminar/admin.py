from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from seminar.models import User


class SeminarUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class SeminarUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = SeminarUserChangeForm
    add_form = SeminarUserCreationForm
    list_display = ("email", "name", "student_id", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "memberships__course")
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

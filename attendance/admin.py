"""Check-ins and attendance records in the admin: staff open a check-in for any meeting
session of their courses and correct records (present, excused, absent); each correction
records who made it."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from attendance.models import Attendance, AttendanceSettings, CheckIn, Status
from courses.admin.scoping import CourseScopedAdmin, CourseScopedInline, staff_courses
from courses.models import Membership, Session


@admin.register(AttendanceSettings)
class AttendanceSettingsAdmin(CourseScopedAdmin):
    """A course's grace minutes and wrong-code limit; a course without a row has the
    defaults. Its own page rather than an inline of the course's, so the course form (and
    whatever posts it) is unchanged."""

    list_display = ("course", "grace_minutes", "wrong_code_limit")
    list_select_related = ("course",)
    fields = ("course", "grace_minutes", "wrong_code_limit")

    def get_readonly_fields(self, request, obj=None):
        return ("course",) if obj else ()


class AttendanceInline(CourseScopedInline):
    model = Attendance
    extra = 0
    fields = ("student", "status", "checked_in_at", "corrected_by", "corrected_at")
    readonly_fields = ("student", "checked_in_at", "corrected_by", "corrected_at")
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False  # add a student's record on the attendance page or the records list


@admin.register(CheckIn)
class CheckInAdmin(CourseScopedAdmin):
    course_lookup = "session__course"
    list_display = ("session", "course_code", "code", "present", "opened_by", "opened_at")
    list_filter = ("session__course",)
    list_select_related = ("session__course", "opened_by")
    fields = ("session", "code")
    inlines = [AttendanceInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(present_count=Count("records", filter=Q(records__status=Status.PRESENT)))
        )

    @admin.display(description="course", ordering="session__course__code")
    def course_code(self, obj):
        return obj.session.course.code

    @admin.display(description="present", ordering="present_count")
    def present(self, obj):
        return obj.present_count

    def get_readonly_fields(self, request, obj=None):
        return ("session",) if obj else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # a new check-in has no records yet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            kwargs["queryset"] = (
                Session.objects.meeting()
                .filter(course__in=staff_courses(request), checkin__isnull=True)
                .select_related("course")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        records = formset.save(commit=False)
        for record in records:
            record.corrected_by, record.corrected_at = request.user, timezone.now()
            record.save()
        for record in formset.deleted_objects:
            record.delete()


@admin.register(Attendance)
class AttendanceAdmin(CourseScopedAdmin):
    course_lookup = "checkin__session__course"
    list_display = ("student_name", "session", "status", "checked_in_at", "corrected_by")
    list_editable = ("status",)
    list_filter = ("checkin__session__course", "status", "checkin__session")
    list_select_related = ("student", "checkin__session", "corrected_by")
    search_fields = ("student__name", "student__email")
    fields = ("checkin", "student", "status", "checked_in_at", "corrected_by", "corrected_at")
    readonly_fields = ("checked_in_at", "corrected_by", "corrected_at")

    @admin.display(description="student", ordering="student__name")
    def student_name(self, obj):
        return obj.student.name or obj.student.email

    @admin.display(description="session", ordering="checkin__session__date")
    def session(self, obj):
        return obj.checkin.session

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return ("checkin", "student", *self.readonly_fields)
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        courses = staff_courses(request)
        if db_field.name == "checkin":
            kwargs["queryset"] = CheckIn.objects.filter(session__course__in=courses).select_related(
                "session"
            )
        elif db_field.name == "student":
            kwargs["queryset"] = get_user_model().objects.filter(
                pk__in=Membership.objects.students().filter(course__in=courses).values("user_id")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.corrected_by, obj.corrected_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)

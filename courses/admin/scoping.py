"""Admin classes limited to the courses the signed-in staff member runs.

Course staff (instructors and TAs) get admin access without Django model
permissions: what they may see and change is decided by their course
memberships. A superuser sees every course.
"""

from zoneinfo import available_timezones

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.widgets import (
    AdminSplitDateTime,
    BaseAdminDateWidget,
    BaseAdminTimeWidget,
)
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.admin.changelist import ChangeListMixin
from courses.admin.labels import LabelledInputsMixin
from courses.fields import DeadlineField
from courses.models import Course


class DeadlineWidget(AdminSplitDateTime):
    """The admin's date and time boxes, the time to the minute: a deadline is stored as
    23:59:59.999999 and shown as staff typed it, 23:59."""

    def __init__(self, attrs=None):
        widgets = [BaseAdminDateWidget, BaseAdminTimeWidget(format="%H:%M")]
        forms.MultiWidget.__init__(self, widgets, attrs)


class ScopedValuesListFilter(admin.AllValuesFieldListFilter):
    """Django's values filter, offering only values found in the rows this staff member
    sees (for a path through a relation, Django would list every course's values)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        rows = model_admin.get_queryset(request)
        if field.get_internal_type() in ("CharField", "TextField"):
            # A blank value would be a filter link with no text (no accessible name).
            rows = rows.exclude(**{field_path: ""})
        self.lookup_choices = (
            rows.order_by(field_path).values_list(field_path, flat=True).distinct()
        )


def scoped_list_filter(model, entry):
    """A list_filter entry whose choices come only from the staff member's own courses:
    relations through RelatedOnlyFieldListFilter, other fields through their values in
    the scoped rows. Choices filters (booleans, choices, custom classes) are left as they are."""
    if not isinstance(entry, str):
        return entry
    field = get_fields_from_path(model, entry)[-1]
    if field.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    if field.choices or field.get_internal_type() in ("BooleanField", "DateTimeField", "DateField"):
        return entry
    return (entry, ScopedValuesListFilter)


def staff_courses(request):
    """Courses the request's user is staff of (cached on the request: one query)."""
    if not hasattr(request, "_staff_courses"):
        request._staff_courses = Course.objects.for_staff(request.user)
    return request._staff_courses


def is_course_staff(request) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    if not hasattr(request, "_is_course_staff"):
        request._is_course_staff = staff_courses(request).exists()
    return request._is_course_staff


class CourseScopedMixin(ChangeListMixin):
    # Lookup from this model to its Course, e.g. "reading__course".
    course_lookup = "course"
    formfield_overrides = {
        DeadlineField: {"form_class": forms.SplitDateTimeField, "widget": DeadlineWidget}
    }

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.course_lookup}__in": staff_courses(request)})

    # Times in the admin are entered and shown in the course's time zone: a change form
    # in its object's course's zone (an add form in the chosen or only course's zone), a
    # list in the zone the staff member's courses share. Otherwise (a superuser across
    # zones) in UTC, which the admin then says next to every time.
    def _course_zone(self, request, object_id=None) -> str | None:
        courses = staff_courses(request) if not request.user.is_superuser else Course.objects.all()
        if self.course_lookup == "pk" and request.method == "POST":
            # The course form itself: its times are read in the zone it is being given.
            chosen = request.POST.get("time_zone", "")
            if chosen in available_timezones():
                return chosen
        if object_id is not None:
            lookup = "pk" if self.course_lookup == "pk" else f"{self.course_lookup}__pk"
            try:
                course_ids = list(
                    self.get_queryset(request)
                    .filter(pk=unquote(object_id))
                    .values_list(lookup, flat=True)[:1]
                )
            except (ValueError, ValidationError):
                return None  # not an id: the admin answers "doesn't exist"
            zones = Course.objects.filter(pk__in=course_ids).values_list("time_zone", flat=True)
            return zones.first()
        chosen = request.POST.get("course") or request.GET.get("course")
        if chosen and str(chosen).isdigit():
            return courses.filter(pk=chosen).values_list("time_zone", flat=True).first()
        zones = set(courses.order_by().values_list("time_zone", flat=True).distinct()[:2])
        return zones.pop() if len(zones) == 1 else None

    def _in_zone(self, zone, view, request, *args, **kwargs):
        if not zone:
            return view(request, *args, **kwargs)
        extra = {**(kwargs.pop("extra_context", None) or {}), "course_time_zone": zone}
        with timezone.override(zone):
            response = view(request, *args, extra_context=extra, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # widgets and lists format their times now, in the zone
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._in_zone(
            self._course_zone(request, object_id),
            super().changeform_view,
            request,
            object_id,
            form_url,
            extra_context=extra_context,
        )

    def changelist_view(self, request, extra_context=None):
        return self._in_zone(
            self._course_zone(request),
            super().changelist_view,
            request,
            extra_context=extra_context,
        )

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [scoped_list_filter(self.model, entry) for entry in filters]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Course and not request.user.is_superuser:
            kwargs["queryset"] = staff_courses(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request, obj=None) -> bool:
        if not is_course_staff(request):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return is_course_staff(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request, *args):
        return is_course_staff(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)


class CourseScopedAdmin(LabelledInputsMixin, CourseScopedMixin, admin.ModelAdmin):
    pass


class CourseScopedInline(LabelledInputsMixin, CourseScopedMixin, admin.TabularInline):
    def get_queryset(self, request):
        # Inlines are filtered by their parent already.
        return super(CourseScopedMixin, self).get_queryset(request)

    def _allowed(self, request, obj=None) -> bool:
        return is_course_staff(request)

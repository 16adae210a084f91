"""Claims, their audit trail and slides in the admin.

Adding a claim here is a staff assignment: it goes through the same service as
the board (course lock, limits, a reason kept in the audit log), also after the
window closed. An existing claim is edited only for its presentation grade;
moving and removing presenters happen on the claims board, with a reason.
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from claims.models import Allocation, Claim, ClaimEvent, Preference, Slides, SwapProposal
from claims.preferences import (
    PreferenceError,
    allocation_publish,
    allocation_rows,
    allocation_run,
    rank_line,
)
from claims.services import ClaimError, claim_assign
from courses.admin.scoping import CourseScopedAdmin, staff_courses
from courses.models import ClaimsMode, Course, Reading
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
    list_display = (
        "at",
        "action",
        "holder",
        "paper_title",
        "session_date",
        "actor",
        "reason",
        "allocation",
    )
    list_filter = ("course", "action")
    list_select_related = ("actor", "allocation")
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


class RunForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        widget=forms.Select(attrs={"style": "max-width: 100%"}),  # long titles, phone width
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**62,
        help_text="Leave empty for a random seed; the same seed gives the same allocation.",
    )


def _ordinal(rank: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(rank, f"{rank}th")


@admin.register(Allocation)
class AllocationAdmin(CourseScopedAdmin):
    """Allocations by preference: run one (Run allocation), review its statistics and
    every line, run again with another seed, publish one (it becomes claims)."""

    list_display = ("pk", "course", "seed", "run_at", "run_by", "summary", "published_at")
    list_display_links = ("pk", "seed")
    list_filter = ("course",)
    list_select_related = ("course", "run_by")
    actions = ["run_again"]

    @admin.display(description="ranks")
    def summary(self, obj):
        stats = obj.stats or {}
        return f"{stats.get('placed', 0)} of {stats.get('holders', 0)} placed; " + rank_line(
            {"none_of_theirs": 0, "ranked_nothing": 0, "unplaced": 0, **stats}
        )

    def has_add_permission(self, request, *args):
        return False  # "Run allocation" computes one

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("run/", view(self.run_view), name="claims_allocation_run"),
            path("<int:pk>/review/", view(self.review_view), name="claims_allocation_review"),
            path(
                "<int:pk>/publish/",
                view(require_POST(self.publish_view)),
                name="claims_allocation_publish",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mine = self.get_queryset(request).filter(course__in=self._courses(request))
        if not (object_id.isascii() and object_id.isdigit() and len(object_id) < 19) or not (
            mine.filter(pk=object_id).exists()
        ):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return redirect("admin:claims_allocation_review", int(object_id))

    def changelist_view(self, request, extra_context=None):
        extra = {**(extra_context or {}), "run_url": reverse("admin:claims_allocation_run")}
        return super().changelist_view(request, extra_context=extra)

    def _courses(self, request):
        courses = Course.objects.all() if request.user.is_superuser else staff_courses(request)
        return courses.filter(claims_mode=ClaimsMode.PREFERENCES)

    def _mine(self, request, pk) -> Allocation:
        return get_object_or_404(
            Allocation.objects.select_related("course", "run_by", "published_by"),
            pk=pk,
            course__in=self._courses(request),
        )

    def run_view(self, request):
        form = RunForm(request.POST or None, initial={"course": request.GET.get("course")})
        form.fields["course"].queryset = self._courses(request)
        if request.method == "POST" and form.is_valid():
            try:
                allocation = allocation_run(
                    course=form.cleaned_data["course"],
                    actor=request.user,
                    seed=form.cleaned_data["seed"],
                )
            except PreferenceError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("admin:claims_allocation_review", allocation.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Run an allocation by preference",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/allocation/run.html", context)

    def review_view(self, request, pk):
        allocation = self._mine(request, pk)
        if request.method == "POST":  # run again, with the seed typed or a random one
            form = RunForm(request.POST)
            form.fields["course"].queryset = self._courses(request)
            if form.is_valid() and form.cleaned_data["course"] == allocation.course:
                again = allocation_run(
                    course=allocation.course, actor=request.user, seed=form.cleaned_data["seed"]
                )
                return redirect("admin:claims_allocation_review", again.pk)
            messages.error(request, "The seed must be a whole number from 0.")
        stats = allocation.stats or {}
        by_rank = [(_ordinal(int(k)), n) for k, n in stats.get("by_rank", {}).items()]
        rows = allocation_rows(allocation)
        published = Allocation.objects.filter(
            course=allocation.course, published_at__isnull=False
        ).first()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Allocation {allocation.pk} of {allocation.course.code}",
            "allocation": allocation,
            "stats": stats,
            "by_rank": by_rank,
            "rows": rows,
            "none_rows": [row for row in rows if row.rank is None and row.ranked],
            "published": published,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/allocation/review.html", context)

    def publish_view(self, request, pk):
        allocation = self._mine(request, pk)
        try:
            claims = allocation_publish(allocation=allocation, actor=request.user)
        except PreferenceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Published: {len(claims)} claims made, each presenter emailed. "
                "The claims board shows them.",
            )
        return redirect("admin:claims_allocation_review", allocation.pk)

    @admin.action(description="Run again with a new random seed")
    def run_again(self, request, queryset):
        courses = {a.course for a in queryset.select_related("course")}
        for course in courses:
            again = allocation_run(course=course, actor=request.user)
            messages.success(request, f"{course.code}: allocation {again.pk}, seed {again.seed}.")


@admin.register(Preference)
class PreferenceAdmin(CourseScopedAdmin):
    list_display = ("holder_name", "rank", "reading", "ranked_by", "ranked_at")
    list_filter = ("course",)
    list_select_related = ("student", "team", "reading__paper", "reading__session", "ranked_by")
    search_fields = ("student__name", "student__email", "team__name", "reading__paper__title")

    @admin.display(description="student or team")
    def holder_name(self, obj):
        return str(obj.holder)

    def has_add_permission(self, request, *args):
        return False  # students rank on the preferences page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SwapProposal)
class SwapProposalAdmin(CourseScopedAdmin):
    """The swaps presenters proposed, accepted and cancelled: who, when, which claims."""

    list_display = ("proposed_at", "offered", "wanted", "proposed_by", "status", "decided_by")
    list_filter = ("course", "status")
    list_select_related = (
        "offered__student",
        "offered__team",
        "offered__reading__paper",
        "wanted__student",
        "wanted__team",
        "wanted__reading__paper",
        "proposed_by",
        "decided_by",
    )

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Who may reach what in a course: shared by every app's views.

A view that handles one course calls ``course_context`` (or uses the
decorators) and gets the course and the user's membership in one query.
Outsiders get 404, not 403, for anything personal, so ids in URLs reveal
nothing.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import F, FilteredRelation, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.models import STAFF_ROLES, Course, Membership, Role


@dataclass
class CourseAccess:
    course: Course
    membership: Membership | None
    is_superuser: bool = False

    @property
    def role(self) -> str | None:
        if self.membership:
            return self.membership.role
        return Role.INSTRUCTOR if self.is_superuser else None

    @property
    def is_member(self) -> bool:
        return self.membership is not None or self.is_superuser

    @property
    def is_staff(self) -> bool:
        return self.is_superuser or (
            self.membership is not None and self.membership.role in STAFF_ROLES
        )

    @property
    def is_student(self) -> bool:
        return self.membership is not None and self.membership.role == Role.STUDENT


def course_access(request, code: str) -> CourseAccess:
    """The course with this code and the user's membership in it, in one query."""
    courses = Course.objects.filter(code=code)
    user = request.user
    if user.is_authenticated:
        # A LEFT JOIN to the user's membership: at most one row (unique per user and
        # course), and only its id and role are needed.
        courses = courses.annotate(
            mine=FilteredRelation("memberships", condition=Q(memberships__user=user))
        ).annotate(my_membership_id=F("mine__id"), my_role=F("mine__role"))
    course = get_object_or_404(courses)
    membership = None
    if getattr(course, "my_membership_id", None) is not None:
        membership = Membership(
            pk=course.my_membership_id, course=course, user=user, role=course.my_role
        )
    access = CourseAccess(course, membership, user.is_authenticated and user.is_superuser)
    request.course_access = access
    return access


def member_required(view):
    """Signed-in members of the course (any role); others: sign-in page or 404."""

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access = course_access(request, code)
        if not access.is_member:
            raise Http404("You are not in this course.")
        return view(request, access, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Instructors and TAs of the course (and superusers)."""

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access = course_access(request, code)
        if not access.is_staff:
            raise Http404("Only the course staff can open this page.")
        return view(request, access, *args, **kwargs)

    return wrapper


__all__ = [
    "CourseAccess",
    "course_access",
    "get_object_or_404",
    "member_required",
    "staff_required",
]

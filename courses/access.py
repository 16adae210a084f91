"""Who may reach what in a course: shared by every app's views.

A view that handles one course calls ``course_context`` (or uses the
decorators) and gets the course and the user's membership in one query.
Outsiders get 404, not 403, for anything personal, so ids in URLs reveal
nothing.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
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


# The course and the user's membership in it (at most one row: unique per user and
# course), in one statement. Every course page starts here, so it is raw SQL: the
# ORM's query compiler cost more than the query itself. A dropped membership grants
# nothing (Membership.objects leaves it out; this query must too).
COURSE_ACCESS_SQL = """
SELECT c.*, m.id AS my_membership_id, m.role AS my_role
  FROM courses_course c
  LEFT JOIN courses_membership m
    ON m.course_id = c.id AND m.user_id = %s AND m.dropped_at IS NULL
 WHERE c.code = %s
"""


def course_access(request, code: str) -> CourseAccess:
    """The course with this code and the user's membership in it, in one query."""
    user = request.user
    found = list(Course.objects.raw(COURSE_ACCESS_SQL, [user.pk, code]))
    if not found:
        raise Http404("No course with this code.")
    course = found[0]
    membership = None
    if course.my_membership_id is not None:
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

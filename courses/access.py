"""Who may reach what in a course: shared by every app's views.

A view that handles one course calls ``course_context`` (or uses the
decorators) and gets the course and the user's membership in one query.
Outsiders get 404, not 403, for anything personal, so ids in URLs reveal
nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial, wraps

from django.contrib.auth.views import redirect_to_login
from django.db import DEFAULT_DB_ALIAS, connection
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.models import STAFF_ROLES, Course, Membership, Role, as_read


@dataclass(frozen=True)
class Lateral:
    """A call joined to the course row in course_access's one statement, for a view whose
    first question is about the course it opens (a claim's look at its reading): both are
    read in one round trip. ``call`` is SQL returning at most one row that may name the
    course as ``c`` (``c.id``); ``params`` are its values; ``columns`` name its result's
    columns, which reach the view as ``access.joined``."""

    call: str
    params: tuple
    columns: tuple[str, ...]


@dataclass
class CourseAccess:
    course: Course
    membership: Membership | None
    is_superuser: bool = False
    joined: dict | None = None  # a Lateral's row (None: no Lateral, or it returned none)

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
# course), in one statement. Every course page starts here, so it is raw SQL read with a
# plain cursor: the ORM's query compiler and a raw queryset's column mapping cost more
# than the query itself. A dropped membership grants nothing (Membership.objects leaves it
# out; this query must too).
COURSE_ACCESS_SQL = """
SELECT {course_columns}, m.id, m.role{lateral_columns}
  FROM courses_course c
  LEFT JOIN courses_membership m
    ON m.course_id = c.id AND m.user_id = %s AND m.dropped_at IS NULL{lateral_join}
 WHERE c.code = %s
"""


@dataclass(frozen=True)
class _CourseRow:
    """How a row of COURSE_ACCESS_SQL becomes a Course: its columns in field order, and
    the converters a query would apply to them (a JSON field's, here)."""

    select: str
    attnames: list[str]
    converters: list[tuple[int, list, object]]

    @classmethod
    @cache
    def of(cls) -> "_CourseRow":
        fields = Course._meta.concrete_fields
        converters = []
        for index, model_field in enumerate(fields):
            column = model_field.get_col(Course._meta.db_table)
            found = connection.ops.get_db_converters(column) + model_field.get_db_converters(
                connection
            )
            if found:
                converters.append((index, found, column))
        return cls(
            select=", ".join(f"c.{connection.ops.quote_name(f.column)}" for f in fields),
            attnames=[f.attname for f in fields],
            converters=converters,
        )

    def course(self, row) -> Course:
        values = list(row[: len(self.attnames)])
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return Course.from_db(DEFAULT_DB_ALIAS, self.attnames, values)


def _access_sql(lateral: Lateral | None) -> str:
    if lateral is None:
        return _plain_access_sql()
    return COURSE_ACCESS_SQL.format(
        course_columns=_CourseRow.of().select,
        lateral_columns="".join(f", j.{column}" for column in lateral.columns),
        lateral_join=f"\n  LEFT JOIN LATERAL {lateral.call} AS j ON true",
    )


@cache
def _plain_access_sql() -> str:
    return COURSE_ACCESS_SQL.format(
        course_columns=_CourseRow.of().select, lateral_columns="", lateral_join=""
    )


def course_access(request, code: str, lateral: Lateral | None = None) -> CourseAccess:
    """The course with this code and the user's membership in it, in one query (with
    ``lateral``'s row too, in the same statement)."""
    user = request.user
    params = [user.pk, *(lateral.params if lateral else ()), code]
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(lateral), params)
        row = cursor.fetchone()
    if row is None:
        raise Http404("No course with this code.")
    reader = _CourseRow.of()
    course = reader.course(row)
    membership_id, role, *joined = row[len(reader.attnames) :]
    membership = None
    if membership_id is not None:
        membership = as_read(
            Membership, id=membership_id, user_id=user.pk, course_id=course.pk, role=role
        )
        membership.course, membership.user = course, user
    access = CourseAccess(course, membership, user.is_authenticated and user.is_superuser)
    if lateral is not None and any(value is not None for value in joined):
        access.joined = dict(zip(lateral.columns, joined, strict=True))
    request.course_access = access
    return access


def member_required(view=None, *, lateral: Callable[..., Lateral | None] | None = None):
    """Signed-in members of the course (any role); others: sign-in page or 404.

    ``lateral(request, **view_kwargs)``, if given, names a Lateral to read with the
    course (or None for none), as ``@member_required(lateral=...)``."""
    if view is None:
        return partial(member_required, lateral=lateral)

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        joined = lateral(request, **kwargs) if lateral is not None else None
        access = course_access(request, code, joined)
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
    "Lateral",
    "course_access",
    "get_object_or_404",
    "member_required",
    "staff_required",
]

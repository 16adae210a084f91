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
class Joined:
    """A PL/pgSQL function a view reads instead of ``courses_course_access``, for a view
    whose first question is about the course it opens (a claim's look at its reading): both
    are one statement. Called as ``function(code, user id, *params)``, it returns
    courses_course_access's three columns, then ``columns``, which reach the view as
    ``access.joined``."""

    function: str
    params: tuple
    columns: tuple[str, ...]


@dataclass
class CourseAccess:
    course: Course
    membership: Membership | None
    is_superuser: bool = False
    joined: dict | None = None  # a Joined function's extra columns (None: none asked)

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


# The course and the user's membership in it, in one statement: every course page starts
# here. The PL/pgSQL function ``courses_course_access`` (courses/migrations/0015) is planned
# once per connection and keeps the rule (a dropped membership grants nothing); its row is
# read with a plain cursor, since the ORM's query compiler and a raw queryset's column
# mapping cost more than the query itself.
ACCESS_SQL = (
    "SELECT {course_columns}, a.membership_id, a.membership_role{joined_columns}"
    " FROM {function}({placeholders}) a"
)


@dataclass(frozen=True)
class _CourseRow:
    """How a row of ACCESS_SQL becomes a Course: its columns in field order, and the
    converters a query would apply to them (a JSON field's, here)."""

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
            select=", ".join(f"(a.course).{connection.ops.quote_name(f.column)}" for f in fields),
            attnames=[f.attname for f in fields],
            converters=converters,
        )

    def course(self, row) -> Course:
        values = list(row[: len(self.attnames)])
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return Course.from_db(DEFAULT_DB_ALIAS, self.attnames, values)


@cache
def _access_sql(function: str, params: int, columns: tuple[str, ...]) -> str:
    if not function.isidentifier():  # a name from the code, never from a request
        raise ValueError(f"not a function name: {function!r}")
    return ACCESS_SQL.format(
        course_columns=_CourseRow.of().select,
        joined_columns="".join(f", a.{connection.ops.quote_name(c)}" for c in columns),
        function=function,
        placeholders=", ".join(["%s"] * (2 + params)),
    )


def course_access(request, code: str, joined: Joined | None = None) -> CourseAccess:
    """The course with this code and the user's membership in it, in one query (with
    ``joined``'s columns too, in the same statement)."""
    user = request.user
    if joined is None:
        sql, params = _access_sql("courses_course_access", 0, ()), [code, user.pk]
    else:
        sql = _access_sql(joined.function, len(joined.params), joined.columns)
        params = [code, user.pk, *joined.params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404("No course with this code.")
    reader = _CourseRow.of()
    course = reader.course(row)
    membership_id, role, *extra = row[len(reader.attnames) :]
    membership = None
    if membership_id is not None:
        membership = as_read(
            Membership, id=membership_id, user_id=user.pk, course_id=course.pk, role=role
        )
        membership.course, membership.user = course, user
    access = CourseAccess(course, membership, user.is_authenticated and user.is_superuser)
    if joined is not None:
        access.joined = dict(zip(joined.columns, extra, strict=True))
    request.course_access = access
    return access


def member_required(view=None, *, joined: Callable[..., Joined | None] | None = None):
    """Signed-in members of the course (any role); others: sign-in page or 404.

    ``joined(request, **view_kwargs)``, if given, names a Joined function to read the
    course with (or None for the plain one), as ``@member_required(joined=...)``."""
    if view is None:
        return partial(member_required, joined=joined)

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access = course_access(request, code, joined(request, **kwargs) if joined else None)
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
    "Joined",
    "course_access",
    "get_object_or_404",
    "member_required",
    "staff_required",
]

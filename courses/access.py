"""Who may reach what in a course: shared by every app's views.

A view that handles one course calls ``course_access`` (or uses the
decorators) and gets the course and the user's membership in one query,
the signed-in user too where Django has not read them yet. Outsiders get
404, not 403, for anything personal, so ids in URLs reveal nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial, wraps

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from courses.models import STAFF_ROLES, Course, Membership, Role, as_read, is_row_id


@dataclass(frozen=True)
class Joined:
    """A PL/pgSQL function a view reads instead of ``courses_course_access``, for a view
    whose first question is about the course it opens (a claim's look at its reading): both
    are one statement. Called as ``function(code, user id, *params)``, it returns
    courses_course_access's four columns, then ``columns``, which reach the view as
    ``access.joined``. It must only read (STABLE): it runs with the id the session names
    before the session is checked, and its row is thrown away if the check fails."""

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


# The course, the user's membership in it and the user's own row, in one statement: every
# course page starts here. The PL/pgSQL function ``courses_course_access``
# (courses/migrations/0015, 0016) is planned once per connection and keeps the rule (a
# dropped membership grants nothing); its row is read with a plain cursor, since the ORM's
# query compiler and a raw queryset's column mapping cost more than the query itself. The
# course and the user come as their tables' rows, expanded (``(a.course).*``): PostgreSQL
# parses and runs that faster than naming each column, and the names the cursor reports
# place each column, in whatever order the table holds them. The membership's two columns,
# between the course's and the user's, have names no table's column can have.
MEMBERSHIP_COLUMNS = ("membership: id", "membership: role")
ACCESS_SQL = (
    'SELECT (a.course).*, a.membership_id AS "{membership_id}",'
    ' a.membership_role AS "{membership_role}", (a.account).*{joined_columns}'
    " FROM {function}({placeholders}) a"
)


@dataclass(frozen=True)
class _Fields:
    """How some columns of a row become a ``model`` instance: where each of its fields is
    in the row (found by column name; a column the model does not know is left out, a field
    the row lacks is deferred) and the converters a query would apply (a JSON field's)."""

    model: type
    attnames: tuple[str, ...]
    indexes: tuple[int, ...]
    converters: tuple[tuple[int, list, object], ...]

    @classmethod
    def of(cls, model, names: tuple[str, ...], start: int) -> "_Fields":
        at = {name: start + offset for offset, name in enumerate(names)}
        kept = [f for f in model._meta.concrete_fields if f.column in at]
        converters = []
        for index, model_field in enumerate(kept):
            column = model_field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + model_field.get_db_converters(
                connection
            )
            if found:
                converters.append((index, found, column))
        return cls(
            model=model,
            attnames=tuple(f.attname for f in kept),
            indexes=tuple(at[f.column] for f in kept),
            converters=tuple(converters),
        )

    def instance(self, row):
        values = [row[index] for index in self.indexes]
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, values)


@dataclass(frozen=True)
class _Layout:
    """Where a row of ACCESS_SQL holds what, from the column names its cursor reports: the
    course's columns, then the membership's two (MEMBERSHIP_COLUMNS), then the user's, then
    the joined function's (``joined`` of them)."""

    course: _Fields
    account: _Fields
    membership: int  # the membership id's index; its role follows it

    @classmethod
    @cache
    def of(cls, names: tuple[str, ...], joined: int) -> "_Layout":
        membership = names.index(MEMBERSHIP_COLUMNS[0])
        if names[membership + 1] != MEMBERSHIP_COLUMNS[1]:
            raise ValueError(f"not a course access row: {names}")
        account = membership + 2
        return cls(
            course=_Fields.of(Course, names[:membership], 0),
            account=_Fields.of(get_user_model(), names[account : len(names) - joined], account),
            membership=membership,
        )


@cache
def _access_sql(function: str, params: int, columns: tuple[str, ...]) -> str:
    if not function.isidentifier():  # a name from the code, never from a request
        raise ValueError(f"not a function name: {function!r}")
    return ACCESS_SQL.format(
        membership_id=MEMBERSHIP_COLUMNS[0],
        membership_role=MEMBERSHIP_COLUMNS[1],
        joined_columns="".join(f", a.{connection.ops.quote_name(c)}" for c in columns),
        function=function,
        placeholders=", ".join(["%s"] * (2 + params)),
    )


def _session_user_id(request):
    """The id of the user this request's session names, where Django has not loaded
    ``request.user`` yet and the session's backend loads a session's user as ModelBackend
    does (so ``_vouched_for`` makes every check django.contrib.auth.get_user would); None
    otherwise: ``request.user`` is Django's to load."""
    if hasattr(request, "_cached_user") or not hasattr(request, "session"):
        return None
    try:
        backend_path = request.session[BACKEND_SESSION_KEY]
        user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
    except (KeyError, ValidationError):
        return None
    if not isinstance(user_id, int) or not is_row_id(user_id):
        return None  # Django finds no such user
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    return user_id if _loads_users_as_model_backend(backend_path) else None


@cache
def _loads_users_as_model_backend(backend_path: str) -> bool:
    return getattr(import_string(backend_path), "get_user", None) is ModelBackend.get_user


# The statement reads the user's row by id from the user table itself: what ModelBackend's
# get_user reads while the user model's default manager filters nothing and no database
# router sends users elsewhere (tests/courses/test_signed_in_with_the_course.py checks the
# manager; courses/migrations/0016 names the table).
def _vouched_for(request, account) -> bool:
    """Whether django.contrib.auth.get_user would give this request ``account`` (the user its
    session names, read with the course; None if there is no such user) by its own checks:
    the backend would load them (ModelBackend refuses an inactive user) and the session's
    hash is theirs under the current secret key. Anything else (a hash made with a
    fallback key, which Django rotates) is left to Django."""
    if account is None:
        return False
    backend = load_backend(request.session[BACKEND_SESSION_KEY])
    if not backend.user_can_authenticate(account):
        return False
    session_hash = request.session.get(HASH_SESSION_KEY)
    return bool(session_hash) and constant_time_compare(
        session_hash, account.get_session_auth_hash()
    )


def course_access(request, code: str, joined: Joined | None = None) -> CourseAccess:
    """The course with this code and the user's membership in it, in one query (with
    ``joined``'s columns too, in the same statement).

    Where ``request.user`` is not loaded yet, the statement reads the user the session
    names too, and they become ``request.user`` once the session vouches for them as
    Django's get_user checks it; where it does not, Django loads ``request.user`` as it
    always does, and the course is read again for whoever that is."""
    return _course_access(request, code, joined, _session_user_id(request))


def _course_access(request, code: str, joined: Joined | None, pending) -> CourseAccess:
    """course_access, ``pending`` being what ``_session_user_id`` gave for the request."""
    user_id = request.user.pk if pending is None else pending
    if joined is None:
        sql, params = _access_sql("courses_course_access", 0, ()), [code, user_id]
    else:
        sql = _access_sql(joined.function, len(joined.params), joined.columns)
        params = [code, user_id, *joined.params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        names = tuple(column.name for column in cursor.description)
    if row is None:
        raise Http404("No course with this code.")
    joined_columns = joined.columns if joined is not None else ()
    layout = _Layout.of(names, len(joined_columns))
    course = layout.course.instance(row)
    membership_id, role = row[layout.membership : layout.membership + 2]
    extra = row[len(names) - len(joined_columns) :]
    if pending is not None:
        account = layout.account.instance(row)
        if account.pk is None:  # no user has the id the session names
            account = None
        if not _vouched_for(request, account):
            # Django decides (and ends a session it does not vouch for); read the course
            # again for whoever it decides on.
            request._cached_user = auth.get_user(request)
            return _course_access(request, code, joined, None)
        request.user = request._cached_user = account
    user = request.user
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


def _signed_in_access(request, code: str, joined: Joined | None = None) -> CourseAccess | None:
    """course_access for a signed-in user; None (send them to sign in) for anyone else,
    also where the course does not exist, as before a course is looked up."""
    pending = _session_user_id(request)
    if pending is None and not request.user.is_authenticated:
        return None
    try:
        access = _course_access(request, code, joined, pending)
    except Http404:
        if not request.user.is_authenticated:
            return None
        raise
    return access if request.user.is_authenticated else None


def member_required(view=None, *, joined: Callable[..., Joined | None] | None = None):
    """Signed-in members of the course (any role); others: sign-in page or 404.

    ``joined(request, **view_kwargs)``, if given, names a Joined function to read the
    course with (or None for the plain one), as ``@member_required(joined=...)``."""
    if view is None:
        return partial(member_required, joined=joined)

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        access = _signed_in_access(request, code, joined(request, **kwargs) if joined else None)
        if access is None:
            return redirect_to_login(request.get_full_path())
        if not access.is_member:
            raise Http404("You are not in this course.")
        return view(request, access, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Instructors and TAs of the course (and superusers)."""

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        access = _signed_in_access(request, code)
        if access is None:
            return redirect_to_login(request.get_full_path())
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

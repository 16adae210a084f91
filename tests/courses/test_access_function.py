"""Every course page's first statement is courses/migrations/0016's function: the database
runs the text that migration holds, and the page reads the course, the membership and the
signed-in user through it (a dropped membership grants nothing; a course column comes back
by name)."""

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Membership
from tests.dbfunctions import body, definition

pytestmark = pytest.mark.django_db

MIGRATION_0015 = importlib.import_module("courses.migrations.0015_course_access_function")
MIGRATION = importlib.import_module("courses.migrations.0016_access_reads_the_user")


def test_the_access_function_in_the_database_is_the_migrations_text():
    held = definition("courses_course_access")
    assert body(held) == body(MIGRATION.ACCESS_FUNCTION)
    assert " STABLE" in held


def test_reversing_0016_restores_0015s_function():
    """Run here inside the test's transaction, which rolls it back (claims/0008 first, as
    migrating backwards would)."""
    claims_0008 = importlib.import_module("claims.migrations.0008_claim_access_reads_the_user")
    with connection.cursor() as cursor:
        for sql in [
            *claims_0008.Migration.operations[0].reverse_sql,
            *MIGRATION.Migration.operations[0].reverse_sql,
        ]:
            cursor.execute(sql)
    assert body(definition("courses_course_access")) == body(MIGRATION_0015.ACCESS_FUNCTION)


def test_a_course_page_reads_course_and_membership_in_one_call(login, course, alice):
    client = login(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("claims:board", args=[course.code]))
    assert response.status_code == 200
    first = next(q["sql"] for q in queries.captured_queries if "courses_course_access(" in q["sql"])
    assert first.startswith('SELECT (a.course).*, a.membership_id AS "membership: id"')
    assert "courses_membership" not in first  # the rule is the function's


def test_the_course_comes_back_whole_with_its_json_field(rf, course, alice):
    from courses.access import course_access

    course.letter_scale = [["A", 93], ["B", 80]]
    course.save()
    request = rf.get("/")
    request.user = alice
    access = course_access(request, course.code)
    assert access.course.letter_scale == [["A", 93], ["B", 80]]
    assert access.course.title == course.title
    assert access.course.claims_open_at == course.claims_open_at
    assert access.is_student and access.membership.role == "student"
    # Fields the statement did not read load when asked for, never as defaults.
    assert access.membership.joined_at == Membership.objects.get(pk=access.membership.pk).joined_at


def test_every_course_field_comes_back_whatever_order_the_table_holds_them(rf, course, alice):
    """The table's columns are in the order migrations added them, not the model's."""
    from courses.access import course_access

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'courses_course'::regclass"
            " AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        )
        table_order = [name for (name,) in cursor.fetchall()]
    assert table_order != [f.column for f in Course._meta.concrete_fields]  # the case here
    request = rf.get("/")
    request.user = alice
    read = course_access(request, course.code).course
    stored = Course.objects.get(pk=course.pk)
    for field in Course._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(stored, field.attname), field.name
    assert read.get_deferred_fields() == set()


def test_a_column_the_code_does_not_know_yet_is_left_out(login, course, alice):
    """As while a migration that adds a column has run and the app serving has not been
    restarted with the code that knows it: the page still reads the user with the course,
    every field in its place."""
    from django.contrib.auth import get_user_model

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE courses_course ADD COLUMN added_later integer DEFAULT 7")
        cursor.execute("ALTER TABLE seminar_user ADD COLUMN added_later integer DEFAULT 7")
    client = login(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("claims:board", args=[course.code]))
    assert response.status_code == 200
    assert not [
        q for q in queries.captured_queries if 'WHERE "seminar_user"."id" = ' in q["sql"]
    ]  # no query of Django's own for the user
    read, stored = response.context["access"].course, Course.objects.get(pk=course.pk)
    for field in Course._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(stored, field.attname), field.name
    user, stored_user = response.wsgi_request.user, get_user_model().objects.get(pk=alice.pk)
    for field in get_user_model()._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(stored_user, field.attname), field.name


def test_a_course_column_named_like_the_membership_columns_changes_nothing(login, course, alice):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE courses_course ADD COLUMN membership_id bigint")
    response = login(alice).get(reverse("claims:board", args=[course.code]))
    assert response.status_code == 200
    assert response.context["access"].is_student


def test_a_dropped_membership_grants_nothing(login, course, alice):
    Membership.objects.filter(user=alice, course=course).update(dropped_at=timezone.now())
    response = login(alice).get(reverse("claims:board", args=[course.code]))
    assert response.status_code == 404

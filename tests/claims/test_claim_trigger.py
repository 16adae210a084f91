"""The database's side of the claim rules is the text of claims/migrations/0003 (the
trigger), 0006 (the look before the lock) and 0008 (the Claim button's first statement): what the database runs is what a reader of
those migrations reads (the raw inserts it refuses are tests/claims/test_claims.py's)."""

import importlib

import pytest
from django.db import DatabaseError, connection

from tests.claims.test_claims import raw_claim, sqlstate
from tests.dbfunctions import body, definition

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("claims.migrations.0003_claim_trigger_readable")
GLANCE = importlib.import_module("claims.migrations.0006_glance_for_one_statement_claims")
CLAIM_ACCESS_0007 = importlib.import_module("claims.migrations.0007_claim_access_function")
CLAIM_ACCESS = importlib.import_module("claims.migrations.0008_claim_access_reads_the_user")


def test_the_trigger_function_in_the_database_is_the_migrations_text():
    held = definition("courses_claim_enforce")
    assert body(held) == body(MIGRATION.ENFORCE_FUNCTION)
    assert "RETURNS trigger" in held and "LANGUAGE plpgsql" in held


def test_the_glance_function_in_the_database_is_the_migrations_text():
    held = definition("courses_claim_glance")
    assert body(held) == body(GLANCE.GLANCE_FUNCTION)
    assert " STABLE" in held
    assert (
        "RETURNS TABLE(found boolean, claimable boolean, paper_id bigint, title text,"
        " session_id bigint, session_date date, is_student boolean, team_id bigint,"
        " team_name text, seats smallint[], names text[], held bigint, any_free boolean)"
    ) in held


def test_the_claim_access_function_in_the_database_is_the_migrations_text():
    held = definition("courses_claim_access")
    assert body(held) == body(CLAIM_ACCESS.ACCESS_FUNCTION)
    assert " STABLE" in held


def test_the_claim_access_columns_are_the_course_access_then_the_glance():
    from claims.services import GLANCE_COLUMNS

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM courses_claim_access('no-such-course', 0, 0)")
        names = tuple(column.name for column in cursor.description)
    assert names == ("course", "membership_id", "membership_role", "account", *GLANCE_COLUMNS)


def test_the_glance_columns_are_the_services_in_order():
    from claims.services import GLANCE_COLUMNS

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM courses_claim_glance(0, 0, 0, false)")
        assert tuple(column.name for column in cursor.description) == GLANCE_COLUMNS


def test_reversing_0008_restores_0007s_claim_access():
    """Run here inside the test's transaction, which rolls it back."""
    with connection.cursor() as cursor:
        for sql in CLAIM_ACCESS.Migration.operations[0].reverse_sql:
            cursor.execute(sql)
    assert body(definition("courses_claim_access")) == body(CLAIM_ACCESS_0007.ACCESS_FUNCTION)


def test_reversing_0006_restores_0003s_glance():
    """Run here inside the test's transaction, which rolls it back."""
    with connection.cursor() as cursor:
        for sql in CLAIM_ACCESS.Migration.operations[0].reverse_sql:
            cursor.execute(sql)
        cursor.execute(CLAIM_ACCESS_0007.Migration.operations[0].reverse_sql)
        for sql in GLANCE.Migration.operations[0].reverse_sql:
            cursor.execute(sql)
    assert body(definition("courses_claim_glance")) == body(MIGRATION.GLANCE_FUNCTION)


def test_the_trigger_still_fires_on_its_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'courses_claim_enforce'"
        )
        (trigger,) = cursor.fetchone()
    assert trigger == (
        "CREATE TRIGGER courses_claim_enforce BEFORE INSERT OR UPDATE ON public.courses_claim"
        " FOR EACH ROW EXECUTE FUNCTION courses_claim_enforce()"
    )


def test_reversing_the_migration_restores_the_text_courses_0006_left(course, alice, readings):
    """Run here inside the test's transaction, which rolls it back."""
    courses_0006 = importlib.import_module("courses.migrations.0006_second_presenter_by_count")
    with connection.cursor() as cursor:
        for sql in [
            *CLAIM_ACCESS.Migration.operations[0].reverse_sql,
            CLAIM_ACCESS_0007.Migration.operations[0].reverse_sql,
            *GLANCE.Migration.operations[0].reverse_sql,
            *MIGRATION.Migration.operations[0].reverse_sql,
        ]:
            cursor.execute(sql)
    assert body(definition("courses_claim_enforce")) == body(courses_0006.NEW_FUNCTION)
    raw_claim(course, readings[0], alice)
    with pytest.raises(DatabaseError) as refused:
        raw_claim(course, readings[1], alice)
    assert sqlstate(refused) == "SC002"

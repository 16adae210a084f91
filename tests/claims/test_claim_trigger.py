"""The database's side of the claim rules is the text of claims/migrations/0003 (the
trigger), 0006 and 0009 (the look before the lock) and 0008 (the Claim button's first statement): what the database runs is what a reader of
those migrations reads (the raw inserts it refuses are tests/claims/test_claims.py's)."""

import importlib
from datetime import date

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from claims.models import Claim
from courses.models import Reading, Session
from tests.claims.test_claims import add_reading, raw_claim, sqlstate
from tests.dbfunctions import body, definition

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("claims.migrations.0003_claim_trigger_readable")
GLANCE = importlib.import_module("claims.migrations.0006_glance_for_one_statement_claims")
GLANCE_NOW = importlib.import_module("claims.migrations.0009_glance_free_readings_at_once")
CLAIM_ACCESS_0007 = importlib.import_module("claims.migrations.0007_claim_access_function")
CLAIM_ACCESS = importlib.import_module("claims.migrations.0008_claim_access_reads_the_user")


def test_the_trigger_function_in_the_database_is_the_migrations_text():
    held = definition("courses_claim_enforce")
    assert body(held) == body(MIGRATION.ENFORCE_FUNCTION)
    assert "RETURNS trigger" in held and "LANGUAGE plpgsql" in held


def test_the_glance_function_in_the_database_is_the_migrations_text():
    held = definition("courses_claim_glance")
    assert body(held) == body(GLANCE_NOW.GLANCE_FUNCTION)
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


def test_reversing_0009_restores_0006s_glance():
    """Run here inside the test's transaction, which rolls it back."""
    with connection.cursor() as cursor:
        cursor.execute(GLANCE_NOW.Migration.operations[0].reverse_sql)
    assert body(definition("courses_claim_glance")) == body(GLANCE.GLANCE_FUNCTION)


def test_reversing_0006_restores_0003s_glance():
    """Run here inside the test's transaction, which rolls it back."""
    with connection.cursor() as cursor:
        cursor.execute(GLANCE_NOW.Migration.operations[0].reverse_sql)
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
            GLANCE_NOW.Migration.operations[0].reverse_sql,
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


def free_at_a_glance(course, reading, user) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT any_free FROM courses_claim_glance(%s, %s, %s, false)",
            [reading.pk, course.pk, user.pk],
        )
        return cursor.fetchone()[0]


def test_the_glance_says_whether_any_claimable_reading_is_free(
    course, alice, bob, dana, readings, session
):
    """FlashInfer and Orca are claimable; the instructor's reading and a reading in a
    session that is not a regular one never count as free."""
    flashinfer, orca = readings
    assert free_at_a_glance(course, flashinfer, dana) is True  # itself free
    raw_claim(course, flashinfer, alice)
    assert free_at_a_glance(course, flashinfer, dana) is True  # Orca is
    raw_claim(course, orca, bob)
    assert free_at_a_glance(course, flashinfer, dana) is False
    assert free_at_a_glance(course, orca, dana) is False
    Claim.objects.filter(reading=orca).update(withdrawn_at=timezone.now())
    assert free_at_a_glance(course, flashinfer, dana) is True  # a withdrawal frees it
    raw_claim(course, orca, dana)
    holiday = Session.objects.create(course=course, date=date(2025, 11, 27), kind="holiday")
    unclaimable = add_reading(holiday, "Not presented: a holiday's reading")
    instructors = Reading.objects.get(course=course, presented_by_instructor=True)
    assert free_at_a_glance(course, flashinfer, alice) is False
    # Nor when the reading looked at is one of them, free as it is.
    assert free_at_a_glance(course, unclaimable, alice) is False
    assert free_at_a_glance(course, instructors, alice) is False


def test_a_free_reading_elsewhere_in_the_database_does_not_count(
    course, other_course, alice, bob, readings
):
    elsewhere = add_reading(
        Session.objects.create(course=other_course, date=date(2025, 11, 4)), "Elsewhere"
    )
    raw_claim(course, readings[0], alice)
    raw_claim(course, readings[1], bob)
    assert free_at_a_glance(course, readings[0], alice) is False
    assert free_at_a_glance(course, elsewhere, alice) is False  # looked at through this course
    assert free_at_a_glance(other_course, elsewhere, alice) is True

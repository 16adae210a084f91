"""``courses_course_access(code, user)`` also returns the user's own row (``account``).

A course page's first statement then reads the signed-in user with the course and the
membership, instead of Django loading the user in a query of its own first: courses/access.py
hands the row to Django's rules for a session (the backend's, the session hash) and makes it
``request.user`` only where they accept it, and leaves the user to Django everywhere else.

The result's columns changed, so the function is dropped and created again (CREATE OR
REPLACE cannot change a result type); reversing restores 0015's. claims/0008 creates
``courses_claim_access``, which reads this function, again with the new column.
tests/courses/test_access_function.py checks that the database holds this text.
"""

import importlib

from django.conf import settings
from django.db import migrations

SIGNATURE = "courses_course_access(text, bigint)"

ACCESS_FUNCTION = r"""
CREATE FUNCTION courses_course_access(p_code text, p_user bigint)
RETURNS TABLE (
    course courses_course, membership_id bigint, membership_role varchar,
    account seminar_user
)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
-- At most one row: the course's code is unique, and so is a user's membership in it.
-- A dropped membership grants nothing (Membership.objects leaves it out; so must this).
-- account: the user p_user names (NULL if none), for the caller to check as a session's.
BEGIN
    RETURN QUERY
    SELECT c, m.id, m.role, u
      FROM courses_course c
      LEFT JOIN courses_membership m
        ON m.course_id = c.id AND m.user_id = p_user AND m.dropped_at IS NULL
      LEFT JOIN seminar_user u ON u.id = p_user
     WHERE c.code = p_code;
END
$$;
"""


def _previous() -> list[str]:
    courses_0015 = importlib.import_module("courses.migrations.0015_course_access_function")
    return [f"DROP FUNCTION {SIGNATURE};", courses_0015.ACCESS_FUNCTION]


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0015_course_access_function"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL([f"DROP FUNCTION {SIGNATURE};", ACCESS_FUNCTION], _previous())
    ]

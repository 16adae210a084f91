"""``courses_course_access(code, user)``: the course with this code and the user's
membership in it (not dropped), the one statement every course page starts with
(courses/access.py). A PL/pgSQL function, so PostgreSQL plans it once per connection
instead of on every page. It returns the course as its row type: a column added to
``courses_course`` later comes back with it, and courses/access.py reads the columns it
knows by name. tests/courses/test_access_function.py checks that the database holds this
text.
"""

from django.db import migrations

ACCESS_FUNCTION = r"""
CREATE FUNCTION courses_course_access(p_code text, p_user bigint)
RETURNS TABLE (course courses_course, membership_id bigint, membership_role varchar)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
-- At most one row: the course's code is unique, and so is a user's membership in it.
-- A dropped membership grants nothing (Membership.objects leaves it out; so must this).
BEGIN
    RETURN QUERY
    SELECT c, m.id, m.role
      FROM courses_course c
      LEFT JOIN courses_membership m
        ON m.course_id = c.id AND m.user_id = p_user AND m.dropped_at IS NULL
     WHERE c.code = p_code;
END
$$;
"""

SIGNATURE = "courses_course_access(text, bigint)"


class Migration(migrations.Migration):
    dependencies = [("courses", "0014_claims_by_preference")]

    operations = [migrations.RunSQL(ACCESS_FUNCTION, f"DROP FUNCTION {SIGNATURE};")]

"""``courses_claim_access(code, user, reading)``: what the board's Claim button reads first,
in one statement planned once per connection: the course and the user's membership, as
``courses_course_access`` (courses/0015) returns them, and the look at the reading,
``courses_claim_glance`` (claims/0006), for that course. A rush's loser is answered from
this one row. tests/claims/test_claim_trigger.py checks that the database holds this text.

PostgreSQL does not track what a PL/pgSQL body calls: a later migration that changes the
glance's columns (or courses_course_access's) must create this function again with them,
and the app's code that reads them ships with that migration.
"""

from django.db import migrations

ACCESS_FUNCTION = r"""
CREATE FUNCTION courses_claim_access(p_code text, p_user bigint, p_reading bigint)
RETURNS TABLE (
    course courses_course, membership_id bigint, membership_role varchar,
    found boolean, claimable boolean, paper_id bigint, title text, session_id bigint,
    session_date date, is_student boolean, team_id bigint, team_name text,
    seats smallint[], names text[], held bigint, any_free boolean
) LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT a.course, a.membership_id, a.membership_role, g.*
      FROM courses_course_access(p_code, p_user) a
     CROSS JOIN LATERAL courses_claim_glance(
           p_reading, (a.course).id, p_user, (a.course).presents_by = 'team') g;
END
$$;
"""

SIGNATURE = "courses_claim_access(text, bigint, bigint)"


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_glance_for_one_statement_claims"),
        ("courses", "0015_course_access_function"),
    ]

    operations = [migrations.RunSQL(ACCESS_FUNCTION, f"DROP FUNCTION {SIGNATURE};")]

"""``courses_claim_access(code, user, reading)`` created again with the user's row
(``account``), which ``courses_course_access`` returns since courses/0016: the board's Claim
button reads the signed-in user, the course, the membership and the look at the reading in
one statement. The body is 0007's with the new column; reversing restores 0007's.
tests/claims/test_claim_trigger.py checks that the database holds this text.
"""

import importlib

from django.db import migrations

SIGNATURE = "courses_claim_access(text, bigint, bigint)"

ACCESS_FUNCTION = r"""
CREATE FUNCTION courses_claim_access(p_code text, p_user bigint, p_reading bigint)
RETURNS TABLE (
    course courses_course, membership_id bigint, membership_role varchar,
    account seminar_user,
    found boolean, claimable boolean, paper_id bigint, title text, session_id bigint,
    session_date date, is_student boolean, team_id bigint, team_name text,
    seats smallint[], names text[], held bigint, any_free boolean
) LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT a.course, a.membership_id, a.membership_role, a.account, g.*
      FROM courses_course_access(p_code, p_user) a
     CROSS JOIN LATERAL courses_claim_glance(
           p_reading, (a.course).id, p_user, (a.course).presents_by = 'team') g;
END
$$;
"""


def _previous() -> list[str]:
    claims_0007 = importlib.import_module("claims.migrations.0007_claim_access_function")
    return [f"DROP FUNCTION {SIGNATURE};", claims_0007.ACCESS_FUNCTION]


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_claim_access_function"),
        ("courses", "0016_access_reads_the_user"),
    ]

    operations = [
        migrations.RunSQL([f"DROP FUNCTION {SIGNATURE};", ACCESS_FUNCTION], _previous())
    ]

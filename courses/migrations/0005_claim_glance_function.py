"""A claim's look before the lock, as a function whose plan PostgreSQL keeps.

claims/services.py asks one question before it takes the course lock:
is the reading in the course (claimable, and its paper's title), is the user a
student of the course and in which team, who holds the reading (seats and
names, in seat order), how many claims the holder has, and is any claimable
reading still free. Sent as plain SQL the statement is planned on every call,
and planning costs three times what running it does; PL/pgSQL prepares it once
per database connection. Losers of a claim rush get their answer from this
alone, so it is the statement a rush runs most.

It reads only committed rows (one snapshot, STABLE) and takes no lock.
"""

from django.db import migrations

FORWARDS = r"""
CREATE OR REPLACE FUNCTION courses_claim_glance(
    p_reading bigint, p_course bigint, p_user bigint, p_by_team boolean
) RETURNS TABLE (
    found boolean, claimable boolean, title text, is_student boolean, team_id bigint,
    seats smallint[], names text[], held bigint, any_free boolean
) LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH me AS (
      SELECT
        EXISTS (SELECT 1 FROM courses_membership m
                 WHERE m.course_id = p_course AND m.user_id = p_user AND m.role = 'student')
          AS is_student,
        (SELECT tm.team_id FROM courses_teammember tm
          WHERE tm.course_id = p_course AND tm.user_id = p_user) AS team_id
    ), rd AS (
      SELECT NOT r.presented_by_instructor AND s.kind = 'regular' AS claimable, p.title
        FROM courses_reading r
        JOIN courses_session s ON s.id = r.session_id
        JOIN courses_paper p ON p.id = r.paper_id
       WHERE r.id = p_reading AND r.course_id = p_course
    )
    SELECT
      rd.claimable IS NOT NULL,
      COALESCE(rd.claimable, false),
      COALESCE(rd.title, '')::text,
      me.is_student,
      me.team_id::bigint,
      ARRAY(SELECT c.seat FROM courses_claim c
             WHERE c.reading_id = p_reading AND c.withdrawn_at IS NULL
             ORDER BY c.seat),
      -- the holder's label, as str(Team) and str(User) give it
      ARRAY(SELECT (CASE WHEN c.team_id IS NOT NULL THEN t.name
                         ELSE COALESCE(NULLIF(u.name, ''), u.email) END)::text
              FROM courses_claim c
              LEFT JOIN seminar_user u ON u.id = c.student_id
              LEFT JOIN courses_team t ON t.id = c.team_id
             WHERE c.reading_id = p_reading AND c.withdrawn_at IS NULL
             ORDER BY c.seat),
      (SELECT count(*) FROM courses_claim c
        WHERE c.course_id = p_course AND c.withdrawn_at IS NULL
          AND CASE WHEN p_by_team THEN c.team_id = me.team_id ELSE c.student_id = p_user END),
      EXISTS (SELECT 1 FROM courses_reading r JOIN courses_session s ON s.id = r.session_id
               WHERE r.course_id = p_course AND NOT r.presented_by_instructor
                 AND s.kind = 'regular'
                 AND NOT EXISTS (SELECT 1 FROM courses_claim c
                                  WHERE c.reading_id = r.id AND c.withdrawn_at IS NULL))
    FROM me LEFT JOIN rd ON true;
END
$$;
"""

BACKWARDS = "DROP FUNCTION IF EXISTS courses_claim_glance(bigint, bigint, bigint, boolean);"


class Migration(migrations.Migration):
    dependencies = [("courses", "0004_claim_invariants_trigger")]

    operations = [migrations.RunSQL(FORWARDS, BACKWARDS)]

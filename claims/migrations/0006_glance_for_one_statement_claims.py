"""The claim service's look before the lock, ``courses_claim_glance(...)``, rewritten whole.

It now also answers what a claim that wins needs to write itself in one statement
(claims/services.py ``CLAIM_IN_ONE_STATEMENT``): the reading's paper and session (ids, the
paper's title, the session's date, for the audit event) and the team's name (the holder's
label where the course presents by teams). And a student who was dropped from the course
is no longer "a student" to it (``m.dropped_at IS NULL``, as courses/access.py reads
memberships). The seats and their holders' labels come from one scan of the reading's
claims instead of two.

The trigger function ``courses_claim_enforce()`` is unchanged: its text is still
claims/migrations/0003's. The result's columns changed, so the function is dropped and
created again (CREATE OR REPLACE cannot change a result type); reversing restores 0003's.
tests/claims/test_claim_trigger.py checks that the database holds this text.
"""

import importlib

from django.db import migrations

SIGNATURE = "courses_claim_glance(bigint, bigint, bigint, boolean)"

GLANCE_FUNCTION = r"""
CREATE FUNCTION courses_claim_glance(
    p_reading bigint, p_course bigint, p_user bigint, p_by_team boolean
) RETURNS TABLE (
    found boolean, claimable boolean, paper_id bigint, title text, session_id bigint,
    session_date date, is_student boolean, team_id bigint, team_name text,
    seats smallint[], names text[], held bigint, any_free boolean
) LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
-- One row of facts, from one snapshot of committed rows, taking no lock: is the reading
-- in the course (found; claimable: not presented by the instructor, in a regular
-- session; its paper and session), is the user a student of the course (not dropped)
-- and in which team, who holds the reading (seats and holders' labels, in seat order),
-- how many claims the user (or, where the course presents by teams, their team) holds,
-- and whether any claimable reading of the course has no presenter.
BEGIN
    RETURN QUERY
    WITH me AS (
      SELECT
        EXISTS (SELECT 1 FROM courses_membership m
                 WHERE m.course_id = p_course AND m.user_id = p_user AND m.role = 'student'
                   AND m.dropped_at IS NULL)
          AS is_student,
        (SELECT tm.team_id FROM courses_teammember tm
          WHERE tm.course_id = p_course AND tm.user_id = p_user) AS team_id
    ), rd AS (
      SELECT NOT r.presented_by_instructor AND s.kind = 'regular' AS claimable,
             r.paper_id, p.title, r.session_id, s.date
        FROM courses_reading r
        JOIN courses_session s ON s.id = r.session_id
        JOIN courses_paper p ON p.id = r.paper_id
       WHERE r.id = p_reading AND r.course_id = p_course
    ), holding AS (
      -- the holder's label, as str(Team) and str(User) give it
      SELECT array_agg(c.seat ORDER BY c.seat) AS seats,
             array_agg((CASE WHEN c.team_id IS NOT NULL THEN t.name
                             ELSE COALESCE(NULLIF(u.name, ''), u.email) END)::text
                       ORDER BY c.seat) AS names
        FROM courses_claim c
        LEFT JOIN seminar_user u ON u.id = c.student_id
        LEFT JOIN courses_team t ON t.id = c.team_id
       WHERE c.reading_id = p_reading AND c.withdrawn_at IS NULL
    )
    SELECT
      rd.claimable IS NOT NULL,
      COALESCE(rd.claimable, false),
      rd.paper_id::bigint,
      COALESCE(rd.title, '')::text,
      rd.session_id::bigint,
      rd.date,
      me.is_student,
      me.team_id::bigint,
      team.name::text,
      COALESCE(holding.seats, '{}'),
      COALESCE(holding.names, '{}'),
      (SELECT count(*) FROM courses_claim c
        WHERE c.course_id = p_course AND c.withdrawn_at IS NULL
          AND CASE WHEN p_by_team THEN c.team_id = me.team_id ELSE c.student_id = p_user END),
      EXISTS (SELECT 1 FROM courses_reading r JOIN courses_session s ON s.id = r.session_id
               WHERE r.course_id = p_course AND NOT r.presented_by_instructor
                 AND s.kind = 'regular'
                 AND NOT EXISTS (SELECT 1 FROM courses_claim c
                                  WHERE c.reading_id = r.id AND c.withdrawn_at IS NULL))
    FROM me
    LEFT JOIN rd ON true
    LEFT JOIN courses_team team ON team.id = me.team_id
    CROSS JOIN holding;
END
$$;
"""


def _previous() -> list[str]:
    claims_0003 = importlib.import_module("claims.migrations.0003_claim_trigger_readable")
    return [f"DROP FUNCTION {SIGNATURE};", claims_0003.GLANCE_FUNCTION]


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_preferences_allocations_swaps")]

    operations = [
        migrations.RunSQL([f"DROP FUNCTION {SIGNATURE};", GLANCE_FUNCTION], _previous())
    ]

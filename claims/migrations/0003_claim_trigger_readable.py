"""The database's side of the paper-claim rules, in full, in one place.

Two PL/pgSQL functions keep and serve the seat rule of claims/rules.py:

- ``courses_claim_enforce()``, the function of the trigger ``courses_claim_enforce``
  (BEFORE INSERT OR UPDATE ON courses_claim FOR EACH ROW, created by courses/0004 and
  unchanged since): the guarantee. It takes the course-row lock and refuses an active
  claim that would put a reading over ``presenters_per_reading`` (SQLSTATE SC001), a
  student or team over ``claims_per_presenter`` (SC002), or a second presenter on a
  reading while a claimable reading of the course is free (SC003), whoever writes it.
- ``courses_claim_glance(...)``, the claim service's look before the lock: raw facts
  for the seat rule (claims/services.py ``Glance``), one snapshot, no lock, planned
  once per connection.

Their text was written by courses/0004 and 0005 and rewritten by courses/0006 through a
``str.replace`` on 0004's; those migrations stay as deployed databases ran them. This one
states what they produce, as text to read: the statements are the same, only layout and
comments differ. Reversing it restores their text exactly. A later change to either
function is a new migration with the whole new text, never a ``replace`` on this one.
tests/claims/test_claim_trigger.py checks that the database holds this text.
"""

import importlib

from django.db import migrations

ENFORCE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION courses_claim_enforce() RETURNS trigger AS $$
DECLARE
    cap integer;          -- the course's presenters_per_reading
    per_holder integer;   -- the course's claims_per_presenter
    taken integer;        -- active claims on NEW's reading, NEW itself left out
    held integer;         -- active claims of NEW's holder in the course, NEW left out
    free_reading bigint;  -- a claimable reading with no active claim, if any
BEGIN
    -- One lock per course: claims, withdrawals and staff edits queue here, so the
    -- counts below see every change committed before (first come = commit order).
    SELECT presenters_per_reading, claims_per_presenter INTO cap, per_holder
      FROM courses_course WHERE id = NEW.course_id FOR UPDATE;

    IF NEW.withdrawn_at IS NOT NULL THEN
        RETURN NEW;  -- a withdrawn claim is history, never over a limit
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.withdrawn_at IS NULL
       AND NEW.reading_id = OLD.reading_id AND NEW.seat = OLD.seat
       AND NEW.student_id IS NOT DISTINCT FROM OLD.student_id
       AND NEW.team_id IS NOT DISTINCT FROM OLD.team_id THEN
        RETURN NEW;  -- grading an existing claim (points, feedback) changes no seat
    END IF;

    -- SC001 (rules.Code.TAKEN): a reading has ``cap`` seats and at most ``cap`` presenters.
    IF NEW.seat > cap THEN
        RAISE EXCEPTION 'claim refused: reading % has % seat(s); seat % does not exist',
            NEW.reading_id, cap, NEW.seat USING ERRCODE = 'SC001';
    END IF;
    SELECT count(*) INTO taken FROM courses_claim
     WHERE reading_id = NEW.reading_id AND withdrawn_at IS NULL AND id <> NEW.id;
    IF taken >= cap THEN
        RAISE EXCEPTION 'claim refused: reading % already has % presenter(s)',
            NEW.reading_id, taken USING ERRCODE = 'SC001';
    END IF;

    -- SC002 (rules.Code.HOLDER_FULL): a student or team holds at most ``per_holder``.
    SELECT count(*) INTO held FROM courses_claim
     WHERE course_id = NEW.course_id AND withdrawn_at IS NULL AND id <> NEW.id
       AND ((NEW.student_id IS NOT NULL AND student_id = NEW.student_id)
            OR (NEW.team_id IS NOT NULL AND team_id = NEW.team_id));
    IF held >= per_holder THEN
        RAISE EXCEPTION 'claim refused: the holder already has % claim(s) in this course',
            held USING ERRCODE = 'SC002';
    END IF;

    -- SC003 (rules.Code.SECOND_SEAT_CLOSED): a claim on a reading that has a presenter,
    -- whatever its seat number (seats free in any order), only once no claimable reading
    -- (not presented by the instructor, in a regular session) is free.
    IF taken >= 1 THEN
        SELECT r.id INTO free_reading
          FROM courses_reading r JOIN courses_session s ON s.id = r.session_id
         WHERE r.course_id = NEW.course_id AND NOT r.presented_by_instructor
           AND s.kind = 'regular'
           AND NOT EXISTS (SELECT 1 FROM courses_claim c
                            WHERE c.reading_id = r.id AND c.withdrawn_at IS NULL
                              AND c.id <> NEW.id)
         LIMIT 1;
        IF free_reading IS NOT NULL THEN
            RAISE EXCEPTION
                'claim refused: a second presenter (seat %) while reading % is still free',
                NEW.seat, free_reading USING ERRCODE = 'SC003';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

GLANCE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION courses_claim_glance(
    p_reading bigint, p_course bigint, p_user bigint, p_by_team boolean
) RETURNS TABLE (
    found boolean, claimable boolean, title text, is_student boolean, team_id bigint,
    seats smallint[], names text[], held bigint, any_free boolean
) LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
-- One row of facts, from one snapshot of committed rows, taking no lock: is the reading
-- in the course (found; claimable: not presented by the instructor, in a regular
-- session; its paper's title), is the user a student of the course and in which team,
-- who holds the reading (seats and holders' labels, in seat order), how many claims the
-- user (or, where the course presents by teams, their team) holds, and whether any
-- claimable reading of the course has no presenter.
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


def _previous_text() -> list[str]:
    """The functions as courses/0006 (and 0005 for the glance) left them."""
    courses_0005 = importlib.import_module("courses.migrations.0005_claim_glance_function")
    courses_0006 = importlib.import_module("courses.migrations.0006_second_presenter_by_count")
    return [courses_0006.NEW_FUNCTION, courses_0005.FORWARDS]


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_initial"),
        ("courses", "0011_moved_models_gone"),
    ]

    operations = [migrations.RunSQL([ENFORCE_FUNCTION, GLANCE_FUNCTION], _previous_text())]

"""The database enforces the paper-claim invariants itself.

A BEFORE INSERT OR UPDATE trigger on courses_claim first locks the claim's
course row (SELECT ... FOR UPDATE), so every change to a course's claims is
serialised, in commit order, whoever makes it (the service, the admin, raw SQL).
Holding the lock, it refuses an active claim that would

- put more presenters on a reading than course.presenters_per_reading (SQLSTATE SC001),
- give a student or team more than course.claims_per_presenter claims (SC002),
- take a second (or later) seat while any claimable reading of the course
  (not presented by the instructor, in a regular session) has no active claim (SC003).

claims/services.py locks the same row first, so its friendly messages
and the database always agree; the trigger is the guarantee.
"""

from django.db import migrations

FORWARDS = r"""
CREATE OR REPLACE FUNCTION courses_claim_enforce() RETURNS trigger AS $$
DECLARE
    cap integer;
    per_holder integer;
    taken integer;
    held integer;
    free_reading bigint;
BEGIN
    -- One lock per course: claims, withdrawals and staff edits queue here.
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

    SELECT count(*) INTO held FROM courses_claim
     WHERE course_id = NEW.course_id AND withdrawn_at IS NULL AND id <> NEW.id
       AND ((NEW.student_id IS NOT NULL AND student_id = NEW.student_id)
            OR (NEW.team_id IS NOT NULL AND team_id = NEW.team_id));
    IF held >= per_holder THEN
        RAISE EXCEPTION 'claim refused: the holder already has % claim(s) in this course',
            held USING ERRCODE = 'SC002';
    END IF;

    IF NEW.seat > 1 THEN
        SELECT r.id INTO free_reading
          FROM courses_reading r JOIN courses_session s ON s.id = r.session_id
         WHERE r.course_id = NEW.course_id AND NOT r.presented_by_instructor
           AND s.kind = 'regular'
           AND NOT EXISTS (SELECT 1 FROM courses_claim c
                            WHERE c.reading_id = r.id AND c.withdrawn_at IS NULL
                              AND c.id <> NEW.id)
         LIMIT 1;
        IF free_reading IS NOT NULL THEN
            RAISE EXCEPTION 'claim refused: seat % while reading % is still free',
                NEW.seat, free_reading USING ERRCODE = 'SC003';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER courses_claim_enforce
BEFORE INSERT OR UPDATE ON courses_claim
FOR EACH ROW EXECUTE FUNCTION courses_claim_enforce();
"""

BACKWARDS = r"""
DROP TRIGGER IF EXISTS courses_claim_enforce ON courses_claim;
DROP FUNCTION IF EXISTS courses_claim_enforce();
"""


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_composite_course_keys")]

    operations = [migrations.RunSQL(FORWARDS, BACKWARDS)]

"""``courses_claim_glance`` answers "is any claimable reading still free?" (``any_free``) in
one pass over the course's claims instead of a probe per reading, and not at all where the
reading looked at is itself claimable and free (which answers it). Same arguments, same
columns: CREATE OR REPLACE, and ``courses_claim_access`` (claims/0008), which calls it,
stays as it is. Reversing restores 0006's text. tests/claims/test_claim_trigger.py checks
that the database holds this text.
"""

import importlib

from django.db import migrations

GLANCE_0006 = importlib.import_module("claims.migrations.0006_glance_for_one_statement_claims")

ANY_FREE_0006 = """EXISTS (SELECT 1 FROM courses_reading r JOIN courses_session s ON s.id = r.session_id
               WHERE r.course_id = p_course AND NOT r.presented_by_instructor
                 AND s.kind = 'regular'
                 AND NOT EXISTS (SELECT 1 FROM courses_claim c
                                  WHERE c.reading_id = r.id AND c.withdrawn_at IS NULL))"""

# A reading is free when no active claim of the course names it (a claim's reading is always
# in the claim's course: the composite foreign key).
ANY_FREE = """(COALESCE(rd.claimable, false) AND holding.seats IS NULL)
      OR EXISTS (SELECT 1 FROM courses_reading r JOIN courses_session s ON s.id = r.session_id
                  WHERE r.course_id = p_course AND NOT r.presented_by_instructor
                    AND s.kind = 'regular'
                    AND r.id <> ALL (ARRAY(SELECT c.reading_id FROM courses_claim c
                                            WHERE c.course_id = p_course
                                              AND c.withdrawn_at IS NULL)))"""

assert GLANCE_0006.GLANCE_FUNCTION.count(ANY_FREE_0006) == 1
GLANCE_FUNCTION = GLANCE_0006.GLANCE_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
).replace(ANY_FREE_0006, ANY_FREE)
PREVIOUS = GLANCE_0006.GLANCE_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_claim_access_reads_the_user")]

    operations = [migrations.RunSQL(GLANCE_FUNCTION, PREVIOUS)]

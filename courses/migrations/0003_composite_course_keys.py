"""Keep denormalised course columns equal to their parent's course.

Reading.course, TeamMember.course and Claim.course copy the parent's course so
that unique constraints can be per course; composite foreign keys make the
database refuse a copy that disagrees with its parent.
"""

from django.db import migrations

PAIRS = [
    # (child table, child fk column, parent table)
    ("courses_reading", "session_id", "courses_session"),
    ("courses_teammember", "team_id", "courses_team"),
    ("courses_claim", "reading_id", "courses_reading"),
]


def forwards_sql():
    statements = []
    for child, fk, parent in PAIRS:
        statements.append(
            f"ALTER TABLE {parent} ADD CONSTRAINT {parent}_id_course_uniq UNIQUE (id, course_id);"
        )
    for child, fk, parent in PAIRS:
        statements.append(
            f"ALTER TABLE {child} ADD CONSTRAINT {child}_{fk}_same_course "
            f"FOREIGN KEY ({fk}, course_id) REFERENCES {parent} (id, course_id) "
            f"ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;"
        )
    return statements


def backwards_sql():
    statements = [f"ALTER TABLE {child} DROP CONSTRAINT {child}_{fk}_same_course;" for child, fk, _ in PAIRS]
    statements += [f"ALTER TABLE {parent} DROP CONSTRAINT {parent}_id_course_uniq;" for _, _, parent in PAIRS]
    return statements


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_initial")]

    operations = [migrations.RunSQL(forwards_sql(), backwards_sql())]

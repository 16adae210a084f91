"""Milestone due times and extensions cover their whole minute; versions already in are
judged again on them (a version saved at 23:59:30 for 'due 11:59 PM' is on time)."""

import django.core.validators
from django.db import migrations, models

import courses.fields

END_OF_MINUTE = """
UPDATE projects_milestone SET due_at = date_trunc('minute', due_at) + interval '59.999999 seconds';
UPDATE projects_milestoneextension
    SET due_at = date_trunc('minute', due_at) + interval '59.999999 seconds';
UPDATE projects_milestoneremindersent
    SET due_at = date_trunc('minute', due_at) + interval '59.999999 seconds';
UPDATE projects_submission AS s SET
    is_late = s.submitted_at > d.due,
    lateness = CASE WHEN s.submitted_at > d.due
        THEN s.submitted_at - d.due - interval '1 microsecond' END
FROM (
    SELECT sub.id, GREATEST(COALESCE(e.due_at, m.due_at), m.due_at) AS due
    FROM projects_submission sub
    JOIN projects_milestone m ON m.id = sub.milestone_id
    LEFT JOIN projects_milestoneextension e
        ON e.milestone_id = sub.milestone_id AND e.team_id = sub.team_id
) AS d
WHERE d.id = s.id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_whole_minute_deadlines"),
        ("projects", "0005_milestone_extensions"),
    ]

    operations = [
        migrations.AddField(
            model_name="milestoneextension",
            name="extra_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The milestone's due time, N days later at the same local time "
                "(across DST).",
                null=True,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="or N more days",
            ),
        ),
        migrations.AlterField(
            model_name="milestone",
            name="due_at",
            field=courses.fields.DeadlineField(
                blank=True,
                help_text="Entered and shown in the course's time zone. "
                "Computed from the session when one is chosen below.",
                verbose_name="due",
            ),
        ),
        migrations.AlterField(
            model_name="milestoneextension",
            name="due_at",
            field=courses.fields.DeadlineField(
                blank=True,
                help_text="In the course's time zone, like every time of a course. "
                "Or leave it blank and give more days.",
                verbose_name="new due time",
            ),
        ),
        migrations.RunSQL(END_OF_MINUTE, migrations.RunSQL.noop),
    ]

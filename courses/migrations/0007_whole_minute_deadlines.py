"""Deadlines cover their whole minute (SPEC, Time): stored as the minute's last instant."""

from django.db import migrations

import courses.fields

END_OF_MINUTE = """
UPDATE courses_course SET
    claims_close_at = date_trunc('minute', claims_close_at) + interval '59.999999 seconds',
    team_deadline = date_trunc('minute', team_deadline) + interval '59.999999 seconds'
"""
START_OF_MINUTE = """
UPDATE courses_course SET
    claims_close_at = date_trunc('minute', claims_close_at),
    team_deadline = date_trunc('minute', team_deadline)
"""


class Migration(migrations.Migration):
    dependencies = [("courses", "0006_second_presenter_by_count")]

    operations = [
        migrations.AlterField(
            model_name="course",
            name="claims_close_at",
            field=courses.fields.DeadlineField(
                blank=True, null=True, verbose_name="claim window closes"
            ),
        ),
        migrations.AlterField(
            model_name="course",
            name="team_deadline",
            field=courses.fields.DeadlineField(
                blank=True,
                help_text="After this instant only staff change teams.",
                null=True,
                verbose_name="team membership deadline",
            ),
        ),
        migrations.RunSQL(END_OF_MINUTE, START_OF_MINUTE),
    ]

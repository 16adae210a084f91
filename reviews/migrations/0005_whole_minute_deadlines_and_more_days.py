"""Due overrides and extensions cover their whole minute; extensions may be 'N more days'."""

import django.core.validators
from django.db import migrations, models

import courses.fields

END_OF_MINUTE = """
UPDATE reviews_dueoverride SET due_at = date_trunc('minute', due_at) + interval '59.999999 seconds';
UPDATE reviews_extension SET due_at = date_trunc('minute', due_at) + interval '59.999999 seconds';
-- Reminders already sent record the due time they were for: the same due time now reads
-- as the end of its minute, and a reminder must not go out twice across the upgrade.
UPDATE reviews_remindersent SET due_at = date_trunc('minute', due_at) + interval '59.999999 seconds';
"""
START_OF_MINUTE = """
UPDATE reviews_dueoverride SET due_at = date_trunc('minute', due_at);
UPDATE reviews_extension SET due_at = date_trunc('minute', due_at);
UPDATE reviews_remindersent SET due_at = date_trunc('minute', due_at);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_whole_minute_deadlines"),
        ("reviews", "0004_admin_times_in_course_zone"),
    ]

    operations = [
        migrations.AddField(
            model_name="extension",
            name="extra_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The same local time N days after each due time it covers (across DST).",
                null=True,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="or N more days",
            ),
        ),
        migrations.AlterField(
            model_name="dueoverride",
            name="due_at",
            field=courses.fields.DeadlineField(
                help_text="In the course's time zone, like every time of a course in the admin; "
                "a time typed to the minute covers that whole minute."
            ),
        ),
        migrations.AlterField(
            model_name="extension",
            name="due_at",
            field=courses.fields.DeadlineField(
                blank=True,
                help_text="In the course's time zone, like every time of a course in the admin. "
                "Or leave it blank and give more days below.",
                null=True,
                verbose_name="new due time",
            ),
        ),
        migrations.AddConstraint(
            model_name="extension",
            constraint=models.CheckConstraint(
                condition=models.Q(due_at__isnull=False, extra_days__isnull=True)
                | models.Q(due_at__isnull=True, extra_days__isnull=False),
                name="extension_new_time_xor_more_days",
            ),
        ),
        migrations.RunSQL(END_OF_MINUTE, START_OF_MINUTE),
    ]

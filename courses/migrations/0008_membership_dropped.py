"""Members can be dropped from a course (import_roster --drop-missing): work kept, access ended."""

import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("courses", "0007_whole_minute_deadlines")]

    operations = [
        migrations.AlterModelOptions(
            name="membership",
            options={
                "default_manager_name": "all_objects",
                "ordering": ["course", "role", "user__name"],
            },
        ),
        migrations.AlterModelManagers(
            name="membership",
            managers=[("all_objects", django.db.models.manager.Manager())],
        ),
        migrations.AddField(
            model_name="membership",
            name="dropped_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Set when the person left the course: their work is kept, their access "
                "ends. Clear it to restore their access.",
                null=True,
                verbose_name="dropped",
            ),
        ),
    ]

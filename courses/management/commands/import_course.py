from django.core.management.base import BaseCommand, CommandError

from courses.coursefile import CourseFileError, import_course
from courses.management.base import read_text

NOTHING_CHANGED = "Nothing was changed."


class Command(BaseCommand):
    help = "Create or update a course from a course file (YAML). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="course file, e.g. examples/ecs289d-f25.yaml ('-' for stdin)"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list what would be added, moved and removed, and change nothing",
        )

    def handle(self, *args, file, dry_run=False, **options):
        text = read_text(file)
        try:
            result = import_course(text, dry_run=dry_run)
        except CourseFileError as exc:
            # A refusal that would lose work says so itself; every other error gets it here.
            message = str(exc)
            if NOTHING_CHANGED not in message:
                message = f"{message}\n{NOTHING_CHANGED}"
            raise CommandError(f"{file}: {message}") from None
        self.stdout.write(result.summary())
        if not result.created:  # a new course: everything is added
            for change in result.changes:
                self.stdout.write(f"  {change}")

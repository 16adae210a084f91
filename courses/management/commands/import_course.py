from django.core.management.base import BaseCommand, CommandError

from courses.coursefile import CourseFileError, import_course


class Command(BaseCommand):
    help = "Create or update a course from a course file (YAML). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="course file, e.g. examples/ecs289d-f25.yaml ('-' for stdin)"
        )

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                import sys

                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text.") from None
        try:
            result = import_course(text)
        except CourseFileError as exc:
            raise CommandError(f"{file}: {exc}\nNothing was changed.") from None
        self.stdout.write(result.summary())

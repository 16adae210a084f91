from django.core.management.base import BaseCommand, CommandError

from courses.coursefile import export_course
from courses.models import Course


class Command(BaseCommand):
    help = "Write a course as one course file (YAML) on standard output."

    def add_arguments(self, parser):
        parser.add_argument("code", help="course code, e.g. ecs289d-f25")

    def handle(self, *args, code, **options):
        course = Course.objects.filter(code=code).first()
        if course is None:
            raise CommandError(f"No course with code {code!r}.")
        self.stdout.write(export_course(course), ending="")

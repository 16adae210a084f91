from django.core.management.base import BaseCommand, CommandError

from courses.models import Course
from grading.engine import compute_gradebook, write_canvas_csv


class Command(BaseCommand):
    help = "Write the course's gradebook as a Canvas-importable CSV to standard output."

    def add_arguments(self, parser):
        parser.add_argument("code", help="course code, e.g. ecs289d-f25")

    def handle(self, *args, code, **options):
        course = Course.objects.filter(code=code).first()
        if course is None:
            raise CommandError(f"No course with code {code!r}.")
        write_canvas_csv(compute_gradebook(course), self.stdout)

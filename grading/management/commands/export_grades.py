from courses.management.base import CourseCommand
from grading.engine import compute_gradebook, write_canvas_csv


class Command(CourseCommand):
    help = "Write the course's gradebook as a Canvas-importable CSV to standard output."

    def handle(self, *args, code, **options):
        write_canvas_csv(compute_gradebook(self.course(code)), self.stdout)

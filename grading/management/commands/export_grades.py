from courses.management.base import CourseCommand
from grading.canvas import write_canvas_csv
from grading.engine import compute_gradebook


class Command(CourseCommand):
    help = "Write the course's gradebook as a Canvas-importable CSV to standard output."

    def handle(self, *args, code, **options):
        write_canvas_csv(compute_gradebook(self.course(code), summed=True), self.stdout)

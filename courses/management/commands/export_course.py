from courses.coursefile import export_course
from courses.management.base import CourseCommand


class Command(CourseCommand):
    help = "Write a course as one course file (YAML) on standard output."

    def handle(self, *args, code, **options):
        self.stdout.write(export_course(self.course(code)), ending="")

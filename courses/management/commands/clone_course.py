from datetime import date

from django.core.management.base import CommandError

from courses.coursefile import CourseFileError
from courses.management.base import CourseCommand
from courses.services.schedule import ScheduleError, clone_course


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--first-day must be YYYY-MM-DD, not {value!r}.") from None


class Command(CourseCommand):
    code_help = "course to copy, e.g. ecs289d-f25"

    help = (
        "Copy a course to a new term: settings, sessions and readings, dates shifted so "
        "weekdays line up. No students, claims, reviews or teams are copied."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("new_code", help="code of the new course, e.g. ecs289d-f26")
        parser.add_argument("--first-day", required=True, help="first day of the new term")

    def handle(self, *args, code, new_code, first_day, **options):
        source = self.course(code)
        try:
            result = clone_course(source=source, new_code=new_code, first_day=iso_date(first_day))
        except (ScheduleError, CourseFileError) as exc:
            raise CommandError(str(exc)) from None
        course = result.course
        first = course.sessions.first()
        self.stdout.write(
            f"{course.code} created from {code}: dates moved {result.shift_days} days, "
            f"first session {first.date:%a %Y-%m-%d}."
        )
        if result.holidays:
            self.stdout.write("Holidays copied; check them against the new term's calendar:")
            for session in result.holidays:
                label = session.title or session.notes or "no class"
                self.stdout.write(f"  {session.date:%a %Y-%m-%d}  {label}")
        if result.misplaced_holidays:
            self.stdout.write("These no longer fall on (or near) the holiday they name:")
            for misfit in result.misplaced_holidays:
                self.stdout.write(f"  {misfit.describe()}")

"""What the course commands share: the course named on the command line, and a text
file read as UTF-8 with a clear error instead of a traceback."""

import sys

from django.core.management.base import BaseCommand, CommandError

from courses.models import Course


class CourseCommand(BaseCommand):
    """A command whose first argument is a course code."""

    code_help = "course code, e.g. ecs289d-f25"

    def add_arguments(self, parser):
        parser.add_argument("code", help=self.code_help)

    @staticmethod
    def course(code: str) -> Course:
        course = Course.objects.filter(code=code).first()
        if course is None:
            raise CommandError(f"No course with code {code!r}.")
        return course


def read_text(file: str, *, hint: str = "") -> str:
    """The file's text ('-': standard input), or a CommandError that says why not."""
    try:
        if file == "-":
            return sys.stdin.read()
        with open(file, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{file} is not UTF-8 text{hint}.") from None

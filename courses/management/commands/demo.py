from django.core.management.base import BaseCommand

from courses.services.schedule import DEMO_CODE, DEMO_NO_CLASS, build_demo, demo_sign_in


class Command(BaseCommand):
    help = (
        f"Create the demo course {DEMO_CODE} (ECS 289D) with an instructor and 24 students. "
        "Dates are shifted so that today is in week 1 with the claim window open."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-seeded", action="store_true", help="keep the Fall 2025 dates exactly"
        )
        parser.add_argument("--reset", action="store_true", help="delete the demo and rebuild it")

    def handle(self, *args, as_seeded, reset, **options):
        result = build_demo(reset=reset, as_seeded=as_seeded)
        course = result.course
        if not result.created:
            self.stdout.write(
                f"The demo course {course.code} exists already; nothing changed "
                "(--reset rebuilds it)."
            )
        else:
            first = course.sessions.first()
            self.stdout.write(
                f"Demo course {course.code} built: {course.sessions.count()} sessions, "
                f"first class {first.date:%a %Y-%m-%d}."
            )
            for misfit in result.renamed_holidays:
                self.stdout.write(f"  {misfit.describe(f'shown as “{DEMO_NO_CLASS}”')}")
        # Every time: a newcomer starting the demo a second time still learns how to get in.
        self.stdout.write(demo_sign_in())

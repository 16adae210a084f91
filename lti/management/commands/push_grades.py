from django.core.management.base import CommandError

from courses.management.base import CourseCommand
from lti.grades import GradePushError, grades_push
from lti.models import ContextLink


class Command(CourseCommand):
    help = (
        "LTI Assignment and Grade Services: send the published components and the final "
        "grade to the LMS gradebook. Exits non-zero if the LMS is down or any score failed."
    )

    def handle(self, *args, code, **options):
        course = self.course(code)
        links = list(ContextLink.objects.filter(course=course).select_related("platform"))
        if not links:
            raise CommandError(
                f"{code} is not linked to an LMS course (launch it from the LMS once)."
            )
        failed = 0
        for link in links:
            try:
                result = grades_push(link=link)
            except GradePushError as exc:
                raise CommandError(f"{link.platform.name}: {exc}") from None
            self.stdout.write(f"{link.platform.name} ({link.context_title}): {result.summary()}")
            for failure in result.failures:
                self.stderr.write(f"  failed: {failure}")
            failed += len(result.failures)
        if failed:
            raise CommandError(f"{failed} scores were not accepted; run push_grades again.")

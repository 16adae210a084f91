from django.core.management.base import CommandError

from courses.management.base import CourseCommand
from lti.models import ContextLink
from lti.roster import RosterSyncError, roster_sync


class Command(CourseCommand):
    help = "LTI Names and Roles: bring the course's roster in line with its LMS course(s)."

    def handle(self, *args, code, **options):
        course = self.course(code)
        links = list(ContextLink.objects.filter(course=course).select_related("platform"))
        if not links:
            raise CommandError(
                f"{code} is not linked to an LMS course (launch it from the LMS once)."
            )
        for link in links:
            try:
                result = roster_sync(link=link)
            except RosterSyncError as exc:
                raise CommandError(f"{link.platform.name}: {exc}") from None
            for change in result.changes + result.skipped:
                self.stdout.write(f"  {change}")
            self.stdout.write(f"{link.platform.name} ({link.context_title}): {result.summary()}")

from django.core.management.base import CommandError
from django.utils.translation import ngettext

from courses.management.base import CourseCommand, read_text
from courses.models import Membership
from courses.services.invitations import members_invite
from courses.services.roster import RosterError, roster_import


class Command(CourseCommand):
    help = (
        "Import a roster CSV (columns: email, name, student_id; optional role, section) into "
        "a course. Re-running updates names, roles and sections, never duplicates."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="CSV file with columns email, name, student_id")
        parser.add_argument(
            "--drop-missing",
            action="store_true",
            help="mark members absent from the file as dropped: their work is kept, their "
            "access ends (a file without a role column drops absent students only)",
        )
        parser.add_argument(
            "--invite",
            action="store_true",
            help="email everyone in the file who has no password yet a link to set one",
        )

    def handle(self, *args, code, file, drop_missing=False, invite=False, **options):
        course = self.course(code)
        text = read_text(file, hint="; save it as CSV UTF-8")
        try:
            result = roster_import(course=course, text=text, drop_missing=drop_missing)
        except RosterError as exc:
            raise CommandError("Nothing was imported:\n  " + "\n  ".join(exc.problems)) from None
        for change in result.changes:
            self.stdout.write(f"  {change}")
        summary = f"{course.code}: {result.summary()}"
        if invite:
            memberships = Membership.objects.filter(
                course=course, user__email__in=result.emails
            ).select_related("user", "course")
            sent = members_invite(memberships=memberships)
            summary += "; " + ngettext("%d invitation sent", "%d invitations sent", sent) % sent
        self.stdout.write(summary)

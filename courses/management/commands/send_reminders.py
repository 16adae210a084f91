from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from courses import reminders


class Command(BaseCommand):
    help = (
        "Email everyone who has not submitted work (a review, a milestone) due within the "
        "window. Safe to run from cron every few minutes: a reminder is never sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--window", type=float, default=24, help="Hours ahead to look (default 24)."
        )

    def handle(self, *args, window, **options):
        if window <= 0:
            raise CommandError("--window must be a positive number of hours.")
        sent = sum(reminders.send_all(window=timedelta(hours=window)).values())
        reminders_sent = ngettext("%d reminder sent", "%d reminders sent", sent) % sent
        self.stdout.write(f"send_reminders: {reminders_sent} for the next {window:g} h.")

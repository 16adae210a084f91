from django.core.management.base import BaseCommand, CommandError

from seminar.pgtools import run_tool


class Command(BaseCommand):
    help = "Dump the whole database to FILE (pg_dump custom format; restore with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        result = run_tool("pg_dump", "--format=custom", "--no-owner", "--file", file)
        if result.returncode:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        self.stdout.write(f"Backed up the database to {file}")

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg2 import sql

from seminar.pgtools import run_tool


class Command(BaseCommand):
    help = "Restore a `backup` FILE into a NEW database (never over the live one)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--into", required=True, help="name of the new database to create")

    def handle(self, *args, file, into, **options):
        if into == connection.settings_dict["NAME"]:
            raise CommandError("Restore into a new database, then point DATABASE_URL at it.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [into])
            if cursor.fetchone():
                raise CommandError(f"Database {into} exists already; choose another name.")
            cursor.execute(
                sql.SQL("CREATE DATABASE {}")
                .format(sql.Identifier(into))
                .as_string(cursor.connection)
            )
        result = run_tool("pg_restore", "--no-owner", "--exit-on-error", file, dbname=into)
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        self.stdout.write(f"Restored {file} into database {into}")

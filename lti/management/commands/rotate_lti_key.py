from django.core.management.base import BaseCommand

from lti.models import ToolKey


class Command(BaseCommand):
    help = "Make a new LTI signing key; the old ones stay in the JWKS until their tokens expire."

    def handle(self, *args, **options):
        key = ToolKey.rotate()
        self.stdout.write(f"New signing key {key.kid}; the previous keys stay published a while.")

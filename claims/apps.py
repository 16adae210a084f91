from django.apps import AppConfig

from courses.plugins import SeminarApp


class ClaimsConfig(SeminarApp, AppConfig):
    name = "claims"
    verbose_name = "Paper claims"

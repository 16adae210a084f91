from django.apps import AppConfig

from courses.plugins import SeminarApp


class TeamsConfig(SeminarApp, AppConfig):
    name = "teams"
    verbose_name = "Teams"

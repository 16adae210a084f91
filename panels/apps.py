from django.apps import AppConfig

from courses.plugins import SeminarApp


class PanelsConfig(SeminarApp, AppConfig):
    name = "panels"
    verbose_name = "Reviewer panels"

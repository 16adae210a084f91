from django.apps import AppConfig

from courses.plugins import SeminarApp


class GradingConfig(SeminarApp, AppConfig):
    name = "grading"
    verbose_name = "Grading"

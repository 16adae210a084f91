from django.apps import AppConfig

from courses.plugins import SeminarApp


class DiscussionsConfig(SeminarApp, AppConfig):
    name = "discussions"
    verbose_name = "Discussion threads"

from django.apps import AppConfig

from courses.plugins import SeminarApp


class FeedbackConfig(SeminarApp, AppConfig):
    name = "feedback"
    verbose_name = "Presenter feedback"

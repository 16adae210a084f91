from django.apps import AppConfig

from courses.plugins import SeminarApp


class ReviewsConfig(SeminarApp, AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

from django.apps import AppConfig

from courses.plugins import SeminarApp


class CoursesConfig(SeminarApp, AppConfig):
    name = "courses"
    verbose_name = "Courses"

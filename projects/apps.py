from django.apps import AppConfig

from courses.plugins import SeminarApp


class ProjectsConfig(SeminarApp, AppConfig):
    name = "projects"
    verbose_name = "Projects"

from django.apps import AppConfig

from courses.plugins import SeminarApp


class LtiConfig(SeminarApp, AppConfig):
    name = "lti"
    verbose_name = "LTI 1.3 (campus LMS)"

from django.apps import AppConfig

from courses.plugins import SeminarApp


class AttendanceConfig(SeminarApp, AppConfig):
    name = "attendance"
    verbose_name = "Attendance"

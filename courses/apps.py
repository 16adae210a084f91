from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from courses import navigation

        navigation.register(
            navigation.NavItem("Schedule", "courses:schedule", lambda c, r: True, order=10)
        )

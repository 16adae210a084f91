from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from courses import deadlines, grading_coursefile, navigation
        from courses.models import STAFF_ROLES, Role
        from courses.services.claims import claim_due_items

        nav = navigation.NavItem
        navigation.register(nav("Schedule", "courses:schedule", lambda c, r: True, order=10))
        navigation.register(
            nav("Claims", "courses:claims", lambda c, r: c.uses_claims and r is not None, order=20)
        )
        navigation.register(
            nav("Grades", "courses:grades", lambda c, r: r == Role.STUDENT, order=80)
        )
        navigation.register(
            nav("Gradebook", "courses:gradebook", lambda c, r: r in STAFF_ROLES, order=90)
        )
        deadlines.register(claim_due_items)
        grading_coursefile.register()

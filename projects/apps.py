from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        from courses import coursefile, deadlines, grading, navigation
        from courses.models import STAFF_ROLES, ComponentSource, Role
        from projects import coursefile as milestones_section
        from projects.providers import milestone_deadlines, milestone_scores

        navigation.register(
            navigation.NavItem(
                "Team",
                "projects:team",
                lambda course, role: course.uses_projects and role == Role.STUDENT,
                order=40,
            )
        )
        navigation.register(
            navigation.NavItem(
                "Teams",
                "projects:teams",
                lambda course, role: course.uses_projects and role in STAFF_ROLES,
                order=85,
            )
        )
        deadlines.register(milestone_deadlines)
        coursefile.register_section(milestones_section.SECTION)
        grading.register_provider(ComponentSource.MILESTONE, milestone_scores)

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        from courses import coursefile, deadlines, grading, navigation, reminders
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
        from projects.services import send_milestone_reminders

        reminders.register("milestones", send_milestone_reminders)

        # Milestones due relative to a session move with it. courses cannot call
        # projects (it must not import it), so projects listens for the change.
        from django.db.models.signals import post_save

        from courses.models import Course, Session
        from projects.models import Milestone

        def follow_session(sender, instance, raw=False, **kwargs):
            if not raw:
                Milestone.objects.filter(session=instance).sync_due_times()

        def follow_course(sender, instance, raw=False, **kwargs):
            if not raw:
                Milestone.objects.filter(course=instance).sync_due_times()

        post_save.connect(follow_session, sender=Session, dispatch_uid="projects.follow_session")
        post_save.connect(follow_course, sender=Course, dispatch_uid="projects.follow_course")

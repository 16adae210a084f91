from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from courses import coursefile, deadlines, grading, navigation, reminders
        from reviews import integration
        from reviews.services import send_reminders

        navigation.register(
            navigation.NavItem("Reviews", "reviews:my_reviews", integration.nav_visible, order=30)
        )
        deadlines.register(integration.due_reviews)
        coursefile.register_section(
            coursefile.Section(
                key=integration.KEY,
                order=30,
                export=integration.export_kinds,
                load=integration.load_kinds,
            )
        )
        grading.register_provider("reviews", integration.review_scores)
        reminders.register("reviews", send_reminders)
        grading.register_provider("bonus_reviews", integration.bonus_review_scores)

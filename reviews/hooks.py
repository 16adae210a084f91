"""What reviews adds to the course core (courses.plugins)."""

from courses.coursefile import Section
from courses.navigation import NavItem
from reviews import coursefile, integration
from reviews.digests import send_digests
from reviews.services import send_reminders

nav_items = [NavItem("Reviews", "reviews:my_reviews", integration.nav_visible, order=30)]
due_items = integration.due_reviews
coursefile_sections = [
    Section(
        key=coursefile.KEY, order=30, export=coursefile.export_kinds, load=coursefile.load_kinds
    )
]
grade_sources = {
    "reviews": integration.review_scores,
    "bonus_reviews": integration.bonus_review_scores,
}
reminder_senders = {"reviews": send_reminders, "digests": send_digests}
staff_work = integration.reviews_to_grade

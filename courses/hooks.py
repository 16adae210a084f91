"""What courses itself shows in the course menu (courses.plugins)."""

from courses.navigation import NavItem

nav_items = [NavItem("Schedule", "courses:schedule", lambda course, role: True, order=10)]

from courses.models import Course
from courses.navigation import items_for


def navigation(request):
    """The course switcher (lazy, one query) and, on course pages, the course's menu."""
    user = getattr(request, "user", None)
    context = {}
    access = getattr(request, "course_access", None)
    if access is not None:
        context["course_nav"] = items_for(access.course, access.role)
    if user is not None and user.is_authenticated:
        context["my_courses"] = lambda: list(
            Course.objects.for_member(user).only("code", "title", "term")
        )
    return context

"""``{% staff_work_of user as work %}``: what awaits this person in the courses they
staff (the admin's index shows it; the dashboard gets it from its view)."""

from django import template

from courses.models import Course
from courses.staffwork import staff_work

register = template.Library()


@register.simple_tag
def staff_work_of(user):
    if not user.is_authenticated:
        return []
    return staff_work(Course.objects.for_staff(user))

"""What attendance adds to the course core (courses.plugins): the "attendance" grade source."""

from attendance.providers import attendance_scores
from grading.models import ComponentSource

grade_sources = {ComponentSource.ATTENDANCE: attendance_scores}

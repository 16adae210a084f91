# Each view module owns its routes; this file only gathers them.
from courses.views import calendar, schedule

app_name = "courses"

urlpatterns = [
    *schedule.urlpatterns,
    *calendar.urlpatterns,
]

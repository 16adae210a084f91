from django.urls import path

from courses.views import calendar, schedule

app_name = "courses"

urlpatterns = [
    path("", schedule.course_schedule, name="schedule"),
    path("calendar.ics", calendar.calendar_feed, name="calendar"),
]

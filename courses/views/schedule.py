from django.shortcuts import render
from django.urls import path

from courses.access import course_access


def course_schedule(request, code):
    access = course_access(request, code)
    course = access.course
    sessions = list(course.sessions.select_related("course").prefetch_related("readings__paper"))
    return render(
        request,
        "courses/course_schedule.html",
        {"course": course, "access": access, "sessions": sessions},
    )


urlpatterns = [
    path("", course_schedule, name="schedule"),
]

from django.http import Http404
from django.urls import path


def calendar_feed(request, code):
    # Replaced by the iCal feed (schedule issue).
    raise Http404


urlpatterns = [
    path("calendar.ics", calendar_feed, name="calendar"),
]

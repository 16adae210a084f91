from django.http import Http404


def calendar_feed(request, code):
    # Replaced by the iCal feed (schedule issue).
    raise Http404

"""The instant a request arrives, which decides every deadline (SPEC, Time)."""

from django.utils import timezone


class ArrivalTimeMiddleware:
    """Stamp each request with the server's clock as the request arrives.

    SPEC: "The server's clock decides, at the moment the request arrives." Views judge
    due times and windows on ``request.arrived_at`` (see ``arrival``), not on the clock
    after a long upload has been read or after a wait for a lock. First in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.arrived_at = timezone.now()
        return self.get_response(request)


def arrival(request):
    """When ``request`` arrived (now, for a request that did not pass the middleware)."""
    return getattr(request, "arrived_at", None) or timezone.now()

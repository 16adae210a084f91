"""Launches inside the platform's iframe (README, "Security"), without loosening the rest.

A session begun by an LTI launch is marked (``LTI_SESSION_KEY``: the platform's origin and
the courses it opened). For such a session only:

- its session and CSRF cookies are sent SameSite=None; Secure; Partitioned, as a
  third-party iframe needs (the LTI 1.3 implementation guide; Django's defaults, Lax, stay
  for everyone else);
- pages of the courses it launched into, and the /lti/ pages, may be framed by that
  platform's origin: CSP frame-ancestors names it and X-Frame-Options is left off.
  Every other response (the admin, other courses, any session not begun by a launch)
  keeps X-Frame-Options DENY and frame-ancestors 'none'.
"""

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware

LTI_SESSION_KEY = "lti"


# SameSite=None, and Partitioned (CHIPS): a browser that blocks third-party cookies (Chrome
# in a private window, and by default where it rolls that out) still keeps a partitioned one
# for Seminar-inside-this-LMS. Python 3.11's http.cookies has no Partitioned attribute yet
# (3.14 has), so it rides after SameSite's value.
THIRD_PARTY = "None; Partitioned"


def third_party(morsel) -> None:
    """Make a cookie usable inside the LMS's iframe."""
    morsel["samesite"] = THIRD_PARTY
    morsel["secure"] = True


def allow_framing(response, origins: list[str]):
    """Let ``origins`` (or ``["*"]``) frame this one response."""
    response.lti_frame_origins = origins
    return response


def _lti_session(request) -> dict | None:
    session = getattr(request, "session", None)
    return session.get(LTI_SESSION_KEY) if session is not None else None


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        response = super().process_response(request, response)
        if _lti_session(request):
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                morsel = response.cookies.get(name)
                if morsel is not None and morsel.value:
                    third_party(morsel)
        return response


class LtiFrameMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = getattr(response, "lti_frame_origins", None) or self._session_origins(request)
        if origins:
            if "X-Frame-Options" in response.headers:
                del response.headers["X-Frame-Options"]
            response.xframe_options_exempt = True
            replace = dict(getattr(response, "_csp_replace", None) or {})
            replace["frame-ancestors"] = list(origins)
            response._csp_replace = replace
        return response

    @staticmethod
    def _session_origins(request) -> list[str] | None:
        session = _lti_session(request)
        if not session:
            return None
        path = request.path_info
        if path.startswith("/lti/"):
            return session.get("origins")
        for code in session.get("courses", []):
            if path.startswith(f"/courses/{code}/"):
                return session.get("origins")
        return None

"""Calls to a platform's services (Names and Roles, Assignment and Grade Services) through
pylti1p3's ServiceConnector: the OAuth 2 client-credentials token, signed with Seminar's
current tool key, then the service request (rel=next paging included)."""

import requests
from django.conf import settings
from pylti1p3.registration import Registration

from lti.models import Platform, ToolKey

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


class _Registration(Registration):
    """pylti1p3's registration, with Seminar's key id (it would use the key's thumbprint)."""

    kid: str = ""

    def get_kid(self):
        return self.kid


class _TimedSession(requests.Session):
    """Every request with a timeout: a platform that hangs is an error, not a hung command."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


def connector(platform: Platform):
    from pylti1p3.service_connector import REQUESTS_USER_AGENT, ServiceConnector

    key = ToolKey.signing()
    registration = _Registration()
    registration.kid = key.kid
    registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
    registration.set_auth_token_url(platform.auth_token_url)
    registration.set_auth_audience(platform.auth_audience or None)
    registration.set_tool_private_key(key.private_key)
    session = _TimedSession()
    session.headers["User-Agent"] = f"Seminar ({REQUESTS_USER_AGENT})"
    return ServiceConnector(registration, requests_session=session)

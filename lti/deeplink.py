"""Deep Linking 2.0: the response that adds Seminar to an LMS course (a link that opens the
chosen Seminar course), signed with the tool's key."""

import secrets

import jwt
from django.utils import timezone

from lti.launch import DEPLOYMENT_ID, MESSAGE_TYPE, VERSION
from lti.models import Platform, ToolKey

CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"


def deep_link_response(
    *, platform: Platform, deployment_id: str, title: str, launch_url: str, data=None
) -> str:
    """The LtiDeepLinkingResponse JWT: one ltiResourceLink to ``launch_url``; the request's
    opaque ``data`` comes back as the specification requires."""
    key = ToolKey.signing()
    now = int(timezone.now().timestamp())
    claims = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 300,
        "nonce": secrets.token_urlsafe(16),
        MESSAGE_TYPE: "LtiDeepLinkingResponse",
        VERSION: "1.3.0",
        DEPLOYMENT_ID: deployment_id,
        CONTENT_ITEMS: [{"type": "ltiResourceLink", "title": title, "url": launch_url}],
    }
    if data is not None:
        claims[DATA] = data
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

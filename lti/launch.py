"""Checking an LTI 1.3 launch as the specification requires (LTI 1.3 core, section 5.1.3;
IMS Security Framework, section 5.1.3).

``validate_launch(state=..., id_token=..., cookies=...)`` runs every check in order and
returns the ``Launch``; the first check that fails raises ``LaunchError`` naming it
(``error.check``: one of ``CHECKS``), so the page can say which rule the launch broke.
Nothing here signs anyone in: the view does that only with a ``Launch`` in hand.

The signature is checked with PyJWT against the platform's JWKS, fetched over HTTP and
cached on the Platform row; a key id the cache does not know fetches the set again once
(the platform rotated its key).
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import jwt
import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from courses.models import Role
from lti.models import Deployment, LoginState, Platform

log = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
ROLES = CLAIM + "roles"
CONTEXT = CLAIM + "context"
RESOURCE_LINK = CLAIM + "resource_link"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
RESOURCE_LAUNCH, DEEP_LINKING_LAUNCH = "LtiResourceLinkRequest", "LtiDeepLinkingRequest"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

# The checks, in the order they run; the failure page names the one that failed.
CHECKS = {
    "state": "state matches a login initiation from this browser",
    "format": "the id_token is a JWT",
    "issuer": "the issuer is a registered platform",
    "audience": "the token is addressed to Seminar (aud)",
    "azp": "the authorized party is Seminar (azp)",
    "signature": "signed by one of the platform's keys",
    "expiry": "not expired (exp)",
    "issued at": "issued just now (iat)",
    "nonce": "nonce matches the login and is used once",
    "deployment": "the deployment id is registered",
    "message type": "a resource link launch, or a deep linking request",
    "version": "LTI version 1.3.0",
    "claims": "the user, the roles and the context are given",
}


class LaunchError(Exception):
    """A launch refused by one check; ``str(error)`` says what was wrong, in words."""

    def __init__(self, check: str, message: str, platform: Platform | None = None):
        if check not in CHECKS:
            raise ValueError(f"unknown launch check {check!r}")
        self.check = check
        self.platform = platform
        super().__init__(message)

    @property
    def rule(self) -> str:
        return CHECKS[self.check]


def state_cookie(state: str) -> str:
    """The cookie that ties a login initiation to the browser it came from."""
    return f"lti-state-{state[:24]}"


# --------------------------------------------------------------------------- roles

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership"


def seminar_role(roles: list) -> str | None:
    """The Seminar role for the context roles of a launch (or an NRPS member), or None for
    roles Seminar has no place for (observer, mentor, designer, administrator…).

    A TeachingAssistant sub-role wins over its principal Instructor role (Canvas sends
    both for a TA); simple names ("Instructor") are accepted as LTI 1.3 allows.
    """
    names = set()
    for role in roles or []:
        if not isinstance(role, str):
            continue
        if role.startswith(LIS + "#"):
            names.add(role.split("#", 1)[1])
        elif role.startswith(LIS + "/"):  # a sub-role: membership/Instructor#TeachingAssistant
            names.add(role.rsplit("#", 1)[-1])
        elif "/" not in role and "#" not in role:
            names.add(role)
    if "TeachingAssistant" in names:
        return Role.TA
    if "Instructor" in names:
        return Role.INSTRUCTOR
    if "Learner" in names:
        return Role.STUDENT
    return None


# --------------------------------------------------------------------------- the launch


@dataclass
class Launch:
    platform: Platform
    deployment: Deployment
    claims: dict
    login: LoginState

    @property
    def sub(self) -> str:
        return self.claims["sub"]

    @property
    def email(self) -> str:
        return (self.claims.get("email") or "").strip().lower()

    @property
    def name(self) -> str:
        claims = self.claims
        given = " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
        return (claims.get("name") or given or "").strip()[:150]

    @property
    def roles(self) -> list:
        return self.claims.get(ROLES) or []

    @property
    def role(self) -> str | None:
        return seminar_role(self.roles)

    @property
    def context(self) -> dict:
        return self.claims.get(CONTEXT) or {}

    @property
    def context_id(self) -> str:
        return str(self.context.get("id", ""))

    @property
    def is_deep_link(self) -> bool:
        return self.claims.get(MESSAGE_TYPE) == DEEP_LINKING_LAUNCH

    @property
    def deep_linking(self) -> dict:
        return self.claims.get(DEEP_LINKING) or {}

    @property
    def services(self) -> dict:
        """The NRPS and AGS URLs (and AGS scopes) the launch announced, for the link."""
        nrps = self.claims.get(NRPS) or {}
        ags = self.claims.get(AGS) or {}
        return {
            "memberships_url": str(nrps.get("context_memberships_url") or "")[:500],
            "lineitems_url": str(ags.get("lineitems") or "")[:500],
            "ags_scopes": [s for s in ags.get("scope") or [] if isinstance(s, str)],
        }


@dataclass
class _Token:
    raw: str
    header: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)


def validate_launch(*, state: str, id_token: str, cookies) -> Launch:
    """Every check of CHECKS in order; the Launch, or LaunchError for the first that fails."""
    now = timezone.now()
    login = _check_state(state, cookies, now)
    token = _check_format(id_token)
    platform = _check_issuer(token)
    fail = _failer(platform)
    if login.platform_id != platform.pk:
        fail("state", "The state belongs to a login initiation of another platform.")
    _check_audience(token, platform, fail)
    _check_signature(token, platform, fail)
    _check_times(token, now, fail)
    _check_nonce(token, login, now, fail)
    deployment = _check_deployment(token, platform, fail)
    _check_message(token, fail)
    return Launch(platform=platform, deployment=deployment, claims=token.body, login=login)


def _failer(platform):
    def fail(check, message):
        raise LaunchError(check, message, platform)

    return fail


def _check_state(state, cookies, now) -> LoginState:
    if not state:
        raise LaunchError("state", "The launch has no state parameter.")
    if len(state) > 64 or "\x00" in state:
        raise LaunchError("state", "No login initiation sent this state.")
    login = LoginState.objects.select_related("platform").filter(state=state).first()
    if login is None:
        raise LaunchError("state", "No login initiation sent this state.")
    if login.created_at < now - timedelta(seconds=settings.LTI_LOGIN_SECONDS):
        raise LaunchError("state", "The login initiation is too old; launch again.", login.platform)
    if cookies.get(state_cookie(state)) != state:
        raise LaunchError(
            "state",
            "This browser did not start the login (its state cookie is missing or differs).",
            login.platform,
        )
    return login


def _check_format(id_token) -> _Token:
    if not id_token:
        raise LaunchError("format", "The launch has no id_token.")
    token = _Token(id_token)
    try:
        token.header = jwt.get_unverified_header(id_token)
        token.body = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise LaunchError("format", f"The id_token is not a JWT ({exc}).") from None
    if not isinstance(token.body, dict):
        raise LaunchError("format", "The id_token's body is not a JSON object.")
    if "\\u0000" in json.dumps(token.body):  # PostgreSQL text cannot hold NUL
        raise LaunchError("format", "The id_token holds a NUL character.")
    return token


def _audiences(token) -> list:
    aud = token.body.get("aud")
    return [aud] if isinstance(aud, str) else [a for a in aud or [] if isinstance(a, str)]


def _check_issuer(token) -> Platform:
    iss = token.body.get("iss")
    if not isinstance(iss, str) or not iss:
        raise LaunchError("issuer", "The id_token names no issuer (iss).")
    platforms = list(Platform.objects.filter(issuer=iss))
    if not platforms:
        raise LaunchError("issuer", f"No platform is registered with the issuer {iss[:200]}.")
    auds = _audiences(token)
    for platform in platforms:
        if platform.client_id in auds:
            return platform
    if len(platforms) == 1:
        return platforms[0]  # the audience check says what is wrong
    raise LaunchError("audience", "The token is addressed to no client id registered for it.")


def _check_audience(token, platform, fail) -> None:
    auds = _audiences(token)
    if platform.client_id not in auds:
        fail("audience", f"The token is addressed to {', '.join(auds) or 'nobody'}, not Seminar.")
    azp = token.body.get("azp")
    if len(auds) > 1 and azp is None:
        fail("azp", "The token has several audiences and no authorized party (azp).")
    if azp is not None and azp != platform.client_id:
        fail("azp", "The authorized party (azp) is not Seminar's client id.")


def _check_signature(token, platform, fail) -> None:
    if token.header.get("alg") != "RS256":
        fail("signature", f"The token is signed with {token.header.get('alg')!r}, not RS256.")
    kid = token.header.get("kid")
    if not kid:
        fail("signature", "The token's header names no key (kid).")
    jwk = platform_key(platform, kid, fail)
    try:
        key = jwt.PyJWK(jwk, algorithm="RS256").key
        jwt.decode(
            token.raw,
            key,
            algorithms=["RS256"],
            options={
                "verify_exp": False,  # the expiry and iat checks below say which failed
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.InvalidSignatureError:
        fail("signature", "The signature does not verify with the platform's key.")
    except jwt.PyJWTError as exc:
        fail("signature", f"The signature could not be checked ({exc}).")


def platform_key(platform, kid, fail) -> dict:
    """The platform's JWK with this kid: from the cached set, else from a fresh fetch."""
    stale = platform.key_set_fetched_at is None or platform.key_set_fetched_at < (
        timezone.now() - timedelta(seconds=settings.LTI_KEY_SET_CACHE_SECONDS)
    )
    found = None if stale else _key_in(platform.key_set, kid)
    if found is None and (stale or _may_fetch_again(platform)):
        _fetch_key_set(platform, fail)
        found = _key_in(platform.key_set, kid)
    if found is None:
        fail("signature", f"The platform's key set has no key {str(kid)[:80]!r}.")
    return found


def _may_fetch_again(platform) -> bool:
    """An unknown key id fetches the set again, but not more often than every
    LTI_KEY_SET_REFETCH_SECONDS: forged tokens with made-up key ids must not turn Seminar
    into a stream of requests to the platform."""
    since = timezone.now() - platform.key_set_fetched_at
    return since >= timedelta(seconds=settings.LTI_KEY_SET_REFETCH_SECONDS)


def _key_in(key_set, kid):
    keys = key_set.get("keys") if isinstance(key_set, dict) else None
    return next((k for k in keys or [] if isinstance(k, dict) and k.get("kid") == kid), None)


def _fetch_key_set(platform, fail) -> None:
    try:
        response = requests.get(platform.key_set_url, timeout=settings.LTI_HTTP_TIMEOUT)
        response.raise_for_status()
        key_set = response.json()
    except (requests.RequestException, ValueError) as exc:
        log.warning("LTI: fetching the key set of %s failed: %s", platform, exc)
        fail("signature", "The platform's key set could not be fetched; try again later.")
    platform.key_set, platform.key_set_fetched_at = key_set, timezone.now()
    Platform.objects.filter(pk=platform.pk).update(
        key_set=key_set, key_set_fetched_at=platform.key_set_fetched_at
    )


def _check_times(token, now, fail) -> None:
    leeway = settings.LTI_LEEWAY_SECONDS
    stamp = now.timestamp()
    exp, iat = token.body.get("exp"), token.body.get("iat")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        fail("expiry", "The token has no expiry (exp).")
    if exp + leeway < stamp:
        fail("expiry", "The token has expired.")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        fail("issued at", "The token has no issue time (iat).")
    if iat - leeway > stamp:
        fail("issued at", "The token was issued in the future (check the platform's clock).")
    if iat + settings.LTI_LOGIN_SECONDS < stamp:
        fail("issued at", "The token was issued too long ago.")


def _check_nonce(token, login, now, fail) -> None:
    nonce = token.body.get("nonce")
    if not nonce or not isinstance(nonce, str):
        fail("nonce", "The token has no nonce.")
    if nonce != login.nonce:
        fail("nonce", "The nonce is not the one this login initiation sent.")
    # Used once: the row is marked in one UPDATE, so two posts of one token cannot both pass.
    if not LoginState.objects.filter(pk=login.pk, used_at__isnull=True).update(used_at=now):
        fail("nonce", "This launch was already used (a replayed token).")


def _check_deployment(token, platform, fail) -> Deployment:
    deployment_id = token.body.get(DEPLOYMENT_ID)
    if not deployment_id or not isinstance(deployment_id, str):
        fail("deployment", "The token has no deployment id.")
    deployment = (
        Deployment.objects.filter(platform=platform, deployment_id=deployment_id)
        .filter(Q(is_active=True))
        .first()
    )
    if deployment is None:
        fail("deployment", f"The deployment id {deployment_id[:100]!r} is not registered.")
    return deployment


def _check_message(token, fail) -> None:
    body = token.body
    kind = body.get(MESSAGE_TYPE)
    if kind not in (RESOURCE_LAUNCH, DEEP_LINKING_LAUNCH):
        fail("message type", f"Seminar takes resource links and deep linking, not {kind!r}.")
    if body.get(VERSION) != "1.3.0":
        fail("version", f"The LTI version is {body.get(VERSION)!r}, not 1.3.0.")
    if not isinstance(body.get("sub"), str) or not body["sub"]:
        fail("claims", "The launch names no user (sub); anonymous launches are not accepted.")
    if not isinstance(body.get(ROLES), list):
        fail("claims", "The launch has no roles claim.")
    if kind == RESOURCE_LAUNCH:
        link = body.get(RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            fail("claims", "The launch has no resource link id.")
    else:
        settings_claim = body.get(DEEP_LINKING)
        url = (
            settings_claim.get("deep_link_return_url") if isinstance(settings_claim, dict) else None
        )
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            fail("claims", "The deep linking request has no return URL.")
    context = body.get(CONTEXT)
    if not isinstance(context, dict) or not context.get("id"):
        fail("claims", "The launch comes from no course (context).")
    for claim in (NRPS, AGS):
        if claim in body and not isinstance(body[claim], dict):
            fail("claims", f"The claim {claim} is not an object.")

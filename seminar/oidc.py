"""Campus single sign-on with OpenID Connect (mozilla-django-oidc), when configured
(README, "Configuration": the OIDC_* settings).

A campus account signs in the Seminar account with the same email, only when the
provider says the email is verified (``email_verified``). Seminar makes no account for a
campus user it does not know unless OIDC_CREATE_USER is on: the roster import (or an LTI
launch) makes them. Password sign-in stays for everyone.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import Http404
from django.shortcuts import redirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView


def configured() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID and settings.OIDC_OP_AUTHORIZATION_ENDPOINT)


def campus_sign_in() -> dict | None:
    """What the sign-in page needs for its "Sign in with <campus>" button, or None."""
    if not configured():
        return None
    return {"name": settings.OIDC_CAMPUS_NAME or "your campus account"}


class CampusBackend(OIDCAuthenticationBackend):
    # A session's user as Django's ModelBackend loads them: a deactivated account is signed
    # out (mozilla-django-oidc's own get_user keeps it signed in), and course pages read the
    # user with the course (courses/access.py) for campus sessions too.
    get_user = ModelBackend.get_user

    def __init__(self, *args, **kwargs):
        if configured():
            super().__init__(*args, **kwargs)  # it refuses to load without the settings
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not configured():
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims):
        # A provider that does not vouch for the address could let anyone claim anyone's.
        return bool(claims.get("email")) and claims.get("email_verified") in (True, "true")

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=claims["email"], is_active=True)

    def create_user(self, claims):
        if not settings.OIDC_CREATE_USER:
            return None
        user = self.UserModel.objects.create_user(
            email=claims["email"], name=str(claims.get("name") or "")[:150]
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return user

    def update_user(self, user, claims):
        if not user.name and claims.get("name"):
            user.name = str(claims["name"])[:150]
            user.save(update_fields=["name"])
        return user


class CampusSignIn(OIDCAuthenticationRequestView):
    """Off (404) unless campus sign-in is configured."""

    def __init__(self, *args, **kwargs):
        if configured():
            super().__init__(*args, **kwargs)

    def get(self, request):
        if not configured():
            raise Http404("Campus sign-in is not configured.")
        return super().get(request)


class CampusCallback(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not configured():
            raise Http404("Campus sign-in is not configured.")
        return super().get(request)

    @property
    def failure_url(self):
        return settings.LOGIN_URL

    def login_failure(self):
        messages.error(
            self.request,
            f"Signing in with {settings.OIDC_CAMPUS_NAME or 'your campus account'} did not "
            "find a Seminar account with that verified email. Sign in with your password, or "
            "ask your instructor to add you to the course.",
        )
        return redirect("login")

import json

from django.contrib.auth import get_user_model, login
from django.http import HttpResponse
from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator


class CampusValidator(OAuth2Validator):
    """The claims a campus provider sends: the email, whether it is verified, the name."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email_verified": "email"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.last_name != "unverified",
            "name": user.first_name,
        }


def sign_in_as(request, username):
    """The test's way to be signed in at the campus (a campus login form does this)."""
    login(request, get_user_model().objects.get(username=username))
    return HttpResponse(json.dumps({"signed_in": username}))


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("test/sign-in/<str:username>/", sign_in_as),
]

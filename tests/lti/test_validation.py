"""Every check of an LTI launch (lti.launch.CHECKS), each failing once: the launch signs
nobody in, and the page names the check that failed."""

import time

import pytest
from django.test import Client

from lti.launch import CHECKS
from lti.models import LoginState, Platform
from tests.lti.platform import CLIENT_ID, new_private_key

pytestmark = pytest.mark.usefixtures("linked")

AUD, CLAIM = "aud", "https://purl.imsglobal.org/spec/lti/claim/"


def refused(response, check):
    assert response.status_code == 403, response.content[:300]
    assert f"Failed check: {check}".encode() in response.content
    assert "_auth_user_id" not in response.wsgi_request.session
    return response


def tamper(platform, change):
    platform.tamper = change


def test_a_valid_launch_passes_every_check(client, launch):
    assert launch(client, "p-alice").status_code == 302


# ----------------------------------------------------------------------------- state
def test_state_missing(client, launch):
    refused(launch(client, "p-alice", form=lambda a: a.pop("state")), "state")


def test_state_no_login_sent(client, launch):
    refused(launch(client, "p-alice", form=lambda a: a.update(state="made-up")), "state")


def test_state_from_another_browser(client, platform, launch):
    """The login ran in this browser, the form post comes from another (no state cookie)."""
    start = client.get("/lti/login/", platform.launch_params("p-alice"))
    from tests.lti.conftest import platform_answer

    refused(Client().post("/lti/launch/", platform_answer(start)), "state")


def test_state_too_old(client, launch, settings):
    def age(answer):
        LoginState.objects.filter(state=answer["state"]).update(
            created_at=LoginState.objects.get(state=answer["state"]).created_at
            - __import__("datetime").timedelta(seconds=settings.LTI_LOGIN_SECONDS + 1)
        )

    refused(launch(client, "p-alice", form=age), "state")


# ----------------------------------------------------------------------------- the token
def test_format_not_a_jwt(client, launch):
    refused(launch(client, "p-alice", form=lambda a: a.update(id_token="not.a.jwt")), "format")


def test_format_no_token(client, launch):
    refused(launch(client, "p-alice", form=lambda a: a.pop("id_token")), "format")


def test_issuer_not_registered(client, platform, launch):
    tamper(platform, lambda m: m.update(iss="https://lms.elsewhere.example"))
    response = refused(launch(client, "p-alice"), "issuer")
    assert b"No platform is registered" in response.content


def test_audience_another_tool(client, platform, launch):
    tamper(platform, lambda m: m.update(aud="another-tool"))
    refused(launch(client, "p-alice"), "audience")


def test_azp_missing_with_several_audiences(client, platform, launch):
    def change(message):
        message.update(aud=[CLIENT_ID, "another-tool"])
        message.pop("azp")

    tamper(platform, change)
    refused(launch(client, "p-alice"), "azp")


def test_azp_another_party(client, platform, launch):
    tamper(platform, lambda m: m.update(azp="another-tool"))
    refused(launch(client, "p-alice"), "azp")


def test_signature_by_another_key_under_the_platforms_key_id(client, platform, launch):
    platform.sign_with = (new_private_key()[0], platform.kid)
    response = refused(launch(client, "p-alice"), "signature")
    assert b"does not verify" in response.content


def test_signature_by_a_key_the_platform_never_published(client, platform, launch):
    platform.sign_with = (new_private_key()[0], "unknown-kid")
    response = refused(launch(client, "p-alice"), "signature")
    assert b"has no key" in response.content


def test_signature_when_the_platform_keys_cannot_be_fetched(client, platform, launch):
    Platform.objects.filter(pk=platform.registered.pk).update(
        key_set_url=f"{platform.url}/no-such-jwks"
    )
    refused(launch(client, "p-alice"), "signature")


def test_a_rotated_platform_key_is_fetched_again_once(client, platform, launch, settings):
    settings.LTI_KEY_SET_REFETCH_SECONDS = 0
    assert launch(client, "p-alice").status_code == 302
    fetches = platform.requests.count("GET /jwks")
    client.logout()
    assert launch(client, "p-alice").status_code == 302
    assert platform.requests.count("GET /jwks") == fetches  # cached
    platform.rotate_key()
    client.logout()
    assert launch(client, "p-alice").status_code == 302
    assert platform.requests.count("GET /jwks") == fetches + 1  # unknown kid: fetched again


def test_unknown_key_ids_fetch_the_key_set_at_most_every_few_seconds(client, platform, launch):
    assert launch(client, "p-alice").status_code == 302
    fetches = platform.requests.count("GET /jwks")
    client.logout()
    for _ in range(3):
        platform.sign_with = (new_private_key()[0], "made-up-kid")
        refused(launch(client, "p-alice"), "signature")
    assert platform.requests.count("GET /jwks") == fetches  # fetched just now: not again


def test_expiry_passed(client, platform, launch, settings):
    now = int(time.time())
    tamper(platform, lambda m: m.update(iat=now - 600, exp=now - settings.LTI_LEEWAY_SECONDS - 5))
    refused(launch(client, "p-alice"), "expiry")


def test_expiry_within_the_leeway_is_accepted(client, platform, launch):
    now = int(time.time())
    tamper(platform, lambda m: m.update(exp=now - 10))
    assert launch(client, "p-alice").status_code == 302


def test_expiry_missing(client, platform, launch):
    tamper(platform, lambda m: m.pop("exp"))
    refused(launch(client, "p-alice"), "expiry")


def test_issued_at_in_the_future(client, platform, launch, settings):
    now = int(time.time())
    tamper(platform, lambda m: m.update(iat=now + settings.LTI_LEEWAY_SECONDS + 60))
    refused(launch(client, "p-alice"), "issued at")


def test_issued_at_missing(client, platform, launch):
    tamper(platform, lambda m: m.pop("iat"))
    refused(launch(client, "p-alice"), "issued at")


def test_nonce_not_the_logins(client, platform, launch):
    tamper(platform, lambda m: m.update(nonce="another-nonce"))
    refused(launch(client, "p-alice"), "nonce")


def test_nonce_used_once_a_replay_is_refused(client, platform):
    from lti.launch import state_cookie
    from tests.lti.conftest import platform_answer

    answer = platform_answer(client.get("/lti/login/", platform.launch_params("p-alice")))
    assert client.post("/lti/launch/", answer).status_code == 302
    client.logout()
    # The same form posted again, with the state cookie (a double submit, or a thief who has
    # both): the nonce was used.
    client.cookies[state_cookie(answer["state"])] = answer["state"]
    response = refused(client.post("/lti/launch/", answer), "nonce")
    assert b"already used" in response.content


def test_deployment_not_registered(client, platform, launch):
    tamper(platform, lambda m: m.update({CLAIM + "deployment_id": "deployment-9"}))
    refused(launch(client, "p-alice"), "deployment")


def test_deployment_switched_off(client, platform, launch):
    platform.registered.deployments.update(is_active=False)
    refused(launch(client, "p-alice"), "deployment")


def test_message_type_not_a_resource_link(client, platform, launch):
    tamper(platform, lambda m: m.update({CLAIM + "message_type": "LtiSubmissionReviewRequest"}))
    refused(launch(client, "p-alice"), "message type")


def test_version_not_1_3(client, platform, launch):
    tamper(platform, lambda m: m.update({CLAIM + "version": "1.1.0"}))
    refused(launch(client, "p-alice"), "version")


@pytest.mark.parametrize(
    "claim", ["sub", CLAIM + "roles", CLAIM + "resource_link", CLAIM + "context"]
)
def test_claims_missing(client, platform, launch, claim):
    tamper(platform, lambda m: m.pop(claim))
    refused(launch(client, "p-alice"), "claims")


def test_every_check_has_a_test_here():
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    assert all(f'"{check}")' in source for check in CHECKS)


# ----------------------------------------------------------------------------- login initiation
def test_a_login_from_an_unregistered_platform_is_refused(client, platform):
    params = platform.launch_params("p-alice") | {"iss": "https://lms.elsewhere.example"}
    refused(client.get("/lti/login/", params), "issuer")
    assert not LoginState.objects.exists()


def test_a_login_without_its_parameters_is_refused(client, db):
    refused(client.get("/lti/login/"), "state")


def test_a_login_for_another_tools_url_is_refused(client, platform):
    params = platform.launch_params("p-alice") | {"target_link_uri": "https://evil.example/x"}
    refused(client.get("/lti/login/", params), "audience")


def test_a_launch_by_get_is_not_allowed(client):
    assert client.get("/lti/launch/").status_code == 405


def test_what_the_token_says_is_shown_escaped(client, platform, launch):
    tamper(platform, lambda m: m.update(iss="<script>alert(1)</script>"))
    response = refused(launch(client, "p-alice"), "issuer")
    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)" in response.content


def test_a_launch_with_junk_in_every_field_is_refused_not_a_500(client, db):
    for data in ({"state": "\x00", "id_token": "\x00"}, {"state": "a" * 5000, "id_token": "b.c.d"}):
        assert client.post("/lti/launch/", data).status_code == 403

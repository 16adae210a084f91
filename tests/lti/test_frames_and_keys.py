"""The launch inside the platform's iframe without loosening the rest of the site, and the
tool's keys (JWKS with rotation)."""

from datetime import timedelta

from django.utils import timezone

from lti.models import ToolKey


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if p.strip().startswith("frame-ancestors"))


def test_a_launched_course_may_be_framed_by_its_platform_alone(client, linked, launch, course):
    landing = launch(client, "p-alice")
    assert "X-Frame-Options" not in landing.headers
    assert frame_ancestors(landing) == f"frame-ancestors {linked.platform.issuer}"
    page = client.get(course.get_absolute_url())
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    assert frame_ancestors(page) == f"frame-ancestors {linked.platform.issuer}"


def test_the_rest_of_the_site_stays_unframeable_in_a_launched_session(
    client, linked, launch, other_course
):
    launch(client, "p-alice")
    for path in ("/", "/admin/", other_course.get_absolute_url(), "/accounts/profile/"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert frame_ancestors(response) == "frame-ancestors 'none'", path


def test_a_session_not_begun_by_a_launch_is_never_framed(client, alice, course):
    client.force_login(alice)
    response = client.get(course.get_absolute_url())
    assert response.headers["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_a_launched_sessions_cookies_work_in_a_third_party_iframe(client, linked, launch, course):
    landing = launch(client, "p-alice")
    session = landing.cookies["sessionid"]
    assert (session["samesite"], session["secure"]) == ("None; Partitioned", True)
    assert "SameSite=None; Partitioned" in session.output()
    page = client.get("/lti/link/")  # any page with a form sets the CSRF cookie
    assert (page.cookies["csrftoken"]["samesite"], page.cookies["csrftoken"]["secure"]) == (
        "None; Partitioned",
        True,
    )


def test_a_password_sessions_cookies_keep_samesite_lax(client, alice):
    response = client.post("/accounts/login/", {"username": alice.email, "password": "x"})
    for morsel in response.cookies.values():
        assert morsel["samesite"] != "None"


def test_the_state_cookie_comes_back_with_the_platforms_cross_site_post(client, platform):
    response = client.get("/lti/login/", platform.launch_params("p-alice"))
    (cookie,) = [m for name, m in response.cookies.items() if name.startswith("lti-state-")]
    assert (cookie["samesite"], cookie["secure"], cookie["httponly"]) == (
        "None; Partitioned",
        True,
        True,
    )


def test_the_jwks_serves_the_signing_key(client, db):
    keys = client.get("/lti/jwks/").json()["keys"]
    assert [k["kid"] for k in keys] == [ToolKey.signing().kid]
    assert {k["alg"] for k in keys} == {"RS256"}
    assert all("d" not in k for k in keys)  # public halves only


def test_a_rotated_key_stays_published_until_its_tokens_expire(client, db, settings):
    old = ToolKey.signing()
    new = ToolKey.rotate()
    assert ToolKey.signing() == new
    kids = {k["kid"] for k in client.get("/lti/jwks/").json()["keys"]}
    assert kids == {old.kid, new.kid}
    ToolKey.objects.filter(pk=old.pk).update(
        retired_at=timezone.now() - timedelta(seconds=settings.LTI_RETIRED_KEY_SECONDS + 1)
    )
    kids = {k["kid"] for k in client.get("/lti/jwks/").json()["keys"]}
    assert kids == {new.kid}


def test_the_rotate_command_makes_a_new_signing_key(db, capsys):
    from django.core.management import call_command

    old = ToolKey.signing()
    call_command("rotate_lti_key")
    assert ToolKey.signing() != old
    assert "New signing key" in capsys.readouterr().out


def test_a_launch_deletes_its_state_cookie_and_old_logins_are_cleared(client, linked, launch):
    from lti.models import LoginState

    old = LoginState.objects.create(platform=linked.platform)
    LoginState.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    landing = launch(client, "p-alice")
    (cookie,) = [m for name, m in landing.cookies.items() if name.startswith("lti-state-")]
    assert cookie.value == "" and cookie["max-age"] == 0
    assert not LoginState.objects.filter(pk=old.pk).exists()


def test_the_campus_lms_host_frames_when_it_is_not_the_issuers(client, linked, launch, course):
    """Canvas's issuer is https://canvas.instructure.com; its pages are on the campus host."""
    linked.platform.frame_origins = (
        "https://canvas.ucdavis.edu https://ucdavis.beta.instructure.com"
    )
    linked.platform.full_clean()
    linked.platform.save()
    launch(client, "p-alice")
    page = client.get(course.get_absolute_url())
    assert frame_ancestors(page) == (
        "frame-ancestors https://canvas.ucdavis.edu https://ucdavis.beta.instructure.com"
    )


def test_a_frame_origin_must_be_an_origin(platform):
    import pytest
    from django.core.exceptions import ValidationError

    platform.registered.frame_origins = "https://canvas.ucdavis.edu/courses/1"
    with pytest.raises(ValidationError, match="is not an origin"):
        platform.registered.full_clean()

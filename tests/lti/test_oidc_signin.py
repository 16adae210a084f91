"""Campus sign-in with OpenID Connect against a real provider: django-oauth-toolkit's, run
as a second live server in its own process (tests/lti/oidc_provider/).

At the campus (the provider's accounts):
- alice: alice@example.edu, verified: Seminar's alice.
- mallory: says bob@example.edu, not verified: must not become Seminar's Bob.
- nobody: nobody@example.edu, verified, no Seminar account.
"""

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
import requests
from psycopg2 import sql

from tests.lti.platform import new_private_key

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_DB = "seminar_test_oidc_provider"
CALLBACK = "http://testserver/oidc/callback/"


def _admin_connection(db):
    conn = psycopg2.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def provider():
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {key: db[key] for key in ("HOST", "PORT", "USER", "PASSWORD")} | {"NAME": PROVIDER_DB}
    conn = _admin_connection(db)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(PROVIDER_DB)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PROVIDER_DB)))
    env = {
        "PATH": "/usr/bin:/bin",
        "PROVIDER_DB": json.dumps(params),
        "PROVIDER_KEY": new_private_key()[0],
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.lti.oidc_provider.serve", CALLBACK],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("ready "), f"the provider did not start: {line!r}"
        yield f"http://127.0.0.1:{line.split()[1]}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(PROVIDER_DB)))
        conn.close()


@pytest.fixture
def campus(provider, settings):
    """Seminar configured for the campus provider, as README "Configuration" says."""
    settings.OIDC_CAMPUS_NAME = "UC Davis"
    settings.OIDC_RP_CLIENT_ID = "seminar"
    settings.OIDC_RP_CLIENT_SECRET = "seminar-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/o/.well-known/jwks.json"
    return provider


def sign_in_at_campus(client, provider, username):
    """Seminar's button, the campus's sign-in and consent, and back to Seminar's callback."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider}/o/authorize/")
    browser = requests.Session()
    assert browser.get(f"{provider}/test/sign-in/{username}/", timeout=10).ok
    answer = browser.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return client.get(f"{back.path}?{back.query}")


def signed_in(client):
    return client.session.get("_auth_user_id")


def test_the_sign_in_page_offers_the_campus_when_configured(client, campus, db):
    page = client.get("/accounts/login/")
    assert b"Sign in with UC Davis" in page.content
    assert b'name="password"' in page.content  # password sign-in stays


def test_no_campus_button_and_no_campus_urls_when_not_configured(client, db):
    assert b"Sign in with" not in client.get("/accounts/login/").content
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_a_verified_campus_email_signs_in_the_seminar_account(client, campus, alice):
    response = sign_in_at_campus(client, campus, "alice")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/"
    assert signed_in(client) == str(alice.pk)


def test_an_unverified_email_signs_in_nobody(client, campus, bob):
    response = sign_in_at_campus(client, campus, "mallory")
    assert response["Location"] == "/accounts/login/"
    assert signed_in(client) is None
    page = client.get("/accounts/login/")
    assert b"did not find a Seminar account with that verified email" in page.content


def test_a_campus_user_without_a_seminar_account_gets_none_made(client, campus, django_user_model):
    sign_in_at_campus(client, campus, "nobody")
    assert signed_in(client) is None
    assert not django_user_model.objects.filter(email="nobody@example.edu").exists()


def test_with_oidc_create_user_a_campus_user_gets_an_account(
    client, campus, settings, django_user_model
):
    settings.OIDC_CREATE_USER = True
    sign_in_at_campus(client, campus, "nobody")
    nora = django_user_model.objects.get(email="nobody@example.edu")
    assert signed_in(client) == str(nora.pk)
    assert nora.name == "Nora Body"
    assert not nora.has_usable_password()


def test_password_sign_in_still_works_with_campus_sign_in_on(client, campus, alice):
    from tests.factories import PASSWORD

    client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    assert signed_in(client) == str(alice.pk)

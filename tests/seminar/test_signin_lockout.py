"""Sign-in lock-outs: whom they key on, behind a proxy or not, and what the page says.

The people: alice and bob are students (they know their passwords); the attacker
guesses from 203.0.113.66; alice usually signs in from 198.51.100.9. Behind the
README's proxy deployment every request reaches the app from the proxy, 10.0.0.2,
which appends the address it saw to X-Forwarded-For.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
ALICE_HOME = "198.51.100.9"


def through_proxy(forwarded_for: str) -> Client:
    """A browser whose request reaches the app through the proxy with this header."""
    return Client(REMOTE_ADDR=PROXY, headers={"x-forwarded-for": forwarded_for})


def sign_in(client, email, guess="wrong"):
    return client.post(reverse("login"), {"username": email, "password": guess})


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def test_behind_the_proxy_guesses_from_one_address_do_not_lock_out_another(alice, behind_proxy):
    attacker = through_proxy(ATTACKER)
    for _ in range(behind_proxy.AXES_FAILURE_LIMIT - 1):
        assert sign_in(attacker, alice.email).status_code == 200
    assert sign_in(attacker, alice.email).status_code == 429
    assert sign_in(attacker, alice.email, PASSWORD).status_code == 429

    response = sign_in(through_proxy(ALICE_HOME), alice.email, PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.user == alice


def test_a_forged_forwarded_for_prefix_cannot_choose_the_locked_address(alice, behind_proxy):
    # The attacker sends "X-Forwarded-For: <alice's address>"; the proxy appends the
    # attacker's real address, which is the one that counts.
    attacker = through_proxy(f"{ALICE_HOME}, {ATTACKER}")
    for _ in range(behind_proxy.AXES_FAILURE_LIMIT):
        sign_in(attacker, alice.email)
    assert sign_in(attacker, alice.email, PASSWORD).status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]

    assert sign_in(through_proxy(ALICE_HOME), alice.email, PASSWORD).status_code == 302


def test_with_two_trusted_proxies_the_client_is_the_second_address_from_the_right(
    alice, behind_proxy
):
    behind_proxy.PROXY_COUNT = 2
    # forged prefix, the client as the load balancer saw it, the load balancer as nginx saw it
    sign_in(through_proxy(f"{ALICE_HOME}, {ATTACKER}, 192.0.2.10"), alice.email)
    assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_behind_the_proxy_a_request_without_the_header_counts_as_the_proxy(alice, behind_proxy):
    sign_in(Client(REMOTE_ADDR=PROXY), alice.email)
    assert AccessAttempt.objects.get().ip_address == PROXY


def test_without_a_proxy_the_forwarded_for_header_is_ignored(alice):
    # Not behind a proxy: anyone can send the header, so it must not count.
    sign_in(Client(REMOTE_ADDR=ATTACKER, headers={"x-forwarded-for": ALICE_HOME}), alice.email)
    assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_one_password_sprayed_across_accounts_locks_the_address(alice, bob, make_user, settings):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 4
    carol = make_user("carol@example.edu", "Carol")
    sprayer = Client(REMOTE_ADDR=ATTACKER)
    emails = [alice.email, bob.email, carol.email, "nobody@example.edu"]
    for email in emails[:-1]:
        assert sign_in(sprayer, email, "Password123").status_code == 200
    response = sign_in(sprayer, emails[-1], "Password123")
    assert response.status_code == 429
    assert "Too many failed sign-ins from your address" in response.content.decode()
    # Each account saw one failure only, yet even a right password is refused here now.
    response = sign_in(sprayer, alice.email, PASSWORD)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated

    elsewhere = Client(REMOTE_ADDR=ALICE_HOME)
    assert sign_in(elsewhere, alice.email, PASSWORD).status_code == 302


def test_the_per_address_limit_counts_the_client_behind_the_proxy(alice, bob, behind_proxy):
    behind_proxy.SIGNIN_ADDRESS_FAILURE_LIMIT = 2
    sprayer = through_proxy(ATTACKER)
    sign_in(sprayer, alice.email)
    assert sign_in(sprayer, bob.email).status_code == 429
    assert sign_in(through_proxy(ALICE_HOME), alice.email, PASSWORD).status_code == 302


def test_the_lockout_page_says_how_long_in_words(alice, settings):
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, alice.email)
    page = response.content.decode()
    assert response.status_code == 429
    assert "Try again in 15 minutes," in page
    assert "PT15M" not in page

    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    page = sign_in(client, alice.email).content.decode()
    assert "Try again in 1 minute," in page


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=15), "15 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(hours=2, minutes=1), "2 hours 1 minute"),
    ],
)
def test_cool_offs_read_as_words(delta, words):
    from seminar.security import duration_in_words

    assert duration_in_words(delta) == words


def test_an_absurdly_long_email_is_refused_not_a_server_error(alice):
    response = sign_in(Client(REMOTE_ADDR=ATTACKER), "x" * 10_000)
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 255

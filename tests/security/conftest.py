"""The security tests share one world per module (see world.py), built inside a
transaction that is rolled back when the module ends; each test runs in a savepoint
of it, so whatever a request changes is undone before the next test."""

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from tests.security.world import NOW, signed_in_world


@pytest.fixture(autouse=True)
def _media_in_tmp():
    """Replaces the suite-wide per-test media folder: the module's world keeps its files."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        w = signed_in_world()
        yield w
        transaction.set_rollback(True)


@pytest.fixture
def as_role(world):
    """A fresh test client signed in as ``role`` (anonymous for "anon")."""

    def make(role):
        client = Client()
        if role != "anon":
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        return client

    return make

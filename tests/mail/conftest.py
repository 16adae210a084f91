"""A real mail server (aiosmtpd) on 127.0.0.1, and the real task queue (django-tasks'
database backend) with Seminar's worker, for the tests of email delivery.

The server can accept, refuse for now (451), refuse for good (550), drop the connection
in the middle of a message, or hold a message at RCPT until the test lets it go.
"""

import asyncio
import email
import socket
import threading
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command


class MailServer:
    ACCEPT, LATER, NEVER, DROP, HOLD = "accept", "451", "550", "drop", "hold"

    def __init__(self):
        self.mode = self.ACCEPT
        self.messages: list[email.message.Message] = []
        self.connections = 0
        self.holding = threading.Event()  # a message is held at RCPT
        self.release = threading.Event()

    def reset(self):
        self.mode = self.ACCEPT
        self.messages.clear()
        self.connections = 0
        self.holding.clear()
        self.release.clear()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == self.LATER:
            return "451 4.3.0 Try again later"
        if self.mode == self.NEVER:
            return "550 5.1.1 No such user here"
        if self.mode == self.HOLD:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == self.DROP:
            server.transport.close()
            return "421 4.3.2 Closing"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 2.0.0 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def _mail_server():
    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def mail_server(_mail_server, settings):
    """The mail server, accepting, with Django sending to it over SMTP."""
    _mail_server.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _mail_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield _mail_server
    _mail_server.release.set()


@pytest.fixture
def queue(settings):
    """The real queue: tasks are rows, run by ``manage.py worker``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker(*args):
    """One batch of the worker, in this process: the schedule's tick, then every task that
    is due. The worker closes idle database connections between tasks, as it should in
    production; here the connection holds the test's transaction, so it stays open."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", "--batch", "--interval", "0", *args)

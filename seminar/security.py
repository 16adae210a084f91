"""Sign-in protection: how django-axes names the person and the address it locks out.

Two limits apply within the cool-off (settings ``AXES_COOLOFF_TIME``):
``AXES_FAILURE_LIMIT`` failures for one email from one address lock that pair, and
``SIGNIN_ADDRESS_FAILURE_LIMIT`` failures from one address, whatever the emails,
lock that address (password spraying: one password tried on many accounts).
Axes compares every lock-out parameter against a single limit, so the second, higher
limit lives in :class:`SeminarAxesHandler`, counted from the same axes records.
"""

from datetime import timedelta
from functools import lru_cache

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import ngettext
from python_ipware import IpWare


def axes_username(request, credentials) -> str:
    """The email an attempt is for, lower-cased: Alice@X and alice@x are one person.

    Axes passes credentials keyed by the user model's USERNAME_FIELD ("email")
    from the backend, and the sign-in form's "username" field from the middleware.
    """
    source = credentials or request.POST
    value = source.get("email") or source.get("username") or ""
    # Axes stores it in a 255-character column; no email is that long (254 at most).
    return str(value).strip().lower()[:255]


@lru_cache(maxsize=4)
def _forwarded_for(hops: int) -> IpWare:
    # python-ipware counts the proxies listed in the header, client excluded: the last
    # proxy is REMOTE_ADDR, not in the header, so `hops` trusted proxies leave hops - 1.
    return IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_count=hops - 1)


def client_ip(request) -> str | None:
    """The address of the person signing in, which lock-outs key on.

    Without a proxy (``PROXY_COUNT`` 0) it is REMOTE_ADDR. Behind ``PROXY_COUNT``
    trusted proxies, each of which appends the address it received the request from
    to X-Forwarded-For, it is the PROXY_COUNT-th address from the right: whatever
    stands further left was sent by the client and is never trusted, so a forged
    prefix cannot choose the address. A header shorter than the proxy chain (a
    request that did not come through every proxy) falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.PROXY_COUNT
    if not hops:
        return remote
    # Not strict: a longer chain (a client-sent prefix) is expected, junk in it skipped.
    ip, _ = _forwarded_for(hops).get_client_ip(request.META, strict=False)
    return str(ip) if ip is not None else remote


class SeminarAxesHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, per-address limit across all emails."""

    def address_failures(self, request) -> int:
        """Failed sign-ins from the request's address within the cool-off, for any
        email (one query)."""
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def address_locked(self, request) -> bool:
        return (
            settings.AXES_LOCK_OUT_AT_FAILURE
            and self.address_failures(request) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT
        )

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if self.is_whitelisted(request, credentials) or not self.address_locked(request):
            return
        request.axes_locked_out = True
        request.axes_locked_by_address = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )


def duration_in_words(delta: timedelta) -> str:
    """``timedelta(minutes=15)`` as "15 minutes", 90 minutes as "1 hour 30 minutes"."""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in-paused page (axes ``AXES_LOCKOUT_CALLABLE``), saying why and for how
    long, in words."""
    cool_off = get_cool_off(request)
    context = {
        "by_address": getattr(request, "axes_locked_by_address", False),
        "cool_off": duration_in_words(cool_off) if cool_off else None,
    }
    return render(
        request,
        "registration/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )

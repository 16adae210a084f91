"""Inviting course members by email to set their password."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from courses.mail import queue_email
from courses.models import Membership


def invitation_link(user) -> str:
    """A one-time link to choose a password (Django's password-reset token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def members_invite(*, memberships, only_without_password: bool = True) -> int:
    """Email each member a link to set their password (through the outbox: the page does
    not wait for the mail server); returns how many were queued.

    People who already chose a password are skipped unless ``only_without_password``
    is False (they can always use "forgot password").
    """
    sent = 0
    for membership in memberships:
        user = membership.user
        if not user.is_active or (only_without_password and user.has_usable_password()):
            continue
        context = {
            "user": user,
            "course": membership.course,
            "role": membership.get_role_display(),
            "link": invitation_link(user),
            "site_url": settings.SITE_URL,
        }
        subject = f"You are invited to {membership.course.code} on Seminar"
        body = render_to_string("courses/email/invitation.txt", context)
        queue_email(to=user.email, subject=subject, body=body)
        sent += 1
    return sent


__all__ = ["Membership", "invitation_link", "members_invite"]

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import LoginView, PasswordResetView
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from courses.deadlines import due_items
from courses.mail import queue_email
from courses.models import Course, Membership
from courses.services.schedule import (
    DEMO_CODE,
    DEMO_INSTRUCTOR,
    DEMO_PASSWORD,
    demo_students,
)
from courses.staffwork import staff_work
from seminar import oidc


class SignInView(LoginView):
    """The sign-in page; in DEBUG with the demo course loaded it also lists the demo's
    accounts, each with a one-click sign-in (a form posting its credentials: no script)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, demo=demo_accounts(), campus=oidc.campus_sign_in()
        )


def demo_accounts() -> dict | None:
    """The demo's accounts and password, or None outside DEBUG or without the demo
    course and its instructor (one query in DEBUG, none otherwise): never in production."""
    if not settings.DEBUG:
        return None
    loaded = Membership.objects.filter(course__code=DEMO_CODE, user__email=DEMO_INSTRUCTOR[0])
    if not loaded.exists():
        return None
    students = demo_students()
    return {
        "code": DEMO_CODE,
        "password": DEMO_PASSWORD,
        "one_click": [(DEMO_INSTRUCTOR[0], "instructor"), (students[0][0], "student")],
        "students": f"{students[0][0]} … {students[-1][0]}",
    }


@login_required
def dashboard(request):
    """What is due next across the user's courses, and their courses with roles."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("course")
        .order_by("course__code")
    )
    courses = [m.course for m in memberships]
    now = timezone.now()
    items = [item for item in due_items(request.user, courses) if not item.done]
    upcoming = [item for item in items if item.due_at >= now]
    # Required work first: optional reviews (bonus) never crowd it out of the list.
    required = [item for item in upcoming if not item.optional]
    optional = [item for item in upcoming if item.optional]
    overdue = [
        item for item in items if item.due_at < now and not item.optional and item.kind != "claims"
    ]
    staff_courses = [m.course for m in memberships if m.is_staff]
    return render(
        request,
        "seminar/dashboard.html",
        {
            "memberships": memberships,
            "upcoming": required[:12],
            "optional": optional[:5],
            "more_optional": max(0, len(optional) - 5),
            "overdue": overdue[-6:],
            "work": staff_work(staff_courses, now),
            "now": now,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    if request.method == "POST" and "reset_calendar_token" in request.POST:
        request.user.reset_calendar_token()
        messages.success(request, "Your calendar links have changed; old links no longer work.")
        return redirect("profile")
    memberships = Membership.objects.filter(user=request.user).select_related("course")
    return render(request, "seminar/profile.html", {"memberships": memberships})


@never_cache
def healthz(request):
    """200 "ok" when the app and its database answer; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


__all__ = ["Course", "SignInView", "dashboard", "healthz", "profile"]


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, its email through the outbox like every other."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html = (
            render_to_string(html_email_template_name, context) if html_email_template_name else ""
        )
        queue_email(to=to_email, subject=subject, body=body, html_body=html, from_email=from_email)


class SeminarPasswordResetView(PasswordResetView):
    form_class = QueuedPasswordResetForm

"""The LTI endpoints an LMS calls (README, "Add Seminar to Canvas"): the tool's JWKS, the
OIDC login initiation, the launch, and the page where staff link a new LMS course."""

from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import STAFF_ROLES, Course
from lti.deeplink import deep_link_response
from lti.launch import CHECKS, LaunchError, state_cookie, validate_launch
from lti.middleware import LTI_SESSION_KEY, allow_framing, third_party
from lti.models import LoginState, Platform, ToolKey
from lti.services import LaunchRefused, context_link_create, context_link_for, enrol, launch_user

PENDING_KEY = "lti_pending_link"
DEEP_LINK_KEY = "lti_pending_deep_link"
BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_GET
def jwks(request):
    """The tool's public keys: the signing key and the retired ones still in their grace."""
    keys = [key.public_jwk() for key in ToolKey.objects.published()]
    if not keys:
        keys = [ToolKey.signing().public_jwk()]
    return JsonResponse({"keys": keys})


@csrf_exempt  # the platform posts it from its own page; it carries no session's authority
@require_http_methods(["GET", "POST"])
def login_initiation(request):
    """Third-party initiated login (LTI 1.3 core 5.1.1): answer with the authentication
    request to the platform, carrying a fresh state (also set as a cookie) and nonce."""
    params = request.POST if request.method == "POST" else request.GET
    if any("\x00" in value for values in params.lists() for value in values[1]):
        return _refused(request, "state", "The login request holds a NUL character.")
    iss, login_hint = params.get("iss", ""), params.get("login_hint", "")
    target = params.get("target_link_uri", "")
    if not iss or not login_hint:
        return _refused(request, "state", "The login request lacks iss or login_hint.")
    platforms = Platform.objects.filter(issuer=iss)
    if params.get("client_id"):
        platforms = platforms.filter(client_id=params["client_id"])
    platforms = list(platforms[:2])
    if len(platforms) != 1:
        message = (
            f"No platform is registered with the issuer {iss[:200]}."
            if not platforms
            else "Several registrations share this issuer; the login request must name its client_id."
        )
        return _refused(request, "issuer", message)
    platform = platforms[0]
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    if target and urlsplit(target).netloc != urlsplit(launch_url).netloc:
        return _refused(request, "audience", "The target link URI is not Seminar's.", platform)
    # Logins answered or abandoned long ago are of no use: one DELETE keeps the table small.
    LoginState.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).delete()
    state = LoginState.objects.create(platform=platform, target_link_uri=target[:500])
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": login_hint,
        "state": state.state,
        "nonce": state.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    response = HttpResponseRedirect(platform.auth_login_url + separator + urlencode(query))
    response.set_cookie(
        state_cookie(state.state),
        state.state,
        max_age=settings.LTI_LOGIN_SECONDS,
        httponly=True,
    )
    # It must come back with the platform's cross-site form post, inside the iframe.
    third_party(response.cookies[state_cookie(state.state)])
    return response


@csrf_exempt  # the platform's form post; the signed id_token, state and nonce are the proof
@require_POST
def launch(request):
    """Validate the launch (lti.launch), then sign the person in, enrol them with their
    role and open the course; any refusal signs nobody in and says why."""
    try:
        valid = validate_launch(
            state=request.POST.get("state", ""),
            id_token=request.POST.get("id_token", ""),
            cookies=request.COOKIES,
        )
    except LaunchError as error:
        return _refused(request, error.check, str(error), error.platform)
    platform = valid.platform
    role = valid.role
    if role is None:
        _leave_session(request)
        return _page(
            request,
            "lti/launch_refused.html",
            {
                "title": "Your role has no place in Seminar",
                "message": "Seminar opens a course for its instructors, teaching assistants "
                "and students (LTI roles Instructor, TeachingAssistant and Learner). Your "
                f"role in this {platform.name} course is none of these, so Seminar does not "
                "open it for you.",
                "roles": valid.roles,
            },
            platform,
        )
    signed_in = request.user if request.user.is_authenticated else None
    link = context_link_for(valid)
    try:
        if valid.is_deep_link and role not in STAFF_ROLES:
            raise LaunchRefused(
                "Only the course's instructors and teaching assistants add Seminar to it.",
                title="Only staff add Seminar",
            )
        if link is None and role == "student":
            raise LaunchRefused(
                f"This {platform.name} course is not linked to a Seminar course yet. Your "
                "instructor links it by opening Seminar from the course once.",
                title="Not linked yet",
            )
        user = launch_user(launch=valid, signed_in=signed_in)
    except LaunchRefused as refusal:
        _leave_session(request)
        return _page(
            request,
            "lti/launch_refused.html",
            {"title": refusal.title, "message": str(refusal)},
            platform,
        )
    login(request, user, backend=BACKEND)
    request.session[LTI_SESSION_KEY] = {"platform": platform.pk, "origins": platform.origins}
    if valid.is_deep_link:
        request.session[DEEP_LINK_KEY] = {
            **_pending(valid),
            "return_url": valid.deep_linking["deep_link_return_url"],
            "data": valid.deep_linking.get("data"),
            "deployment_id": valid.deployment.deployment_id,
        }
        return _landed(redirect("lti:deep_link"), valid, platform)
    if link is None:
        request.session[PENDING_KEY] = _pending(valid)
        return _landed(redirect("lti:link"), valid, platform)
    enrol(course=link.course, user=user, role=role)
    _frame_course(request, link.course.code)
    return _landed(redirect(link.course), valid, platform)


def _pending(valid) -> dict:
    """What linking the launch's LMS course needs, kept in the session until staff choose."""
    return {
        "platform": valid.platform.pk,
        "deployment": valid.deployment.pk,
        "context_id": valid.context_id,
        "context_title": str(valid.context.get("title") or valid.context_id)[:255],
        "services": valid.services,
    }


def _landed(response, valid, platform):
    """The launch's redirect: framed by its platform; the used state's cookie deleted."""
    response.delete_cookie(state_cookie(valid.login.state))
    third_party(response.cookies[state_cookie(valid.login.state)])
    return allow_framing(response, platform.origins)


def _leave_session(request) -> None:
    """A valid launch says who is at this browser now: whoever was signed in here before is
    signed out when Seminar refuses the launch (a shared computer must not stay theirs).
    An invalid launch, which anyone can post, leaves the session alone."""
    if request.user.is_authenticated:
        logout(request)


def _frame_course(request, code: str) -> None:
    session = dict(request.session[LTI_SESSION_KEY])
    session["courses"] = sorted({*session.get("courses", []), code})
    request.session[LTI_SESSION_KEY] = session


class LinkForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        empty_label=None,
        help_text="The Seminar course this LMS course opens.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.for_staff(user).order_by("code")


@login_required
@require_http_methods(["GET", "POST"])
def link_course(request):
    """First launch from an LMS course by its staff: choose the Seminar course it opens."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return _page(
            request,
            "lti/launch_refused.html",
            {
                "title": "Nothing to link",
                "message": "Open Seminar from your LMS course to link it to a Seminar course.",
            },
            None,
            status=404,
        )
    form = LinkForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        course = form.cleaned_data["course"]
        try:
            link = context_link_create(pending=pending, course=course, user=request.user)
        except LaunchRefused as refusal:
            form.add_error("course", str(refusal))
        else:
            del request.session[PENDING_KEY]
            _frame_course(request, link.course.code)
            return redirect(link.course)
    return render(
        request,
        "lti/link_course.html",
        {"form": form, "context_title": pending.get("context_title", "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deep_link(request):
    """A deep linking request from staff: choose the Seminar course, then send the LMS the
    link to add (a signed LtiDeepLinkingResponse, posted by the staff member's click)."""
    pending = request.session.get(DEEP_LINK_KEY)
    if not pending:
        return _page(
            request,
            "lti/launch_refused.html",
            {
                "title": "Nothing to add",
                "message": "Add Seminar from your LMS course (its deep linking menu) first.",
            },
            None,
            status=404,
        )
    platform = Platform.objects.get(pk=pending["platform"])
    form = LinkForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        course = form.cleaned_data["course"]
        try:
            link = context_link_create(pending=pending, course=course, user=request.user)
        except LaunchRefused as refusal:
            form.add_error("course", str(refusal))
        else:
            del request.session[DEEP_LINK_KEY]
            _frame_course(request, link.course.code)
            token = deep_link_response(
                platform=platform,
                deployment_id=pending["deployment_id"],
                title=f"Seminar: {course.title}",
                launch_url=request.build_absolute_uri(reverse("lti:launch")),
                data=pending.get("data"),
            )
            response = render(
                request,
                "lti/deep_link_return.html",
                {"return_url": pending["return_url"], "jwt": token, "course": course},
            )
            # The one form that posts to another site: the LMS's deep linking return URL.
            parts = urlsplit(pending["return_url"])
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
            return allow_framing(response, platform.origins)
    response = render(
        request,
        "lti/link_course.html",
        {"form": form, "context_title": pending.get("context_title", ""), "deep_link": True},
    )
    return allow_framing(response, platform.origins)


def _refused(request, check, message, platform=None):
    return _page(
        request,
        "lti/launch_failed.html",
        {"check": check, "rule": CHECKS[check], "message": message},
        platform,
        status=403,
    )


def _page(request, template, context, platform, status=403):
    response = render(request, template, context, status=status)
    # Shown inside the platform's iframe: framed by its origin, or by anyone when the
    # platform is unknown (the page only says what went wrong; it has nothing to click).
    return allow_framing(response, platform.origins if platform else ["*"])

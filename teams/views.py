"""The team page: create a team, join one with its code, leave or switch.

Apps above teams add their parts of the page (projects: milestones and submissions)
through the ``team_page`` hook (courses.plugins).
"""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from courses import plugins
from courses.access import member_required
from courses.middleware import arrival
from teams.forms import JoinForm, TeamCreateForm
from teams.models import Team, TeamMember
from teams.services import TeamError, team_create, team_join, team_leave, team_switch


def require_teams(access):
    if not access.course.uses_projects:
        raise Http404("This course has no team projects.")


def team_page_response(
    request, access, *, create_form=None, join_form=None, bound=None, status=200
):
    """Render the team page; ``bound`` is a form of an app's panel after a failed submit."""
    course = access.course
    now = timezone.now()
    mine = TeamMember.objects.select_related("team").filter(course=course, user=request.user)
    membership = mine.first()
    context = {
        "course": course,
        "active_nav": "teams:team",
        "now": now,
        "locked": course.teams_locked(now),
        "join_form": join_form or JoinForm(),
    }
    if membership is None:
        context["create_form"] = create_form or TeamCreateForm()
        context["open_teams"] = (
            Team.objects.filter(course=course)
            .annotate(size=Count("members"))
            .filter(size__lt=course.team_max_size)
            .prefetch_related("members__user")
            .order_by("name")
        )
        return render(request, "teams/team_detail.html", context, status=status)

    team = membership.team
    members = list(team.members.select_related("user").order_by("joined_at", "id"))
    context.update(
        team=team,
        members=members,
        below_minimum=course.team_min_size is not None and len(members) < course.team_min_size,
        is_full=len(members) >= course.team_max_size,
        team_panels=[],
    )
    for extra in plugins.call("team_page", request, course, team, bound):
        panels = extra.pop("team_panels", [])
        context.update(extra)
        context["team_panels"] += panels
    return render(request, "teams/team_detail.html", context, status=status)


@require_GET
@member_required
def team_page(request, access):
    require_teams(access)
    if access.is_staff:
        return redirect("projects:teams", access.course.code)
    return team_page_response(request, access)


def _fail(request, access, error: TeamError, *, create_form=None, join_form=None):
    form = create_form or join_form
    if form is not None and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        messages.error(request, error.message)
    return team_page_response(
        request, access, create_form=create_form, join_form=join_form, status=400 if form else 200
    )


def _posted(request, access, form_class, name):
    """The posted form, and the team page with its errors (400) when it is not valid."""
    require_teams(access)
    form = form_class(request.POST)
    if form.is_valid():
        return form, None
    return form, team_page_response(request, access, status=400, **{name: form})


@require_POST
@member_required
def team_create_view(request, access):
    form, invalid = _posted(request, access, TeamCreateForm, "create_form")
    if invalid:
        return invalid
    try:
        team = team_create(
            course=access.course, user=request.user, now=arrival(request), **form.cleaned_data
        )
    except TeamError as error:
        return _fail(request, access, error, create_form=form)
    messages.success(
        request, f"{team.name} is created. Share the join code {team.join_code} with teammates."
    )
    return redirect("teams:team", access.course.code)


@require_POST
@member_required
def team_join_view(request, access):
    form, invalid = _posted(request, access, JoinForm, "join_form")
    if invalid:
        return invalid
    action = team_switch if request.POST.get("switch") else team_join
    try:
        team = action(
            course=access.course,
            user=request.user,
            code=form.cleaned_data["code"],
            now=arrival(request),
        )
    except TeamError as error:
        return _fail(request, access, error, join_form=form)
    messages.success(request, f"You joined {team.name}.")
    return redirect("teams:team", access.course.code)


@require_POST
@member_required
def team_leave_view(request, access):
    require_teams(access)
    try:
        team = team_leave(course=access.course, user=request.user, now=arrival(request))
    except TeamError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You left {team.name}.")
    return redirect("teams:team", access.course.code)

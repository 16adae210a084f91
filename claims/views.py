"""The claims board, claim/withdraw/staff buttons, and presenters' slides."""

from dataclasses import dataclass, replace

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from claims import rules
from claims import services as service
from claims.models import Claim, Slides, SwapProposal
from claims.rules import SeatFacts
from claims.services import ClaimError
from courses.access import member_required, staff_required
from courses.middleware import arrival
from courses.models import Membership, Reading, Role
from courses.uploads import SLIDES
from teams.models import Team, TeamMember


def _is_holder(claim, user, team) -> bool:
    if claim.team_id:
        return team is not None and claim.team_id == team.pk
    return claim.student_id == user.pk


def _team_of(course, user) -> Team | None:
    """The user's team in ``course``, or None (one query)."""
    member = TeamMember.objects.filter(course=course, user=user).select_related("team").first()
    return member.team if member else None


@member_required
def claims_board(request, access):
    """Every claimable reading by session: free or taken, by whom and since when, and
    what the student may do beside each (claims.rules.board_action)."""
    course = access.course
    if not course.uses_claims:
        raise Http404("This course has no paper claims.")
    now = timezone.now()
    team = None
    if course.presents_by_team and access.is_student:
        team = _team_of(course, request.user)
    readings = list(
        Reading.objects.claimable()
        .filter(course=course)
        .select_related("paper", "session")
        .order_by("session__date", "session__start_time", "order", "id")
    )
    holder = (request.user, team) if access.is_student else None
    mine = _place_claims(course, readings, holder)
    free_count = sum(1 for r in readings if not r.active_claims)
    if access.is_student:
        facts = SeatFacts.of(
            course,
            window_at=now,
            has_team=team is not None,
            claimer=str(team or request.user),
            held=tuple(claim.reading.paper.title for claim in mine),
            free_readings=free_count,
        )
        _place_actions(readings, facts)
    wanted = BoardFilter.of(request.GET)
    shown = [reading for reading in readings if wanted.keeps(reading)]
    context = {
        "course": course,
        "access": access,
        "active_nav": "claims:board",
        "groups": _by_session(shown),
        "wanted": wanted,
        "shown_count": len(shown),
        "state": course.claims_state(now),
        "mine": mine,
        "team": team,
        "needs_team": _needs_team(course, access, team),
        "second_open": bool(readings)
        and rules.second_seats_open(course.presenters_per_reading, free_count),
        "free_count": free_count,
        "still_free": [r for r in readings if r.action and r.action.kind == "claim"],
        "reading_count": len(readings),
        "now": now,
    }
    if access.is_staff:
        context |= _staff_choices(course, readings)
    if access.is_student and mine and context["state"] == "open" and not course.by_preference:
        context["swaps"] = _swaps_of(mine)
        context["can_swap"] = True
    return render(request, "claims/claims_board.html", context)


def _swaps_of(mine) -> list[SwapProposal]:
    """Pending swaps the student (or their team) offered or was offered, each marked
    ``incoming``. One query."""
    ids = [claim.pk for claim in mine]
    found = list(
        SwapProposal.objects.filter(status=SwapProposal.Status.PENDING)
        .filter(Q(offered__in=ids) | Q(wanted__in=ids))
        .select_related(
            "offered__reading__paper",
            "offered__student",
            "offered__team",
            "wanted__reading__paper",
            "wanted__student",
            "wanted__team",
        )
    )
    for swap in found:
        swap.incoming = swap.wanted_id in ids
    return found


@dataclass(frozen=True)
class BoardFilter:
    """What the board's search form asks for: words to find in a paper's title or
    authors (all of them, in any order, any case), and readings without a presenter only."""

    q: str = ""
    free: bool = False

    @classmethod
    def of(cls, params) -> "BoardFilter":
        q = " ".join(params.get("q", "").split())[:200]
        return cls(q=q, free=params.get("free") == "1")

    @property
    def active(self) -> bool:
        return bool(self.q or self.free)

    def keeps(self, reading) -> bool:
        if self.free and reading.active_claims:
            return False
        text = f"{reading.paper.title} {reading.paper.authors}".casefold()
        return all(word in text for word in self.q.casefold().split())


def _place_claims(course, readings, holder) -> list[Claim]:
    """Set each reading's ``active_claims`` (seat order, each marked ``mine``) and its
    ``latest_slides``; return the claims of ``holder`` (a student and their team, or
    None). Two queries."""
    by_id = {reading.pk: reading for reading in readings}
    for reading in readings:
        reading.course = course  # for session times without another query
        reading.session.course = course
        reading.active_claims, reading.action, reading.latest_slides = [], None, None
    claims = list(
        Claim.objects.active().filter(course=course).with_holders().order_by("claimed_at", "id")
    )
    for claim in claims:
        claim.mine = holder is not None and _is_holder(claim, *holder)
        if claim.reading_id in by_id:
            claim.reading = by_id[claim.reading_id]
            claim.reading.active_claims.append(claim)
    for reading in readings:
        reading.active_claims.sort(key=lambda claim: claim.seat)
    for slides in Slides.objects.filter(reading__course=course).order_by("uploaded_at", "id"):
        if slides.reading_id in by_id:
            by_id[slides.reading_id].latest_slides = slides
    return [claim for claim in claims if claim.mine]


def _place_actions(readings, facts: SeatFacts) -> None:
    """Set each reading's ``action``: the button the student sees beside it."""
    for reading in readings:
        reading.action = rules.board_action(
            replace(
                facts,
                title=reading.paper.title,
                holds_it=any(claim.mine for claim in reading.active_claims),
                seats=tuple(claim.seat for claim in reading.active_claims),
                holders=tuple(str(claim.holder) for claim in reading.active_claims),
            )
        )


def _by_session(readings) -> list[dict]:
    groups: list[dict] = []
    for reading in readings:
        if not groups or groups[-1]["session"].pk != reading.session_id:
            groups.append({"session": reading.session, "readings": []})
        groups[-1]["readings"].append(reading)
    return groups


def _needs_team(course, access, team) -> str:
    """The rule's words for a student of a team course who has no team yet, else ""."""
    if not (course.presents_by_team and access.is_student and team is None):
        return ""
    return rules.decide(SeatFacts.of(course, has_team=False)).message


def _staff_choices(course, readings) -> dict:
    """Who and what staff may assign or move a presenter to."""
    students = (
        get_user_model()
        .objects.filter(
            memberships__course=course,
            memberships__role=Role.STUDENT,
            memberships__dropped_at__isnull=True,
        )
        .order_by("name", "email")
    )
    # Each claim's "Move to" list offers every other reading: the options are written once
    # here, not readings x claims times by the template.
    options = [
        (reading.pk, format_html(
            '<option value="{}">{} · {}</option>',
            reading.pk, date_format(reading.session.date, "M j"),
            Truncator(str(reading.paper)).chars(50),
        ))
        for reading in readings
    ]  # fmt: skip
    for reading in readings:
        reading.move_options = mark_safe(  # noqa: S308 - format_html escaped each option
            "".join(option for pk, option in options if pk != reading.pk)
        )
    return {
        "students": list(students),
        "teams": list(Team.objects.filter(course=course).order_by("name")),
        "all_readings": readings,
    }


def _reading_in(course, pk) -> Reading:
    if not (str(pk).isascii() and str(pk).isdigit()):  # a form's value: not an id, no reading
        raise Http404("No such reading in this course.")
    return get_object_or_404(
        Reading.objects.select_related("paper", "session"), pk=pk, course=course
    )


def _change(request, course, act, done):
    """Run one claim change (``act()`` returns the claim) and go back to the board with its
    refusal, or with ``done(claim)`` as the message."""
    try:
        claim = act()
    except ClaimError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(claim))
    # By the URL's name: given a path, redirect() first tries to reverse it as a name.
    return redirect("claims:board", course.code)


def _claim_in(course, pk) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("reading__paper", "student", "team"), pk=pk, course=course
    )


@require_POST
@member_required(joined=service.glance_with_course)
def claim_create(request, access, reading_id):
    """The board's "Claim" button: the course, the membership and the look at the reading
    are one statement (a rush's loser is answered from it)."""
    course = access.course

    def act():
        try:
            return service.claim_reading_in(
                course=course,
                reading_id=reading_id,
                user=request.user,
                at=arrival(request),
                glance=access.joined,
            )
        except Reading.DoesNotExist:
            raise Http404("No such reading in this course.") from None

    return _change(
        request,
        course,
        act,
        lambda claim: f"You present “{claim.reading.paper}”. It is yours until you withdraw.",
    )


@require_POST
@member_required
def claim_withdraw(request, access, pk):
    claim = _claim_in(access.course, pk)
    return _change(
        request,
        access.course,
        lambda: service.claim_withdraw(claim=claim, user=request.user, at=arrival(request)),
        lambda _: f"You withdrew from “{claim.reading.paper}”; the seat is free.",
    )


def _holder_from(course, key: str):
    """The (student, team) a staff form's "student:12" / "team:3" names, or (None, None)."""
    kind, _, raw_id = key.partition(":")
    if kind == "team" and raw_id.isdigit():
        return None, Team.objects.filter(course=course, pk=raw_id).first()
    if kind == "student" and raw_id.isdigit():
        member = (
            Membership.objects.filter(course=course, user_id=raw_id, role=Role.STUDENT)
            .select_related("user")
            .first()
        )
        return (member.user if member else None), None
    return None, None


@require_POST
@staff_required
def claim_assign(request, access):
    course = access.course
    reading = _reading_in(course, request.POST.get("reading") or 0)
    student, team = _holder_from(course, request.POST.get("holder", ""))

    def act():
        if student is None and team is None:
            raise ClaimError("Choose the student (or team) to assign.")
        return service.claim_assign(
            reading=reading,
            student=student,
            team=team,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )

    return _change(
        request, course, act, lambda claim: f"{claim.holder} now presents “{reading.paper}”."
    )


@require_POST
@staff_required
def claim_remove(request, access, pk):
    claim = _claim_in(access.course, pk)
    reason = request.POST.get("reason", "")
    return _change(
        request,
        access.course,
        lambda: service.claim_remove(claim=claim, actor=request.user, reason=reason),
        lambda _: f"{claim.holder} no longer presents “{claim.reading.paper}”.",
    )


@require_POST
@staff_required
def claim_move(request, access, pk):
    claim = _claim_in(access.course, pk)
    reading = _reading_in(access.course, request.POST.get("reading") or 0)
    reason = request.POST.get("reason", "")
    return _change(
        request,
        access.course,
        lambda: service.claim_move(claim=claim, reading=reading, actor=request.user, reason=reason),
        lambda claim: f"{claim.holder} now presents “{reading.paper}”.",
    )


class SlidesForm(forms.Form):
    file = forms.FileField(
        label="Slides",
        help_text=f"PDF or PowerPoint (.pptx), at most {settings.MAX_UPLOAD_MB} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": SLIDES.accept}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        checked = SLIDES.check(upload)
        upload.name, upload.detected_type = checked.name, checked.content_type
        return upload


def _may_upload(access, reading, user) -> bool:
    if access.is_staff:
        return True
    if not access.is_student:
        return False
    return Claim.objects.active().filter(reading=reading).of_user(user).exists()


@member_required
def slides_upload(request, access, pk):
    course = access.course
    reading = _reading_in(course, pk)
    if not _may_upload(access, reading, request.user):
        raise Http404("Only the reading's presenters and the staff upload its slides.")
    form = SlidesForm()
    status = 200
    if request.method == "POST":
        form = SlidesForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            Slides.objects.create(
                reading=reading,
                file=upload,
                original_name=upload.name,
                content_type=upload.detected_type,
                uploaded_by=request.user,
            )
            messages.success(
                request, f"Slides for “{reading.paper}” uploaded; they are on the schedule."
            )
            return redirect("claims:board", course.code)
        status = 400  # the form again, the reason next to the field, as on the team page
    due = course.slides_due(reading.session)
    return render(
        request,
        "claims/slides_upload.html",
        {
            "course": course,
            "access": access,
            "active_nav": "claims:board",
            "reading": reading,
            "form": form,
            "due": due,
            "previous": list(reading.slides.select_related("uploaded_by")[:10]),
        },
        status=status,
    )


def slides_download(request, code, pk):
    """Slides are public, like the schedule that links them; always a download."""
    slides = get_object_or_404(Slides, pk=pk, reading__course__code=code)
    return SLIDES.attachment(
        slides.file,
        name=slides.original_name,
        content_type=slides.content_type,
        missing="These slides are no longer stored.",
    )


urlpatterns = [
    path("claims/", claims_board, name="board"),
    path("claims/readings/<int:reading_id>/claim/", claim_create, name="claim_create"),
    path("claims/<int:pk>/withdraw/", claim_withdraw, name="claim_withdraw"),
    path("claims/assign/", claim_assign, name="claim_assign"),
    path("claims/<int:pk>/remove/", claim_remove, name="claim_remove"),
    path("claims/<int:pk>/move/", claim_move, name="claim_move"),
    path("readings/<int:pk>/slides/", slides_upload, name="slides_upload"),
    path("slides/<int:pk>/", slides_download, name="slides"),
]

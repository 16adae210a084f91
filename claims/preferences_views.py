"""The ranking page, ``/courses/<code>/preferences/``, where a course assigns papers by
preference.

One form holds every claimable reading with a rank box: the ranked ones first, in
order, then the others. Without JavaScript a student types rank numbers, or presses a
reading's Up, Down, Add or Remove button (each posts the form: the move is applied to
what was typed and saved when the ranking is long enough); claims/static/claims/
preferences.js moves rows in the page instead and keeps the numbers in step. A refused
save comes back with what was typed, the reason above the list, status 400.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from claims.models import Claim, Preference
from claims.preferences import (
    PreferenceError,
    preferences_save,
    ranked_counts,
    ranker_of,
    ranking_of,
    required_count,
)
from courses.access import member_required
from courses.middleware import arrival
from courses.models import Reading

MOVES = ("up", "down", "add", "remove")


@dataclass
class Line:
    """A reading on the page, with its rank box as shown (typed text, or its rank)."""

    reading: Reading
    value: str = ""
    error: str = ""
    count: int = 0  # classmates who ranked it, where the course shows it


def _parse(post, readings) -> tuple[list[Reading], dict[int, str], dict[int, str]]:
    """The order the form asks for (ranked readings by their number; a number typed anew
    goes before one that kept its place), what was typed, and the errors per reading."""
    typed, errors, ranked = {}, {}, []
    for position, reading in enumerate(readings):
        raw = post.get(f"rank-{reading.pk}", "").strip()[:6]
        typed[reading.pk] = raw
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            errors[reading.pk] = "Type a whole number from 1, or leave it empty."
            continue
        number = int(raw)
        kept = post.get(f"was-{reading.pk}", "") == raw
        ranked.append((number, kept, position, reading))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked], typed, errors


def _move(order: list[Reading], move: str, readings) -> list[Reading]:
    """``order`` with ``move`` ("up:12", "down:12", "add:12", "remove:12") applied."""
    action, _, raw_id = move.partition(":")
    target = next((r for r in readings if str(r.pk) == raw_id), None)
    if action not in MOVES or target is None:
        return order
    current = [r.pk for r in order]
    if action == "add":
        return order if target.pk in current else [*order, target]
    if target.pk not in current:
        return order
    index = current.index(target.pk)
    rest = [r for r in order if r.pk != target.pk]
    if action == "remove":
        return rest
    index = max(0, index - 1) if action == "up" else min(len(rest), index + 1)
    return [*rest[:index], target, *rest[index:]]


def _lines(readings, order, typed=None, errors=None, counts=None) -> list[Line]:
    typed, errors, counts = typed or {}, errors or {}, counts or {}
    ranked_ids = [r.pk for r in order]
    lines = [
        Line(r, str(i), errors.get(r.pk, ""), counts.get(r.pk, 0))
        for i, r in enumerate(order, start=1)
    ]
    for reading in readings:
        if reading.pk not in ranked_ids:
            value = typed.get(reading.pk, "") if reading.pk in errors else ""
            lines.append(
                Line(reading, value, errors.get(reading.pk, ""), counts.get(reading.pk, 0))
            )
    return lines


@member_required
def preferences_page(request, access):
    course = access.course
    if not course.by_preference:
        raise Http404("This course does not assign papers by preference.")
    now = timezone.now()
    readings = list(
        Reading.objects.claimable()
        .filter(course=course)
        .select_related("paper", "session")
        .order_by("session__date", "session__start_time", "order", "id")
    )
    ranker = ranker_of(course, request.user) if access.is_student else None
    saved = ranking_of(course, ranker) if ranker else []
    by_id = {r.pk: r for r in readings}
    order = [by_id[p.reading_id] for p in saved if p.reading_id in by_id]
    counts = ranked_counts(course, exclude=ranker) if course.preferences_show_counts else {}
    status, error, note = 200, "", ""
    typed, errors = {}, {}
    if request.method == "POST" and ranker is not None:
        order, typed, errors = _parse(request.POST, readings)
        move = request.POST.get("move", "")
        if move:
            order = _move(order, move, readings)
        if errors:
            status, error = 400, "Some rank boxes hold something other than a number; see below."
        else:
            try:
                preferences_save(
                    course=course,
                    user=request.user,
                    reading_ids=[r.pk for r in order],
                    at=arrival(request),
                )
            except PreferenceError as exc:
                status, error = 400, exc.message
                if move:  # a move that leaves the ranking too short is shown, not saved
                    status, error, note = 200, "", exc.message
            else:
                messages.success(
                    request,
                    f"Ranking saved: {len(order)} reading{'s' if len(order) != 1 else ''}. "
                    "You can change it until ranking closes.",
                )
                return redirect(reverse("claims:preferences", args=[course.code]) + "#ranking")
    elif request.method == "POST":
        status, error = 400, "Rankings are for the students of this course."
    mine = []
    if access.is_student:
        mine = list(
            Claim.objects.active()
            .filter(course=course)
            .of_user(request.user)
            .select_related("reading__paper", "reading__session")
        )
    state = course.preferences_state(now)
    context = {
        "course": course,
        "access": access,
        "active_nav": "claims:board",
        "state": state,
        "now": now,
        "ranker": ranker,
        "saved": saved,
        "lines": _lines(readings, order, typed, errors, counts),
        "ranked_count": len(order),
        "needed": required_count(course, len(readings)),
        "error": error,
        "note": note,
        "mine": mine,
        "needs_team": access.is_student and ranker is None,
        "editable": ranker is not None and state == "open",
    }
    if access.is_staff:
        context["rankers"] = (
            Preference.objects.filter(course=course)
            .values_list("student_id", "team_id")
            .distinct()
            .count()
        )
        everyone = ranked_counts(course)
        first = ranked_counts(course, rank=1)
        context["demand"] = [(r, everyone.get(r.pk, 0), first.get(r.pk, 0)) for r in readings]
    return render(request, "claims/preferences_rank.html", context, status=status)


urlpatterns = [path("preferences/", preferences_page, name="preferences")]

"""The claims board's swap buttons: propose, accept, cancel (claims/swaps.py)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from claims import swaps
from claims.models import Claim, SwapProposal
from claims.services import ClaimError
from courses.access import member_required
from courses.middleware import arrival


def _back(request, course, act, done):
    try:
        result = act()
    except ClaimError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(result))
    return redirect(reverse("claims:board", args=[course.code]) + "#swaps")


def _id(raw) -> int:
    raw = str(raw or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0


@require_POST
@member_required
def swap_propose(request, access, pk):
    course = access.course
    wanted = get_object_or_404(Claim, pk=pk, course=course)
    offered = get_object_or_404(Claim, pk=_id(request.POST.get("offered")), course=course)
    return _back(
        request,
        course,
        lambda: swaps.swap_propose(
            offered=offered, wanted=wanted, user=request.user, at=arrival(request)
        ),
        lambda swap: (
            f"Swap offered to {wanted.holder}; it stands until they answer or you cancel it."
        ),
    )


@require_POST
@member_required
def swap_accept(request, access, pk):
    swap = get_object_or_404(SwapProposal, pk=pk, course=access.course)
    return _back(
        request,
        access.course,
        lambda: swaps.swap_accept(swap=swap, user=request.user, at=arrival(request)),
        lambda claims: f"Swapped: you now present “{claims[0].reading.paper}”.",
    )


@require_POST
@member_required
def swap_cancel(request, access, pk):
    swap = get_object_or_404(SwapProposal, pk=pk, course=access.course)
    return _back(
        request,
        access.course,
        lambda: swaps.swap_cancel(swap=swap, user=request.user),
        lambda _: "Swap called off.",
    )


urlpatterns = [
    path("claims/<int:pk>/swap/", swap_propose, name="swap_propose"),
    path("claims/swaps/<int:pk>/accept/", swap_accept, name="swap_accept"),
    path("claims/swaps/<int:pk>/cancel/", swap_cancel, name="swap_cancel"),
]

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from courses.access import member_required
from courses.timing import humanize_delta
from reviews.forms import ReviewForm
from reviews.models import PeerVisibility, ReviewKind
from reviews.plan import ReviewPlan, author_of, course_students
from reviews.services import ReviewError, review_submit


@member_required
def my_reviews(request, access):
    """A student's reviews: what is due next, submitted, late, graded, excused.
    Staff get the readings with submission counts and digest links."""
    course, now = access.course, timezone.now()
    if access.is_staff:
        plan = ReviewPlan([course], now=now)
        students = course_students([course.pk]).get(course.pk, [])
        rows = []
        for reading in plan.readings:
            cells = []
            for kind in plan.kinds:
                if not plan.applies(kind, reading):
                    cells.append(None)
                    continue
                owed_by = [
                    a
                    for a in plan.authors_of_course(kind, students)
                    if plan.applies(kind, reading, a)
                ]
                got = sum(1 for a in owed_by if (kind.pk, reading.pk, a) in plan.reviews)
                cells.append(
                    {"due": plan.due_times.base(kind, reading), "got": got, "of": len(owed_by)}
                )
            if any(cells):
                rows.append({"reading": reading, "cells": cells})
        context = {"kinds": plan.kinds, "rows": rows, "staff_view": True}
    else:
        plan = ReviewPlan([course], users=[request.user], now=now)
        items = plan.owed_by_user(course, request.user.pk)
        groups = []
        for kind in plan.kinds:
            kind_items = [o for o in items if o.kind.pk == kind.pk]
            groups.append(
                {
                    "kind": kind,
                    "items": kind_items,
                    "needs_team": kind.by_team and plan.author_for(kind, request.user.pk) is None,
                }
            )
        next_due = next((o for o in items if not o.is_due and not o.submitted), None)
        context = {"groups": groups, "next_due": next_due, "staff_view": False}
    context.update(course=course, now=now, active_nav="reviews:my_reviews")
    return render(request, "reviews/review_list.html", context)


def _status_line(owed) -> str:
    review = owed.review
    if review is None:
        return ""
    local = timezone.localtime(review.submitted_at, owed.kind.course.tz)
    late_by = owed.late_by
    if late_by:
        return f"Submitted {humanize_delta(late_by)} late (saved {local:%a %b %-d, %-I:%M %p %Z})."
    return f"Saved at {local:%a %b %-d, %-I:%M %p %Z} (on time)."


@member_required
@require_http_methods(["GET", "POST"])
def write(request, access, pk):
    """Write or edit the signed-in student's (or their team's) review of one reading."""
    course, now = access.course, timezone.now()
    if access.is_staff:
        return redirect("reviews:digest", course.code, pk)
    plan = ReviewPlan([course], users=[request.user], now=now)
    reading = plan.reading(pk)
    if reading is None or not access.is_student:
        raise Http404("No such reading in this course.")
    choices = []
    for kind in plan.kinds:
        author = plan.author_for(kind, request.user.pk)
        if author is not None and plan.applies(kind, reading, author):
            choices.append(plan.owed(kind, reading, author))
    if not choices:
        raise Http404("This reading needs no review from you.")
    wanted = request.GET.get("kind")
    owed = next((o for o in choices if o.kind.slug == wanted), choices[0])
    kind = owed.kind
    editable = owed.review is None or (
        owed.review.points is None
        and not owed.review.is_excused
        and (not owed.is_due or owed.late_by is not None)
    )
    if request.method == "POST":
        form = ReviewForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                review_submit(owed=owed, user=request.user, answers=form.answers(), now=now)
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                late = now > owed.due_at
                if late:
                    messages.warning(
                        request,
                        f"Saved, {humanize_delta(now - owed.due_at)} after the due time: "
                        f"it is marked late ({kind.get_late_policy_display()}).",
                    )
                else:
                    messages.success(request, "Saved. You can change it until the due time.")
                return redirect(owed.url)
    else:
        form = ReviewForm(initial=owed.review.answers if owed.review else None, kind=kind)
    return render(
        request,
        "reviews/review_form.html",
        {
            "course": course,
            "reading": reading,
            "kind": kind,
            "owed": owed,
            "choices": choices,
            "form": form,
            "editable": editable,
            "status_line": _status_line(owed),
            "earned": owed.earned,
            "answers": [(p["label"], owed.review.answers.get(p["key"], "")) for p in kind.prompts]
            if owed.review
            else [],
            "now": now,
            "active_nav": "reviews:my_reviews",
        },
    )


@dataclass
class DigestSection:
    kind: ReviewKind
    due_at: object
    reviews: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    owed_count: int = 0


@member_required
def digest(request, access, pk):
    """All reviews of one reading, questions gathered in one list: for the staff
    and the reading's presenters after the due time, and for classmates where
    the kind's ``peer_visibility`` allows. Everyone else gets 404."""
    course, now = access.course, timezone.now()
    plan = ReviewPlan([course], now=now)
    reading = plan.reading(pk)
    if reading is None:
        raise Http404("No such reading in this course.")
    user_id = request.user.pk
    team_id = plan.team_of.get((course.pk, user_id))
    presenters = plan.presenters.get(reading.pk, set())
    is_presenter = ("student", user_id) in presenters or ("team", team_id) in presenters
    privileged = access.is_staff or is_presenter
    students = course_students([course.pk]).get(course.pk, [])
    sections, pending = [], []
    for kind in plan.kinds:
        if not plan.applies(kind, reading):
            continue
        due = plan.due_times.base(kind, reading)
        if not privileged:
            if not access.is_student or kind.peer_visibility == PeerVisibility.NOBODY:
                continue
            mine = plan.author_for(kind, user_id)
            if kind.peer_visibility == PeerVisibility.SUBMITTED and (
                (kind.pk, reading.pk, mine) not in plan.reviews
            ):
                continue
            if mine is not None:
                # A classmate with an extension reads the others only after their own due time.
                due = plan.due_times.for_author(kind, reading, mine)
        if now < due:
            pending.append((kind, due))
            continue
        section = DigestSection(kind=kind, due_at=due)
        section.owed_count = sum(
            1
            for author in plan.authors_of_course(kind, students)
            if plan.applies(kind, reading, author)
        )
        gathered = kind.gathered_prompts()
        for (kind_id, reading_id, _), review in sorted(
            plan.reviews.items(), key=lambda item: item[1].submitted_at
        ):
            if kind_id != kind.pk or reading_id != reading.pk:
                continue
            review.kind = kind
            answers = [(p["label"], review.answers.get(p["key"], "")) for p in kind.prompts]
            section.reviews.append(
                {
                    "review": review,
                    "answers": answers,
                    "late_by": review.late_by(
                        plan.due_times.for_author(kind, reading, author_of(review))
                    ),
                }
            )
            for prompt in gathered:
                text = review.answers.get(prompt["key"], "").strip()
                if text:
                    section.questions.append({"author": review.author_name, "text": text})
        sections.append(section)
    if not sections and not (privileged and pending):
        raise Http404("The digest is not open to you.")
    return render(
        request,
        "reviews/review_digest.html",
        {
            "course": course,
            "reading": reading,
            "sections": sections,
            "pending": pending,
            "show_names": privileged,
            "is_staff": access.is_staff,
            "now": now,
            "active_nav": "reviews:my_reviews",
            "write_url": reverse("reviews:write", args=[course.code, reading.pk]),
        },
    )

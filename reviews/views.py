from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from courses import plugins, timing
from courses.access import member_required
from courses.middleware import arrival
from courses.timing import humanize_delta
from grading import notices
from reviews.forms import ReviewForm
from reviews.plan import ReviewPlan, course_students, digest_readers, mark_points_visibility
from reviews.services import ReviewError, review_submit
from teams.models import Team


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
            cells = [
                {
                    "due": plan.due_times.base(kind, reading),
                    "got": plan.submitted_count(kind, reading, students),
                    "of": plan.owed_count(kind, reading, students),
                }
                if plan.applies(kind, reading)
                else None
                for kind in plan.kinds
            ]
            if any(cells):
                rows.append(
                    {
                        "reading": reading,
                        "cells": list(zip(plan.kinds, cells, strict=True)),
                        "submitted": any(cell and cell["got"] for cell in cells),
                    }
                )
        context = {"kinds": plan.kinds, "rows": rows, "staff_view": True}
    else:
        plan = ReviewPlan([course], users=[request.user], now=now)
        items = plan.owed_by_user(course, request.user.pk)
        mark_points_visibility(course, items)
        groups = [
            {
                "kind": kind,
                "items": [o for o in items if o.kind.pk == kind.pk],
                "needs_team": kind.by_team and plan.author_for(kind, request.user.pk) is None,
            }
            for kind in plan.kinds
        ]
        # Required work first: a bonus review due at the same time or later never hides it.
        upcoming = [o for o in items if not o.is_due and not o.submitted]
        unseen = notices.unseen_keys(request.user, course)
        new = {o.review.pk for o in items if o.review and f"review:{o.review.pk}" in unseen}
        if new:
            notices.mark_seen(request.user, course, [f"review:{pk}" for pk in new])
        context = {
            "new_reviews": new,
            "groups": groups,
            "next_due": next((o for o in upcoming if not is_bonus(o)), None),
            "next_bonus": next((o for o in upcoming if is_bonus(o)), None),
            "staff_view": False,
        }
    context.update(course=course, now=now, active_nav="reviews:my_reviews")
    return render(request, "reviews/review_list.html", context)


def is_bonus(owed) -> bool:
    """Optional work: a review of an optional reading that only feeds the bonus."""
    return not owed.reading.required and owed.kind.counts_optional_as_bonus


@member_required
@require_http_methods(["GET", "POST"])
def write(request, access, pk):
    """Write or edit the signed-in student's (or their team's) review of one reading."""
    course, now = access.course, arrival(request)
    if access.is_staff:
        return redirect("reviews:digest", course.code, pk)
    plan = ReviewPlan([course], users=[request.user], now=now)
    reading = plan.reading(pk)
    if reading is None or not access.is_student:
        raise Http404("No such reading in this course.")
    choices = plan.choices(reading, request.user.pk)
    if not choices:
        raise Http404("This reading needs no review from you.")
    wanted = request.GET.get("kind")
    owed = next((o for o in choices if o.kind.slug == wanted), choices[0])
    kind = owed.kind
    # Written elsewhere (a discussion thread whose posts are the reviews): go there.
    elsewhere = next((url for url in plugins.call("review_elsewhere", owed) if url), None)
    if elsewhere:
        return redirect(elsewhere)
    mark_points_visibility(course, [owed])
    previewing = request.method == "POST" and "preview" in request.POST
    if previewing:
        # Saves nothing: the same form, the text kept, each answer rendered beside it,
        # unvalidated (a preview is not a refusal).
        form = ReviewForm(
            initial={p["key"]: request.POST.get(p["key"], "") for p in kind.prompts}, kind=kind
        )
    elif request.method == "POST":
        form = ReviewForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                review_submit(owed=owed, user=request.user, answers=form.answers(), now=now)
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                _say_saved(request, owed, now)
                return redirect(owed.url)
    else:
        form = ReviewForm(initial=owed.review.answers if owed.review else None, kind=kind)
    answers = owed.review.answers if owed.review else {}
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
            "editable": owed.editable,
            "previewing": previewing,
            "status_line": owed.status_line(),
            "earned": owed.earned,
            "answers": [(p["label"], answers.get(p["key"], "")) for p in kind.prompts],
            "now": now,
            "active_nav": "reviews:my_reviews",
        },
    )


def _say_saved(request, owed, now) -> None:
    if (late := timing.late_by(now, owed.due_at)) is not None:
        messages.warning(
            request,
            f"Saved, {humanize_delta(late)} after the due time: "
            f"it is marked late ({owed.kind.get_late_policy_display()}).",
        )
    else:
        messages.success(request, "Saved. You can change it until the due time.")


@member_required
def digest(request, access, pk):
    """All reviews of one reading, questions gathered in one list: for the staff,
    the reading's presenters and its other readers (``digest_readers``: the session's
    reviewer groups) after the due time, and for classmates where the kind's
    ``peer_visibility`` allows. Everyone else gets 404."""
    course, now = access.course, timezone.now()
    # Only this reading's reviews: the digest does not read the whole course's.
    # Reviews as tuples: the page's lists are paged by the database (reviews.digest_pages).
    plan = ReviewPlan([course], now=now, reading_ids=[pk], for_grading=True)
    reading = plan.reading(pk)
    if reading is None:
        raise Http404("No such reading in this course.")
    presents = access.is_staff or plan.user_presents(reading, request.user.pk)
    # A reviewer of the reading's session (digest_readers hook) reads it as presenters do,
    # from the due time on; before it the page is not theirs (404), as for classmates.
    reviews_it = (
        not presents
        and access.is_student
        and request.user.pk in digest_readers([reading.pk]).get(reading.pk, ())
    )
    privileged = presents or reviews_it
    if not privileged and not access.is_student:
        raise Http404("The digest is not open to you.")
    students = course_students([course.pk]).get(course.pk, [])
    sections, pending = [], []
    for kind in plan.kinds:
        if not plan.applies(kind, reading):
            continue
        opens = plan.digest_opens_at(kind, reading, request.user.pk, privileged=privileged)
        if opens is None:
            continue
        if now < opens:
            pending.append((kind, opens))
        else:
            sections.append(plan.digest_section(kind, reading, opens, students))
    if not sections and not (presents and pending):
        raise Http404("The digest is not open to you.")
    if access.is_staff:
        _name_missing(sections)
    extra = {}  # other apps' part of the page (a link to the reading's discussion thread)
    for found in plugins.call("digest_page", access, reading, sections, request.user):
        extra.update(found)
    pages = _page_sections(sections, request.GET.get("page"))
    return render(
        request,
        "reviews/review_digest.html",
        {
            "course": course,
            "reading": reading,
            "sections": sections,
            "pages": pages,
            "pending": pending,
            "show_names": privileged,
            "is_staff": access.is_staff,
            "now": now,
            "active_nav": "reviews:my_reviews",
            **extra,
        },
    )


class PageLinks(Page):
    """Where a page is among the pages, for the page links (each list reads its own rows)."""

    def __bool__(self) -> bool:
        return True


DIGEST_REVIEWS_PER_PAGE = 25
DIGEST_QUESTIONS_PER_PAGE = 50


def _page_sections(sections, wanted):
    """One page of each section's reviews and questions (``?page=``, one number for every
    list), so that the first screen of a class of 500 renders what a class of 60 does.
    Returns the page links' page (of the longest list), or None when one page holds all."""
    lists = [(s, name, per_page) for s in sections
             for name, per_page in (("reviews", DIGEST_REVIEWS_PER_PAGE),
                                    ("questions", DIGEST_QUESTIONS_PER_PAGE))]  # fmt: skip
    longest = max(
        (Paginator(getattr(s, name), per_page) for s, name, per_page in lists),
        key=lambda paginator: paginator.num_pages,
        default=None,
    )
    if longest is None:
        return None
    # Not a number, or past the end: the first or the last page (as Paginator.get_page,
    # without reading that page's rows here: each list reads its own page below).
    try:
        number = longest.validate_number(wanted)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = longest.num_pages
    page = PageLinks([], number, longest)
    for section, name, per_page in lists:
        items = getattr(section, name)
        setattr(section, f"{name}_total", len(items))
        paginator = Paginator(items, per_page)
        shown = paginator.page(page.number) if page.number <= paginator.num_pages else None
        setattr(section, f"{name}_page", shown)
    return page if longest.num_pages > 1 else None


def _name_missing(sections) -> None:
    """Replace each section's missing authors by their names (two queries at most)."""
    wanted = {who: set() for who in ("student", "team")}
    for section in sections:
        for who, ident in section.missing:
            wanted[who].add(ident)
    names = {}
    if wanted["student"]:
        users = get_user_model().objects.filter(pk__in=wanted["student"]).only("name", "email")
        names.update({("student", u.pk): u.name or u.email for u in users})
    if wanted["team"]:
        teams = Team.objects.filter(pk__in=wanted["team"]).only("name")
        names.update({("team", t.pk): t.name for t in teams})
    for section in sections:
        section.missing = sorted(names.get(author, "?") for author in section.missing)

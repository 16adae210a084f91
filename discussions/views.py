"""The discussion pages: the course's threads (/courses/<code>/discussion/), one reading's
thread (/courses/<code>/readings/<id>/discussion/, where students and staff post and
reply), editing a post within the window, and staff endorsing or pinning.

Students and staff of the course only; everyone else gets 404 (anonymous visitors: the
sign-in page), as for every personal page. Every form works without JavaScript.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from courses.access import member_required
from courses.middleware import arrival
from courses.models import Membership
from discussions.models import DiscussionSettings, Post, ThreadVisit
from discussions.services import (
    DiscussionError,
    post_create,
    post_edit,
    post_moderate,
    thread_url,
)
from discussions.threads import Thread, thread_of, threads_of
from reviews.plan import ReviewPlan


class PostForm(forms.Form):
    """The text is checked by the service (empty, too long), so that the message is the
    same on every path; the form only carries it."""

    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    anonymous = forms.BooleanField(required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _readers(access):
    if not (access.is_staff or access.is_student):
        raise Http404("Only the course's students and staff read its threads.")


def _staff_ids(course) -> set[int]:
    return set(Membership.objects.staff().filter(course=course).values_list("user_id", flat=True))


# ------------------------------------------------------------------- the list


@member_required
def threads(request, access):
    """Every thread of the course: posts, replies, what is new to the reader, whether
    they posted. Four queries whatever the number of readings and posts."""
    _readers(access)
    course, user = access.course, request.user
    found = threads_of(course)
    seen = ThreadVisit.objects.filter(user=user, reading=OuterRef("reading")).values("seen_at")
    unseen = ~Q(author=user) & (
        Q(created_at__gt=Subquery(seen[:1]))
        | ~Exists(ThreadVisit.objects.filter(user=user, reading=OuterRef("reading")))
    )
    counts = {
        row["reading"]: row
        for row in Post.objects.filter(reading__in=list(found))
        .values("reading")
        .annotate(
            posts=Count("id", filter=Q(parent__isnull=True)),
            replies=Count("id", filter=Q(parent__isnull=False)),
            mine=Count("id", filter=Q(parent__isnull=True, author=user)),
            new=Count("id", filter=unseen),
        )
        .order_by()
    }
    rows = []
    for reading_id, info in found.items():
        row = counts.get(reading_id, {})
        rows.append(
            {
                "info": info,
                "reading": info.reading,
                "posts": row.get("posts", 0),
                "replies": row.get("replies", 0),
                "posted": bool(row.get("mine")),
                "new": row.get("new", 0),
                "url": thread_url(info.reading),
            }
        )
    context = {
        "course": course,
        "access": access,
        "rows": rows,
        "settings": DiscussionSettings.of(course),
        "active_nav": "discussions:threads",
    }
    return render(request, "discussions/thread_list.html", context)


# ----------------------------------------------------------------- one thread


def _thread_or_404(access, pk):
    info = thread_of(access.course, pk)
    if info is None:
        raise Http404("This reading has no discussion thread.")
    return info


def _review_status(info, user, is_staff, now):
    """Where a post counts as the review: the viewer's owed review (students) or the due
    time (staff). Seven queries (the review plan), only on such threads."""
    kind = info.counting_kind
    if kind is None:
        return None
    reading = info.reading
    plan = ReviewPlan([reading.course], users=[user], now=now, reading_ids=[reading.pk])
    kind = next((k for k in plan.kinds if k.pk == kind.pk), kind)
    if is_staff:
        return {"kind": kind, "due_at": plan.due_times.base(kind, reading), "owed": None}
    owed = next((o for o in plan.choices(reading, user.pk) if o.kind.pk == kind.pk), None)
    if owed is None:
        return None  # e.g. they present this reading: their post is discussion only
    return {"kind": kind, "due_at": owed.due_at, "owed": owed}


@member_required
@require_http_methods(["GET", "POST"])
def thread(request, access, pk):
    _readers(access)
    info = _thread_or_404(access, pk)
    course, user, now = access.course, request.user, arrival(request)
    staff_ids = _staff_ids(course)
    is_staff = access.is_staff
    form = PostForm()
    failed_parent = None
    status = 200
    if request.method == "POST":
        form = PostForm(request.POST)
        form.is_valid()  # every field is optional: the service says what is wrong
        data = form.cleaned_data
        parent = None
        if data.get("parent"):
            parent = Post.objects.filter(reading=info.reading, pk=data["parent"]).first()
            if parent is None:
                raise Http404("No such post in this thread.")
        try:
            post = post_create(
                info=info,
                author=user,
                body=data.get("body", ""),
                anonymous=data.get("anonymous", False),
                parent=parent,
                is_staff=is_staff,
                now=now,
            )
        except DiscussionError as error:
            form.add_error(error.field, error.message)
            failed_parent = parent.parent_id or parent.pk if parent else None
            status = 400
        else:
            messages.success(request, _saved_message(post, info))
            return redirect(f"{thread_url(info.reading)}#post-{post.pk}")
    visit = ThreadVisit.objects.filter(user=user, reading=info.reading).first()
    shown = Thread.load(
        info,
        viewer=user,
        is_staff=is_staff,
        staff_ids=staff_ids,
        now=now,
        seen_at=visit.seen_at if visit else None,
    )
    if failed_parent is not None and failed_parent not in {p.pk for p in shown.posts}:
        failed_parent = None  # its post is not shown: the errors go with the form on top
    if request.method == "GET":
        ThreadVisit.objects.bulk_create(
            [ThreadVisit(user=user, reading=info.reading, seen_at=now)],
            update_conflicts=True,
            unique_fields=["user", "reading"],
            update_fields=["seen_at"],
        )
    context = {
        "course": course,
        "access": access,
        "reading": info.reading,
        "thread": shown,
        "rules": shown.settings,
        "review": _review_status(info, user, is_staff, now),
        "form": form if failed_parent is None else PostForm(),
        "reply_form": form if failed_parent is not None else None,
        "blank": PostForm(),
        "failed_parent": failed_parent,
        "is_staff": is_staff,
        "can_reply": is_staff or shown.viewer_posted or not shown.settings.see_after_posting,
        "now": now,
        "active_nav": "discussions:threads",
    }
    return render(request, "discussions/thread_detail.html", context, status=status)


def _saved_message(post, info) -> str:
    if post.parent_id:
        return "Your reply is posted."
    if post.review_id:
        return f"Posted. It counts as your {info.counting_kind.name} of this reading."
    return "Your post is in the thread."


# ----------------------------------------------------------------- one post


def _post_or_404(access, pk) -> Post:
    post = (
        Post.objects.filter(reading__course=access.course, pk=pk)
        .select_related("reading__paper", "reading__session")
        .first()
    )
    if post is None:
        raise Http404("No such post in this course.")
    post.reading.course = access.course
    return post


@member_required
@require_http_methods(["GET", "POST"])
def edit(request, access, pk):
    """The author changes their post within the edit window; nobody else reaches it."""
    _readers(access)
    post = _post_or_404(access, pk)
    if post.author_id != request.user.pk or thread_of(access.course, post.reading_id) is None:
        raise Http404("No such post of yours.")
    now = arrival(request)
    rules = DiscussionSettings.of(access.course)
    status = 200
    if request.method == "POST":
        form = PostForm(request.POST)
        form.is_valid()
        try:
            post_edit(post=post, user=request.user, body=form.cleaned_data.get("body", ""), now=now)
        except DiscussionError as error:
            form.add_error(error.field, error.message)
            status = 400
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(f"{thread_url(post.reading)}#post-{post.pk}")
    else:
        form = PostForm(initial={"body": post.body})
    context = {
        "course": access.course,
        "access": access,
        "post": post,
        "reading": post.reading,
        "form": form,
        "rules": rules,
        "open": now <= post.editable_until(rules.edit_window),
        "until": post.editable_until(rules.edit_window),
        "now": now,
        "active_nav": "discussions:threads",
    }
    return render(request, "discussions/post_edit.html", context, status=status)


@member_required
@require_POST
def moderate(request, access, pk):
    """Staff endorse, unendorse, pin or unpin a post."""
    if not access.is_staff:
        raise Http404("Only the course staff endorse or pin posts.")
    post = _post_or_404(access, pk)
    try:
        done = post_moderate(
            post=post, by=request.user, action=request.POST.get("action", ""), now=arrival(request)
        )
    except DiscussionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(f"{thread_url(post.reading)}#post-{post.pk}")


urlpatterns = [
    path("discussion/", threads, name="threads"),
    path("readings/<int:pk>/discussion/", thread, name="thread"),
    path("discussion/posts/<int:pk>/edit/", edit, name="post_edit"),
    path("discussion/posts/<int:pk>/moderate/", moderate, name="post_moderate"),
]

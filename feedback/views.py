"""Presenter feedback pages.

/courses/<code>/readings/<id>/feedback/: a classmate's form (in the window), the
presenters' aggregate (after the window, with enough responses), every response with its
author (staff). /courses/<code>/feedback/: every presentation and where its feedback stands.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse

from courses.access import member_required
from courses.middleware import arrival
from courses.models import Membership
from courses.timing import format_instant
from feedback.forms import FeedbackForm
from feedback.models import FeedbackResponse, FeedbackSettings
from feedback.presentations import name_presenters, presentations, summarize
from feedback.services import FeedbackError, feedback_give, rating_field, window_refusal


def _rules(access) -> FeedbackSettings:
    rules = FeedbackSettings.of(access.course)
    if not rules.is_on:
        raise Http404("This course does not collect presenter feedback.")
    return rules


def _presentation(course, rules, pk):
    found = presentations([course], rules_of=lambda c: rules, readings=Q(pk=pk))
    if not found:
        raise Http404("Nobody presents this reading in this course.")
    return found[0]


def _form(rules, data=None, initial=None):
    return FeedbackForm(
        data,
        initial=initial,
        criteria=rules.criteria,
        comment_max_length=rules.comment_max_length,
    )


@member_required
def reading_feedback(request, access, pk):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    rules = _rules(access)
    course, now = access.course, arrival(request)
    presentation = _presentation(course, rules, pk)
    name_presenters([presentation])
    context = {
        "course": course,
        "access": access,
        "active_nav": "courses:schedule",
        "rules": rules,
        "presentation": presentation,
        "reading": presentation.reading,
        "state": presentation.state(now),
        "now": now,
    }
    if access.is_staff:
        if request.method == "POST":
            raise Http404("Staff read the feedback; the course's students give it.")
        return _staff_page(request, context)
    if not access.is_student:
        raise Http404("Only the course's students give feedback.")
    if presentation.presented_by(request.user.pk):
        if request.method == "POST":
            raise Http404("Presenters do not rate their own presentation.")
        return _presenter_page(request, context)
    return _classmate_page(request, context)


def _classmate_page(request, context):
    rules, presentation = context["rules"], context["presentation"]
    response = FeedbackResponse.objects.filter(
        reading=presentation.reading, student=request.user
    ).first()
    initial = None
    if response is not None:
        response.rows = response.ratings_for(rules.criteria)
        initial = {rating_field(k): str(v) for k, v in response.ratings.items()}
        initial["comment"] = response.comment
    form, status = _form(rules, initial=initial), 200
    if request.method == "POST":
        form = _form(rules, request.POST)
        late = window_refusal(presentation, context["now"])
        if late:  # said first, whatever else the form lacks
            form.is_valid()
            form.add_error(None, late)
            status = 400
        elif form.is_valid():
            try:
                feedback_give(
                    presentation=presentation,
                    rules=rules,
                    student=request.user,
                    ratings=form.ratings(),
                    comment=form.cleaned_data["comment"],
                    now=context["now"],
                )
            except FeedbackError as exc:
                form.add_error(exc.field, exc.message)
                status = 400
            else:
                closes = format_instant(presentation.closes_at, context["course"].tz)
                messages.success(
                    request, f"Thank you: your feedback is saved. You can change it until {closes}."
                )
                return redirect(request.path)
        else:
            status = 400
    context |= {"form": form, "response": response, "role": "classmate"}
    return render(request, "feedback/feedback_reading.html", context, status=status)


def _presenter_page(request, context):
    """Only the aggregate and the comments, never who wrote what: this reads the ratings
    and comments alone (no author column), and only once the window has closed with
    enough responses."""
    rules, presentation = context["rules"], context["presentation"]
    summary = None
    enough = False
    if context["state"] == "closed":
        rows = list(
            FeedbackResponse.objects.filter(reading=presentation.reading).values_list(
                "ratings", "comment"
            )
        )
        enough = len(rows) >= rules.min_responses
        if enough:
            summary = summarize(rules.criteria, rows)
    context |= {"summary": summary, "enough": enough, "role": "presenter"}
    return render(request, "feedback/feedback_reading.html", context)


def _staff_page(request, context):
    rules, presentation = context["rules"], context["presentation"]
    responses = list(
        FeedbackResponse.objects.filter(reading=presentation.reading)
        .select_related("student")
        .order_by("student__name", "student__email")
    )
    summary = summarize(rules.criteria, [(r.ratings, r.comment) for r in responses])
    for r in responses:
        r.rows = r.ratings_for(rules.criteria)
    context |= {
        "summary": summary,
        "responses": responses,
        "enough": len(responses) >= rules.min_responses,
        "role": "staff",
    }
    return render(request, "feedback/feedback_reading.html", context)


@member_required
def overview(request, access):
    """Every presentation of the course: for a student, what they can do about each (give
    or edit feedback, when it opens, their own presentation's feedback); for staff, the
    responses and means. A fixed number of queries whatever the number of students,
    presentations or responses."""
    rules = _rules(access)
    course, now = access.course, arrival(request)
    if not (access.is_staff or access.is_student):
        raise Http404("Only the course's students and staff see presenter feedback.")
    found = presentations([course], rules_of=lambda c: rules)
    name_presenters(found)
    rows = []
    if access.is_staff:
        by_reading: dict[int, list] = {}
        for reading_id, ratings, comment in FeedbackResponse.objects.filter(
            reading__in=[p.reading for p in found]
        ).values_list("reading_id", "ratings", "comment"):
            by_reading.setdefault(reading_id, []).append((ratings, comment))
        students = Membership.objects.students().filter(course=course).count()
        for p in found:
            summary = summarize(rules.criteria, by_reading.get(p.reading.pk, []))
            rows.append({"p": p, "state": p.state(now), "summary": summary})
    else:
        students = None
        given = dict(
            FeedbackResponse.objects.filter(
                student=request.user, reading__in=[p.reading for p in found]
            ).values_list("reading_id", "updated_at")
        )
        for p in found:
            rows.append(
                {
                    "p": p,
                    "state": p.state(now),
                    "mine": p.presented_by(request.user.pk),
                    "given": given.get(p.reading.pk),
                }
            )
    context = {
        "course": course,
        "access": access,
        "active_nav": "courses:schedule",
        "rules": rules,
        "rows": rows,
        "students": students,
        "now": now,
        "admin_url": reverse("admin:feedback_feedbackresponse_changelist")
        + f"?reading__course__id__exact={course.pk}",
    }
    return render(request, "feedback/feedback_overview.html", context)


urlpatterns = [
    path("feedback/", overview, name="overview"),
    path("readings/<int:pk>/feedback/", reading_feedback, name="reading"),
]

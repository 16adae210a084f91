"""Nobody reaches another course's, student's or team's object by changing an id in a URL.

Each case takes a URL of `course` that the person may open and swaps the id for one that
is not theirs: the other course's object (under this course's code), another student's,
another team's. The answer is 404 (or, in the admin, "doesn't exist"), and nothing changes.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attendance.models import Attendance, CheckIn
from claims.models import Claim, Slides
from discussions.models import Post
from feedback.models import FeedbackResponse
from projects.models import MilestoneGrade, Submission
from reviews.models import Review
from tests.security.test_authorization_matrix import ADMIN_INDEX, ADMIN_MODELS, outcome
from tests.security.world import PDF

pytestmark = pytest.mark.django_db


def code(w):
    return w.here.course.code


CASES = [
    # (role, method, world -> path, world -> data or None)
    ("anon", "get", lambda w: reverse("courses:session", args=[code(w), w.there.session.pk]), None),
    ("anon", "get", lambda w: reverse("claims:slides", args=[code(w), w.there.slides.pk]), None),
    ("member", "post", lambda w: reverse("claims:claim_create", args=[code(w), w.there.reading.pk]), None),
    ("member", "post", lambda w: reverse("claims:claim_withdraw", args=[code(w), w.there.claim.pk]), None),
    ("ta", "post", lambda w: reverse("claims:claim_remove", args=[code(w), w.there.claim.pk]), None),
    ("ta", "post", lambda w: reverse("claims:claim_move", args=[code(w), w.there.claim.pk]),
     lambda w: {"reading": w.here.reading.pk}),
    ("ta", "post", lambda w: reverse("claims:claim_move", args=[code(w), w.here.claim.pk]),
     lambda w: {"reading": w.there.reading.pk}),
    ("ta", "post", lambda w: reverse("claims:claim_assign", args=[code(w)]),
     lambda w: {"reading": w.there.reading.pk, "holder": f"student:{w.user('student').pk}"}),
    ("ta", "get", lambda w: reverse("claims:slides_upload", args=[code(w), w.there.reading.pk]), None),
    ("presenter", "post", lambda w: reverse("claims:slides_upload", args=[code(w), w.there.reading.pk]),
     lambda w: {"file": SimpleUploadedFile("t.pdf", PDF)}),
    ("ta", "get", lambda w: f"/courses/{code(w)}/grades/?student={w.user('outsider').pk}", None),
    ("member", "get", lambda w: f"/courses/{code(w)}/grades/?student={w.users['bob'].pk}", None),
    ("member", "get", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/review/", None),
    ("member", "post", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/review/",
     lambda w: {"summary": "x", "questions": ""}),
    ("ta", "get", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/digest/", None),
    ("presenter", "get", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/digest/", None),
    # A reviewer group reads its own session's digests only.
    ("member", "get", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/digest/", None),
    ("member", "get", lambda w: f"/courses/{code(w)}/readings/{w.pref.reading.pk}/digest/", None),
    ("member", "post", lambda w: reverse("projects:submit", args=[code(w), w.there.milestone.pk]),
     lambda w: {f"m{w.there.milestone.pk}-file": SimpleUploadedFile("r.pdf", PDF)}),
    ("ta", "get", lambda w: reverse("projects:submission_file", args=[code(w), w.there.submission.pk]), None),
    ("rival", "get", lambda w: reverse("projects:submission_file", args=[code(w), w.here.submission.pk]), None),
    ("member", "get", lambda w: reverse("projects:submission_file", args=[code(w), w.here.text_submission.pk]), None),
    # A calendar token works only for the courses its owner is in.
    ("anon", "get", lambda w: f"/courses/{w.there.course.code}/calendar.ics?token={w.user('member').calendar_token}", None),
    ("ta", "get", lambda w: reverse("admin:grading_gradecomponent_enter_scores", args=[w.there.manual_component.pk]), None),
    ("ta", "get", lambda w: reverse("admin:courses_course_import_roster", args=[w.there.course.pk]), None),
    # The grading views: another course's reading, review, milestone or team.
    ("ta", "get", lambda w: reverse("admin:reviews_review_grade") + f"?reading={w.there.reading.pk}", None),
    ("ta", "get", lambda w: reverse("admin:reviews_review_grade") + f"?reading={w.here.reading.pk}&review={w.there.review.pk}", None),
    ("ta", "post", lambda w: reverse("admin:reviews_review_grade") + f"?reading={w.there.reading.pk}&review={w.there.review.pk}",
     lambda w: {"points": "0", "feedback": "x", "save": "1"}),
    ("ta", "get", lambda w: reverse("admin:projects_milestonegrade_grade") + f"?milestone={w.there.milestone.pk}", None),
    ("ta", "get", lambda w: reverse("admin:projects_milestonegrade_grade") + f"?milestone={w.here.milestone.pk}&team={w.there.team.pk}", None),
    ("ta", "post", lambda w: reverse("admin:projects_milestonegrade_grade") + f"?milestone={w.there.milestone.pk}&team={w.there.team.pk}",
     lambda w: {"points": "0", "feedback": "x", "save": "1"}),
    ("rival", "get", lambda w: reverse("projects:submission_file", args=[code(w), w.here.submission.pk]) + "?view=inline", None),
    ("ta", "get", lambda w: reverse("admin:claims_allocation_review", args=[w.there.allocation.pk]), None),
    ("ta", "post", lambda w: reverse("admin:claims_allocation_publish", args=[w.there.allocation.pk]), None),
    ("presenter", "post", lambda w: reverse("claims:swap_propose", args=[code(w), w.there.claim.pk]),
     lambda w: {"offered": w.here.claim.pk}),
    ("presenter", "post", lambda w: reverse("claims:swap_propose", args=[code(w), w.swap.wanted.pk]),
     lambda w: {"offered": w.there.claim.pk}),
    ("presenter", "post", lambda w: reverse("claims:swap_accept", args=[code(w), w.there.swap.pk]), None),
    ("presenter", "post", lambda w: reverse("claims:swap_cancel", args=[code(w), w.there.swap.pk]), None),
    # A rank box named after another course's reading ranks nothing.
    ("member", "post", lambda w: reverse("claims:preferences", args=[w.there.course.code]),
     lambda w: {f"rank-{w.pref.reading.pk}": "1"}),
    # Attendance: another course's session, to show, open or correct.
    ("ta", "get", lambda w: f"/courses/{code(w)}/attendance/?session={w.there.session.pk}", None),
    ("ta", "post", lambda w: f"/courses/{code(w)}/attendance/",
     lambda w: {"action": "open", "session": w.there.session.pk}),
    ("ta", "post", lambda w: f"/courses/{code(w)}/attendance/",
     lambda w: {"action": "correct", "session": w.there.session.pk, f"status-{w.user('outsider').pk}": "absent"}),
    # Presenter feedback: another course's reading, to read or to rate.
    ("member", "get", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/feedback/", None),
    ("presenter", "get", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/feedback/", None),
    ("ta", "get", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/feedback/", None),
    ("member", "post", lambda w: f"/courses/{code(w)}/readings/{w.there.reading.pk}/feedback/",
     lambda w: {"rating_clarity": "5", "rating_depth": "5", "rating_discussion": "5", "comment": "x"}),
    # Discussion threads: another course's reading, post or reply; a classmate's post.
    ("member", "get", lambda w: reverse("discussions:thread", args=[code(w), w.there.reading.pk]), None),
    ("member", "post", lambda w: reverse("discussions:thread", args=[code(w), w.there.reading.pk]),
     lambda w: {"body": "Hello"}),
    ("member", "post", lambda w: reverse("discussions:thread", args=[code(w), w.here.reading.pk]),
     lambda w: {"body": "Hello", "parent": w.there.post.pk}),
    ("member", "get", lambda w: reverse("discussions:post_edit", args=[code(w), w.there.post.pk]), None),
    ("member", "get", lambda w: reverse("discussions:post_edit", args=[code(w), w.here.reply.pk]), None),
    ("presenter", "post", lambda w: reverse("discussions:post_edit", args=[code(w), w.here.post.pk]),
     lambda w: {"body": "Hijacked"}),
    ("ta", "post", lambda w: reverse("discussions:post_moderate", args=[code(w), w.there.post.pk]),
     lambda w: {"action": "pin"}),
]  # fmt: skip


def snapshot():
    return (
        sorted(Claim.objects.values_list("pk", "reading_id", "student_id", "withdrawn_at")),
        Slides.objects.count(),
        Submission.objects.count(),
        sorted(MilestoneGrade.objects.values_list("pk", "points", "feedback")),
        sorted(Review.objects.values_list("pk", "points", "feedback")),
        CheckIn.objects.count(),
        sorted(Attendance.objects.values_list("pk", "student_id", "status")),
        sorted(FeedbackResponse.objects.values_list("pk", "reading_id", "student_id", "comment")),
        sorted(Post.objects.values_list("pk", "body", "pinned", "endorsed_by")),
    )


@pytest.mark.parametrize(
    ("role", "method", "path", "data"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_an_id_that_is_not_yours_gives_404_and_changes_nothing(
    world, as_role, role, method, path, data
):
    before = snapshot()
    url = path(world)
    client = as_role(role)
    response = (
        client.post(url, data(world) if data else {}) if method == "post" else client.get(url)
    )
    assert response.status_code == 404, f"{method.upper()} {url} as {role}"
    assert snapshot() == before


def test_a_rank_box_for_another_courses_reading_is_ignored(world, as_role):
    from claims.models import Preference

    pref = world.pref
    data = {f"rank-{world.there.reading.pk}": "1", f"rank-{pref.reading.pk}": "1"}
    data[f"rank-{pref.session.readings.exclude(pk=pref.reading.pk).get().pk}"] = "2"
    response = as_role("student").post(reverse("claims:preferences", args=[pref.course.code]), data)
    assert response.status_code == 302
    ranked = Preference.objects.filter(student=world.user("student"))
    assert world.there.reading.pk not in set(ranked.values_list("reading_id", flat=True))
    assert ranked.count() == 2


def test_nobody_but_its_two_presenters_calls_a_swap_off(world, as_role):
    for role in ("member", "student", "ta"):
        as_role(role).post(reverse("claims:swap_cancel", args=[code(world), world.swap.pk]))
    world.swap.refresh_from_db()
    assert world.swap.status == "pending"


def test_a_student_cannot_withdraw_a_classmates_claim(world, as_role):
    claim = world.here.claim  # Pat's
    as_role("member").post(reverse("claims:claim_withdraw", args=[code(world), claim.pk]))
    claim.refresh_from_db()
    assert claim.withdrawn_at is None


def test_staff_cannot_assign_a_student_of_another_course(world, as_role):
    before = snapshot()
    as_role("ta").post(
        reverse("claims:claim_assign", args=[code(world)]),
        {"reading": world.here.reading.pk, "holder": f"student:{world.user('outsider').pk}"},
    )
    assert snapshot() == before


# Each admin model whose objects belong to one course, and the attribute of
# tests/security/world.py's course that holds one of them.
COURSE_OWNED = {
    "claims.Claim": "claim",
    "claims.ClaimEvent": "claim_event",
    "claims.Slides": "slides",
    "claims.Allocation": "allocation",
    "claims.Preference": "preference",
    "claims.SwapProposal": "swap",
    "grading.GradeComponent": "component",
    "grading.ManualScore": "manual_score",
    "courses.Course": "course",
    "courses.Membership": "membership",
    "courses.Session": "session",
    "courses.Paper": "paper",
    "courses.Reading": "reading",
    "teams.Team": "team",
    "reviews.ReviewKind": "kind",
    "reviews.Extension": "extension",
    "reviews.Review": "review",
    "projects.Milestone": "milestone",
    "projects.Submission": "submission",
    "projects.MilestoneGrade": "milestone_grade",
    "lti.ContextLink": "lti_link",
    "attendance.CheckIn": "checkin",
    "attendance.Attendance": "attendance",
    "attendance.AttendanceSettings": "attendance_settings",
    "panels.ReviewerGroup": "reviewer_group",
    "feedback.FeedbackSettings": "feedback_settings",
    "feedback.FeedbackResponse": "feedback",
    "discussions.DiscussionSettings": "discussion_settings",
    "discussions.ThreadRule": "thread_rule",
    "discussions.Post": "post",
}
# Models of no course: superusers only, or (sign-in lock-outs) answered per person by
# the authorization matrix.
NO_COURSE = {
    "auth.Group",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "courses.OutgoingEmail",  # the outbox and the task queue: site-wide, superusers only
    "django_tasks_database.DBTaskResult",
    "lti.Platform",  # LTI registrations, the tool's keys, identities: superusers only
    "lti.ToolKey",
    "lti.PlatformUser",
}


def test_every_admin_model_is_checked_here_or_belongs_to_no_course():
    assert set(ADMIN_MODELS) == {*COURSE_OWNED, *NO_COURSE, "seminar.User"}


@pytest.mark.parametrize("label", [*sorted(COURSE_OWNED), "seminar.User"])
def test_course_staff_cannot_open_another_courses_objects_in_the_admin(world, as_role, label):
    app, model = label.lower().split(".")
    if label == "seminar.User":
        obj = world.user("outsider")  # a person in none of the TA's courses
    else:
        obj = getattr(world.there, COURSE_OWNED[label])
    response = as_role("ta").get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert outcome(response) == ADMIN_INDEX  # "… doesn't exist. Perhaps it was deleted?"


def test_admin_autocomplete_offers_only_the_staff_members_own_courses_papers(world, as_role):
    response = as_role("other_ta").get(
        "/admin/autocomplete/",
        {"app_label": "courses", "model_name": "reading", "field_name": "paper", "term": "Flash"},
    )
    titles = [item["text"] for item in response.json()["results"]]
    assert any(world.there.course.code in t for t in titles)
    assert not any(world.here.course.code in t for t in titles)


@pytest.mark.parametrize("label", sorted(COURSE_OWNED))
def test_admin_filters_offer_only_the_staff_members_own_courses(world, as_role, label):
    """The changelist's filter sidebar lists courses, sessions, milestones, kinds and
    values of the TA's own courses only."""
    app, model = label.lower().split(".")
    page = as_role("other_ta").get(reverse(f"admin:{app}_{model}_changelist")).content.decode()
    assert world.here.course.code not in page
    here_filters = [
        f"reading__session__id__exact={world.here.session.pk}",
        f"milestone__id__exact={world.here.milestone.pk}",
        f"kind__id__exact={world.here.kind.pk}",
        f"course__id__exact={world.here.course.pk}",
    ]
    assert not [f for f in here_filters if f in page]


def test_the_people_filter_offers_only_the_staff_members_own_courses(world, as_role):
    page = as_role("other_ta").get(reverse("admin:seminar_user_changelist")).content.decode()
    assert world.there.course.code in page and world.here.course.code not in page


def test_the_people_filter_ignores_a_course_the_staff_member_does_not_run(world, as_role):
    """?course=<another course> would tell which of their students are also in it."""
    here = world.here.course.pk
    page = (
        as_role("other_ta")
        .get(reverse("admin:seminar_user_changelist"), {"course": here})
        .content.decode()
    )
    assert world.user("outsider").email in page  # the filter was not applied

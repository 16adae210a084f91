"""The authorization matrix: every URL the project defines, requested as every kind of
person (see world.py for who they are), against the answer each must get.

Answers: 200 (the page), LOGIN (302 to the sign-in page), ADMIN_LOGIN (302 to the admin's
sign-in page), MOVED (302 somewhere else: the action ran or was refused with a message),
400 (a form with its errors), 403, 404 (outsiders learn nothing, not even that it exists).

Adding a URL pattern without adding it here fails
``test_every_named_url_pattern_is_in_the_matrix``.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import PDF, ROLES, STUDENT_ROLES

pytestmark = pytest.mark.django_db

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
MOVED = "moved"
ADMIN_INDEX = "admin-index"  # e.g. "... doesn't exist. Perhaps it was deleted?"


def expect(default, **by_role):
    """{role: answer}: ``default`` for everyone, then per role; ``students=`` sets the four
    students of the course, ``staff=`` the TA and the instructor, ``outsiders=`` the
    other course's student and TA."""
    groups = {
        "students": STUDENT_ROLES,
        "staff": ("ta", "instructor"),
        "outsiders": ("outsider", "other_ta"),
        "signed_in": tuple(r for r in ROLES if r != "anon"),
    }
    table = dict.fromkeys(ROLES, default)
    for key in ("signed_in", "outsiders", "students", "staff"):
        if key in by_role:
            table.update(dict.fromkeys(groups[key], by_role.pop(key)))
    table.update(by_role)
    return table


# The shape of most course pages: members only, outsiders 404, anonymous to sign-in.
MEMBERS = expect(200, anon=LOGIN, outsiders=404)
STAFF_ONLY = expect(404, anon=LOGIN, staff=200)


@dataclass
class Entry:
    name: str  # the URL pattern's full name
    path: object  # world -> path
    expected: dict
    method: str = "get"
    data: object = field(default=None)  # world -> POST data
    label: str = ""  # tells two entries of one pattern apart


def code(w):
    return w.here.course.code


def token_of(w, role):
    user = w.user(role)
    return user.calendar_token if user else ""


ENTRIES = [
    # Site-wide pages.
    Entry("dashboard", lambda w: "/", expect(200, anon=LOGIN)),
    Entry("healthz", lambda w: "/healthz", expect(200)),
    Entry("profile", lambda w: reverse("profile"), expect(200, anon=LOGIN)),
    Entry("login", lambda w: reverse("login"), expect(MOVED, anon=200)),
    Entry("logout", lambda w: reverse("logout"), expect(LOGIN), method="post"),
    Entry("password_reset", lambda w: reverse("password_reset"), expect(200)),
    Entry("password_reset_done", lambda w: reverse("password_reset_done"), expect(200)),
    Entry(
        "password_reset_confirm",
        lambda w: reverse("password_reset_confirm", args=["MQ", "bad-token"]),
        expect(200),  # "the link is invalid" page: the token is the only key
    ),
    Entry("password_reset_complete", lambda w: reverse("password_reset_complete"), expect(200)),
    Entry("password_change", lambda w: reverse("password_change"), expect(200, anon=LOGIN)),
    Entry(
        "password_change_done", lambda w: reverse("password_change_done"), expect(200, anon=LOGIN)
    ),
    # Public course pages.
    Entry("courses:schedule", lambda w: f"/courses/{code(w)}/", expect(200)),
    Entry(
        "courses:session",
        lambda w: reverse("courses:session", args=[code(w), w.here.session.pk]),
        expect(200),
    ),
    Entry(
        "claims:slides",
        lambda w: reverse("claims:slides", args=[code(w), w.here.slides.pk]),
        expect(200),  # slides are linked from the public schedule
    ),
    # The calendar feed is reached by each person's own token, never a session.
    Entry(
        "courses:calendar",
        lambda w, role="": f"/courses/{code(w)}/calendar.ics?token={token_of(w, role)}",
        expect(200, anon=404, outsiders=404),
    ),
    # Claims.
    Entry("claims:board", lambda w: f"/courses/{code(w)}/claims/", MEMBERS),
    Entry(
        "claims:board",
        lambda w: f"/courses/{code(w)}/claims/?q=flash&free=1",
        MEMBERS,
        label="filtered",
    ),
    Entry(
        "claims:claim_create",
        lambda w: reverse("claims:claim_create", args=[code(w), w.here.reading.pk]),
        expect(MOVED, anon=LOGIN, outsiders=404),  # refused with a message: window closed
        method="post",
    ),
    Entry(
        "claims:claim_withdraw",
        lambda w: reverse("claims:claim_withdraw", args=[code(w), w.here.claim.pk]),
        expect(MOVED, anon=LOGIN, outsiders=404),
        method="post",
    ),
    Entry(
        "claims:claim_assign",
        lambda w: reverse("claims:claim_assign", args=[code(w)]),
        expect(404, anon=LOGIN, staff=MOVED),
        method="post",
        data=lambda w: {"reading": w.here.reading.pk, "holder": f"student:{w.user('student').pk}"},
    ),
    Entry(
        "claims:claim_remove",
        lambda w: reverse("claims:claim_remove", args=[code(w), w.here.claim.pk]),
        expect(404, anon=LOGIN, staff=MOVED),
        method="post",
    ),
    Entry(
        "claims:claim_move",
        lambda w: reverse("claims:claim_move", args=[code(w), w.here.claim.pk]),
        expect(404, anon=LOGIN, staff=MOVED),
        method="post",
        data=lambda w: {"reading": w.here.reading.pk},
    ),
    # Swaps (the claim window is closed at NOW: refused with a message, or called off).
    Entry(
        "claims:swap_propose",
        lambda w: reverse("claims:swap_propose", args=[code(w), w.swap.wanted.pk]),
        expect(MOVED, anon=LOGIN, outsiders=404),
        method="post",
        data=lambda w: {"offered": w.here.claim.pk},
    ),
    Entry(
        "claims:swap_accept",
        lambda w: reverse("claims:swap_accept", args=[code(w), w.swap.pk]),
        expect(MOVED, anon=LOGIN, outsiders=404),
        method="post",
    ),
    Entry(
        "claims:swap_cancel",
        lambda w: reverse("claims:swap_cancel", args=[code(w), w.swap.pk]),
        expect(MOVED, anon=LOGIN, outsiders=404),
        method="post",
    ),
    Entry(
        "claims:slides_upload",
        lambda w: reverse("claims:slides_upload", args=[code(w), w.here.reading.pk]),
        expect(404, anon=LOGIN, presenter=200, staff=200),
    ),
    Entry(
        "claims:slides_upload",
        lambda w: reverse("claims:slides_upload", args=[code(w), w.here.reading.pk]),
        expect(404, anon=LOGIN, presenter=MOVED, staff=MOVED),
        method="post",
        data=lambda w: {"file": SimpleUploadedFile("talk.pdf", PDF)},
        label="post",
    ),
    # Ranking papers, where the course assigns them by preference.
    Entry(
        "claims:preferences",
        lambda w: reverse("claims:preferences", args=[w.pref.course.code]),
        expect(404, anon=LOGIN, student=200, member=200, staff=200),
    ),
    Entry(
        "claims:preferences",
        lambda w: reverse("claims:preferences", args=[w.pref.course.code]),
        expect(404, anon=LOGIN, student=MOVED, member=MOVED, staff=400),  # staff do not rank
        method="post",
        data=lambda w: {
            f"rank-{r.pk}": str(i) for i, r in enumerate(w.pref.session.readings.all(), 1)
        },
        label="post",
    ),
    Entry(
        "claims:preferences",
        lambda w: reverse("claims:preferences", args=[code(w)]),
        expect(404, anon=LOGIN),  # a first-come course has no ranking
        label="first come",
    ),
    # Grades.
    Entry("grading:grades", lambda w: f"/courses/{code(w)}/grades/", MEMBERS),
    Entry(
        "grading:grades",
        lambda w: f"/courses/{code(w)}/grades/?student={w.user('member').pk}",
        expect(404, anon=LOGIN, member=200, staff=200),
        label="?student=",
    ),
    Entry("grading:gradebook", lambda w: f"/courses/{code(w)}/gradebook/", STAFF_ONLY),
    Entry(
        "grading:gradebook",
        lambda w: f"/courses/{code(w)}/gradebook/?expand={w.here.component.pk}",
        STAFF_ONLY,
        label="items",
    ),
    Entry("grading:gradebook_csv", lambda w: f"/courses/{code(w)}/gradebook.csv", STAFF_ONLY),
    Entry(
        "grading:gradebook_csv",
        lambda w: f"/courses/{code(w)}/gradebook.csv?items=1",
        STAFF_ONLY,
        label="items",
    ),
    # Reviews.
    Entry("reviews:my_reviews", lambda w: f"/courses/{code(w)}/reviews/", MEMBERS),
    Entry(
        "reviews:write",
        lambda w: f"/courses/{code(w)}/readings/{w.here.reading.pk}/review/",
        expect(200, anon=LOGIN, outsiders=404, staff=MOVED),  # staff go to the digest
    ),
    Entry(
        "reviews:write",
        lambda w: f"/courses/{code(w)}/readings/{w.here.reading.pk}/review/",
        # Alice's review is graded already: refused, her text kept in the form.
        expect(404, anon=LOGIN, outsiders=404, students=MOVED, member=200, staff=MOVED),
        method="post",
        data=lambda w: {"summary": "It is fast.", "questions": ""},
        label="post",
    ),
    Entry(
        "reviews:digest",
        lambda w: f"/courses/{code(w)}/readings/{w.here.reading.pk}/digest/",
        # member: her team "Flash" is the session's reviewer group (panels).
        expect(404, anon=LOGIN, presenter=200, member=200, staff=200),
    ),
    # Projects.
    Entry(
        "teams:team",
        lambda w: f"/courses/{code(w)}/team/",
        expect(200, anon=LOGIN, outsiders=404, staff=MOVED),  # staff go to the overview
    ),
    Entry(
        "teams:team_create",
        lambda w: f"/courses/{code(w)}/team/create/",
        expect(400, anon=LOGIN, outsiders=404),  # past the team deadline: refused
        method="post",
        data=lambda w: {"name": "Newcomers", "working_title": "", "topic": ""},
    ),
    Entry(
        "teams:team_join",
        lambda w: f"/courses/{code(w)}/team/join/",
        expect(400, anon=LOGIN, outsiders=404),  # past the team deadline: refused
        method="post",
        data=lambda w: {"code": w.here.team.join_code},
    ),
    Entry(
        "teams:team_leave",
        lambda w: f"/courses/{code(w)}/team/leave/",
        expect(MOVED, anon=LOGIN, outsiders=404),
        method="post",
    ),
    Entry(
        "projects:submit",
        lambda w: reverse("projects:submit", args=[code(w), w.here.milestone.pk]),
        expect(MOVED, anon=LOGIN, outsiders=404),
        method="post",
        data=lambda w: {
            f"m{w.here.milestone.pk}-file": SimpleUploadedFile("report.pdf", PDF),
        },
    ),
    Entry(
        "projects:submission_file",
        lambda w: reverse("projects:submission_file", args=[code(w), w.here.submission.pk]),
        expect(404, anon=LOGIN, member=200, staff=200),
    ),
    Entry("projects:teams", lambda w: f"/courses/{code(w)}/teams/", STAFF_ONLY),
    # Attendance: students check in (none today: the world's class was yesterday); staff
    # open and correct check-ins, of any session of the course with ?session=.
    Entry("attendance:attendance", lambda w: f"/courses/{code(w)}/attendance/", MEMBERS),
    Entry(
        "attendance:attendance",
        lambda w: f"/courses/{code(w)}/attendance/?session={w.here.session.pk}",
        MEMBERS,  # students get their own page: the parameter is staff's
        label="?session=",
    ),
    Entry(
        "attendance:attendance",
        lambda w: f"/courses/{code(w)}/attendance/",
        expect(400, anon=LOGIN, outsiders=404, staff=MOVED),  # no class today: refused
        method="post",
        data=lambda w: {"code": "HX7KP"},
        label="check in",
    ),
    Entry(
        "attendance:attendance",
        lambda w: f"/courses/{code(w)}/attendance/",
        expect(400, anon=LOGIN, outsiders=404, staff=MOVED),  # students: a check-in, refused
        method="post",
        data=lambda w: {
            "action": "correct",
            "session": w.here.session.pk,
            f"status-{w.user('student').pk}": "excused",
        },
        label="correct",
    ),
    # Presenter feedback (the world's window closed before NOW): the overview for the
    # course's members; a reading's page is each one's own (a classmate's closed form, the
    # presenter's aggregate, the staff's list); late feedback is refused, its text kept.
    Entry("feedback:overview", lambda w: f"/courses/{code(w)}/feedback/", MEMBERS),
    Entry(
        "feedback:reading",
        lambda w: f"/courses/{code(w)}/readings/{w.here.reading.pk}/feedback/",
        MEMBERS,
    ),
    Entry(
        "feedback:reading",
        lambda w: f"/courses/{code(w)}/readings/{w.here.reading.pk}/feedback/",
        # Classmates: refused (closed) with the text kept; presenters and staff rate nothing.
        expect(400, anon=LOGIN, outsiders=404, presenter=404, staff=404),
        method="post",
        data=lambda w: {
            "rating_clarity": "4",
            "rating_depth": "4",
            "rating_discussion": "4",
            "comment": "Late.",
        },  # fmt: skip
        label="post",
    ),
    # Discussion threads: the course's students and staff read and post; the author edits
    # a post within the window (the world's post is past it: the page says so, a change
    # is refused); staff endorse and pin.
    Entry("discussions:threads", lambda w: f"/courses/{code(w)}/discussion/", MEMBERS),
    Entry(
        "discussions:thread",
        lambda w: reverse("discussions:thread", args=[code(w), w.here.reading.pk]),
        MEMBERS,
    ),
    Entry(
        "discussions:thread",
        lambda w: reverse("discussions:thread", args=[code(w), w.here.reading.pk]),
        expect(MOVED, anon=LOGIN, outsiders=404),
        method="post",
        data=lambda w: {"body": "A new thought.", "parent": w.here.post.pk},
        label="reply",
    ),
    Entry(
        "discussions:thread",
        lambda w: reverse("discussions:thread", args=[code(w), w.here.reading.pk]),
        expect(400, anon=LOGIN, outsiders=404),  # an empty post: refused at the field
        method="post",
        data=lambda w: {"body": "   "},
        label="empty",
    ),
    Entry(
        "discussions:post_edit",
        lambda w: reverse("discussions:post_edit", args=[code(w), w.here.post.pk]),
        expect(404, anon=LOGIN, member=200),  # its author only
    ),
    Entry(
        "discussions:post_edit",
        lambda w: reverse("discussions:post_edit", args=[code(w), w.here.post.pk]),
        expect(404, anon=LOGIN, member=400),  # past the edit window: refused, text kept
        method="post",
        data=lambda w: {"body": "Changed."},
        label="post",
    ),
    Entry(
        "discussions:post_moderate",
        lambda w: reverse("discussions:post_moderate", args=[code(w), w.here.post.pk]),
        expect(404, anon=LOGIN, staff=MOVED),
        method="post",
        data=lambda w: {"action": "endorse"},
    ),
    # The admin's own pages (the registered models' pages are in ADMIN_MODELS below).
    Entry("admin:index", lambda w: "/admin/", expect(ADMIN_LOGIN, staff=200, other_ta=200)),
    Entry(
        "admin:app_list",
        lambda w: "/admin/courses/",
        expect(ADMIN_LOGIN, staff=200, other_ta=200),
    ),
    Entry(
        "admin:login",
        lambda w: "/admin/login/",
        expect(200, staff=ADMIN_INDEX, other_ta=ADMIN_INDEX),
    ),
    Entry(
        "admin:logout",
        lambda w: "/admin/logout/",
        expect(ADMIN_INDEX, staff=LOGIN, other_ta=LOGIN),
        method="post",
    ),
    Entry(
        "admin:password_change",
        lambda w: "/admin/password_change/",
        expect(ADMIN_LOGIN, staff=200, other_ta=200),
    ),
    Entry(
        "admin:password_change_done",
        lambda w: "/admin/password_change/done/",
        expect(ADMIN_LOGIN, staff=200, other_ta=200),
    ),
    Entry(
        "admin:jsi18n",
        lambda w: "/admin/jsi18n/",
        expect(ADMIN_LOGIN, staff=200, other_ta=200),
    ),
    Entry(
        "admin:autocomplete",
        lambda w: (
            "/admin/autocomplete/?app_label=courses&model_name=reading&field_name=paper&term=Flash"
        ),
        expect(ADMIN_LOGIN, staff=200, other_ta=200),
    ),
    Entry(
        "admin:view_on_site",
        lambda w: reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(w.here.course).pk, w.here.course.pk],
        ),
        expect(ADMIN_LOGIN, staff=MOVED, other_ta=MOVED),  # to the public schedule
    ),
    Entry(
        "admin:grading_gradecomponent_enter_scores",
        lambda w: reverse(
            "admin:grading_gradecomponent_enter_scores", args=[w.here.manual_component.pk]
        ),
        expect(ADMIN_LOGIN, staff=200, other_ta=404),
    ),
    Entry(
        "admin:reviews_review_grade",
        lambda w: reverse("admin:reviews_review_grade") + f"?reading={w.here.reading.pk}",
        expect(ADMIN_LOGIN, staff=200, other_ta=404),  # another course's reading: nothing
    ),
    Entry(
        "admin:projects_milestonegrade_grade",
        lambda w: (
            reverse("admin:projects_milestonegrade_grade") + f"?milestone={w.here.milestone.pk}"
        ),
        expect(ADMIN_LOGIN, staff=200, other_ta=404),  # another course's milestone: nothing
    ),
    Entry(
        "admin:courses_course_import_roster",
        lambda w: reverse("admin:courses_course_import_roster", args=[w.here.course.pk]),
        expect(ADMIN_LOGIN, staff=200, other_ta=404),
    ),
    Entry(
        "admin:claims_allocation_run",
        lambda w: reverse("admin:claims_allocation_run"),
        expect(ADMIN_LOGIN, staff=200, other_ta=200),  # other_ta: no course to choose
    ),
    Entry(
        "admin:claims_allocation_review",
        lambda w: reverse("admin:claims_allocation_review", args=[w.allocation.pk]),
        expect(ADMIN_LOGIN, staff=200, other_ta=404),
    ),
    Entry(
        "admin:claims_allocation_publish",
        lambda w: reverse("admin:claims_allocation_publish", args=[w.allocation.pk]),
        expect(ADMIN_LOGIN, staff=MOVED, other_ta=404),
        method="post",
    ),
    Entry(
        "admin:auth_user_password_change",
        lambda w: reverse("admin:auth_user_password_change", args=[w.user("member").pk]),
        expect(ADMIN_LOGIN, staff=403, other_ta=403),  # superusers only
    ),
    # Campus sign-in (OpenID Connect) is off here: its URLs name nothing (tests/lti has it on).
    Entry("oidc_authentication_init", lambda w: "/oidc/authenticate/", expect(404)),
    Entry("oidc_authentication_callback", lambda w: "/oidc/callback/", expect(404)),
    # LTI (the LMS calls these; README, "Add Seminar to Canvas").
    Entry("lti:jwks", lambda w: reverse("lti:jwks"), expect(200)),  # public keys, for everyone
    # Without the platform's parameters a login initiation is refused with its page.
    Entry("lti:login", lambda w: reverse("lti:login"), expect(403)),
    # A launch without a state and a signed id_token signs nobody in.
    Entry("lti:launch", lambda w: reverse("lti:launch"), expect(403), method="post"),
    # Linking an LMS course needs a launch of this session first: "nothing to link".
    Entry("lti:link", lambda w: reverse("lti:link"), expect(404, anon=LOGIN)),
    Entry("lti:deep_link", lambda w: reverse("lti:deep_link"), expect(404, anon=LOGIN)),
]

# Named patterns deliberately left out, with the reason.
EXEMPT = {}

# --------------------------------------------------------------------------- admin models

ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete")


def admin_expect(ta_answers, other_ta_answers):
    """Answers for (changelist, add, change, history, delete): the course's staff, then a
    TA of another course; every non-staff person is sent to the admin sign-in page."""
    return {
        view: {
            **dict.fromkeys(("anon", "outsider", *STUDENT_ROLES), ADMIN_LOGIN),
            "ta": ta,
            "instructor": ta,
            "other_ta": other,
        }
        for view, ta, other in zip(ADMIN_VIEWS, ta_answers, other_ta_answers, strict=True)
    }


COURSE_SCOPED = admin_expect((200,) * 5, (200, 200, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX))
READ_ONLY = admin_expect((200, 403, 200, 200, 403), (200, 403, ADMIN_INDEX, ADMIN_INDEX, 403))
NO_ADD = admin_expect((200, 403, 200, 200, 200), (200, 403, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX))
NO_DELETE = admin_expect((200, 200, 200, 200, 403), (200, 200, ADMIN_INDEX, ADMIN_INDEX, 403))
SUPERUSER_ONLY = admin_expect((403,) * 5, (403,) * 5)

# model label -> (how to find its object in the world, expected answers)
ADMIN_MODELS = {
    "auth.Group": (lambda w: w.group, SUPERUSER_ONLY),
    # Course staff see and lift the sign-in lock-outs of their own courses' people.
    "axes.AccessAttempt": (
        lambda w: w.axes["accessattempt"],
        admin_expect((200, 403, 200, 200, 200), (200, 403, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX)),
    ),
    "axes.AccessLog": (lambda w: w.axes["accesslog"], SUPERUSER_ONLY),
    # The outbox and the task queue's rows: site-wide, for superusers.
    "courses.OutgoingEmail": (lambda w: w.outbox["email"], SUPERUSER_ONLY),
    "django_tasks_database.DBTaskResult": (lambda w: w.outbox["task"], SUPERUSER_ONLY),
    "axes.AccessFailureLog": (lambda w: w.axes["accessfailurelog"], SUPERUSER_ONLY),
    # Course staff see (not change) the accounts of the people in their courses.
    "seminar.User": (
        lambda w: w.user("member"),
        admin_expect((200, 403, 200, 200, 403), (200, 403, ADMIN_INDEX, ADMIN_INDEX, 403)),
    ),
    "claims.Claim": (lambda w: w.here.claim, NO_DELETE),
    "claims.ClaimEvent": (lambda w: w.here.claim_event, READ_ONLY),
    "claims.Slides": (lambda w: w.here.slides, NO_ADD),
    # An allocation's page is its review (a redirect); nobody edits or deletes one.
    "claims.Allocation": (
        lambda w: w.allocation,
        admin_expect((200, 403, MOVED, 200, 403), (200, 403, ADMIN_INDEX, ADMIN_INDEX, 403)),
    ),
    "claims.Preference": (lambda w: w.preference, READ_ONLY),
    "claims.SwapProposal": (lambda w: w.swap, READ_ONLY),
    # One component alone is never deleted (the weights would not add up); the course is.
    "grading.GradeComponent": (lambda w: w.here.component, NO_DELETE),
    "grading.ManualScore": (lambda w: w.here.manual_score, COURSE_SCOPED),
    # Only a superuser creates or deletes a course.
    "courses.Course": (
        lambda w: w.here.course,
        admin_expect((200, 403, 200, 200, 403), (200, 403, ADMIN_INDEX, ADMIN_INDEX, 403)),
    ),
    "courses.Membership": (lambda w: w.here.membership, COURSE_SCOPED),
    "courses.Session": (lambda w: w.here.session, COURSE_SCOPED),
    "courses.Paper": (lambda w: w.here.paper, COURSE_SCOPED),
    "courses.Reading": (lambda w: w.here.reading, COURSE_SCOPED),
    "teams.Team": (lambda w: w.here.team, COURSE_SCOPED),
    "reviews.ReviewKind": (lambda w: w.here.kind, COURSE_SCOPED),
    "reviews.Extension": (lambda w: w.here.extension, COURSE_SCOPED),
    "reviews.Review": (lambda w: w.here.review, COURSE_SCOPED),
    "projects.Milestone": (lambda w: w.here.milestone, COURSE_SCOPED),
    # Staff read submissions; nobody edits or deletes what a team handed in.
    "projects.Submission": (lambda w: w.here.submission, READ_ONLY),
    "projects.MilestoneGrade": (lambda w: w.here.milestone_grade, COURSE_SCOPED),
    # LTI registrations, the tool's keys and the identities are site-wide; course staff see
    # (not change) the LMS links of their own courses and run sync and push from them.
    "lti.Platform": (lambda w: w.lti["platform"], SUPERUSER_ONLY),
    "lti.ToolKey": (lambda w: w.lti["key"], SUPERUSER_ONLY),
    "lti.PlatformUser": (lambda w: w.lti["user"], SUPERUSER_ONLY),
    "lti.ContextLink": (lambda w: w.here.lti_link, READ_ONLY),
    "attendance.CheckIn": (lambda w: w.here.checkin, COURSE_SCOPED),
    "attendance.Attendance": (lambda w: w.here.attendance, COURSE_SCOPED),
    "attendance.AttendanceSettings": (lambda w: w.here.attendance_settings, COURSE_SCOPED),
    "panels.ReviewerGroup": (lambda w: w.here.reviewer_group, COURSE_SCOPED),
    "feedback.FeedbackSettings": (lambda w: w.here.feedback_settings, COURSE_SCOPED),
    # Staff read (and may delete) what students gave; nobody adds or edits it in the admin.
    "feedback.FeedbackResponse": (lambda w: w.here.feedback, NO_ADD),
    "discussions.DiscussionSettings": (lambda w: w.here.discussion_settings, COURSE_SCOPED),
    "discussions.ThreadRule": (lambda w: w.here.thread_rule, COURSE_SCOPED),
    # Posts are written in the thread under their author's name, never added in the admin.
    "discussions.Post": (lambda w: w.here.post, NO_ADD),
}


def registered_labels():
    return sorted(model._meta.label for model in admin.site._registry)


def admin_cases():
    for label in registered_labels():
        for view in ADMIN_VIEWS:
            for role in ROLES:
                yield pytest.param(label, view, role, id=f"admin:{label}:{view}-{role}")


# --------------------------------------------------------------------------- checking


def outcome(response):
    """What a response amounts to, in the vocabulary of the tables."""
    if response.status_code == 302:
        target = urlsplit(response["Location"]).path
        if target == reverse("login"):
            return LOGIN
        if target == reverse("admin:login"):
            return ADMIN_LOGIN
        if target == reverse("admin:index"):
            return ADMIN_INDEX
        return MOVED
    return response.status_code


def request(client, method, path, data):
    response = client.post(path, data or {}) if method == "post" else client.get(path)
    if response.streaming:
        # Reading to the end makes the test client close the file (response.close() would
        # also fire request_finished, which closes the test's database connection).
        b"".join(response.streaming_content)
    return response


def entry_cases():
    for entry in ENTRIES:
        for role in ROLES:
            suffix = f"[{entry.label}]" if entry.label else ""
            yield pytest.param(
                entry, role, id=f"{entry.method.upper()} {entry.name}{suffix}-{role}"
            )


@pytest.mark.parametrize(("entry", "role"), list(entry_cases()))
def test_url_answers_each_role_as_the_matrix_says(world, as_role, entry, role):
    if entry.name == "courses:calendar":
        path = entry.path(world, role)
    else:
        path = entry.path(world)
    data = entry.data(world) if entry.data else None
    response = request(as_role(role), entry.method, path, data)
    assert outcome(response) == entry.expected[role], f"{entry.method.upper()} {path} as {role}"


@pytest.mark.parametrize(("label", "view", "role"), list(admin_cases()))
def test_admin_page_answers_each_role_as_the_matrix_says(world, as_role, label, view, role):
    assert label in ADMIN_MODELS, f"{label} is registered in the admin but not in the matrix"
    find, expected = ADMIN_MODELS[label]
    obj = find(world)
    app, model = label.lower().split(".")
    args = [] if view in ("changelist", "add") else [obj.pk]
    path = reverse(f"admin:{app}_{model}_{view}", args=args)
    response = as_role(role).get(path)
    assert outcome(response) == expected[view][role], f"GET {path} as {role}"


def named_patterns(patterns=None, namespace=""):
    """Every named URL pattern, as "namespace:name", walking includes (the admin's too)."""
    found = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace or ""
            found |= named_patterns(pattern.url_patterns, inner if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return found


def test_every_named_url_pattern_is_in_the_matrix():
    covered = {entry.name for entry in ENTRIES} | set(EXEMPT)
    for label in registered_labels():
        app, model = label.lower().split(".")
        covered |= {f"admin:{app}_{model}_{view}" for view in ADMIN_VIEWS}
    missing = sorted(named_patterns() - covered)
    assert missing == [], f"URL patterns without a row in the authorization matrix: {missing}"


def test_every_admin_model_is_in_the_matrix():
    assert sorted(set(registered_labels()) - set(ADMIN_MODELS)) == []
    assert sorted(set(ADMIN_MODELS) - set(registered_labels())) == []


def test_the_walk_finds_a_new_pattern_the_matrix_lacks():
    from django.urls import include, path

    def view(request):
        raise AssertionError

    extra = [path("x/", include(([path("new/", view, name="new_page")], "extra")))]
    assert named_patterns(extra) == {"extra:new_page"}
    assert "extra:new_page" not in {entry.name for entry in ENTRIES}

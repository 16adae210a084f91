"""User text carries XSS payloads through every page that shows it, and comes out escaped.

Every text a person types (names, team name / working title / topic, review answers,
feedback, paper details, session notes, milestone text, uploaded file names) is set to
the payload; then each page that shows it is read as someone who sees it. A page passes
when no tag or attribute came from the payload: no <script> without src, no on*= handler,
no javascript: URL, and the raw payload is nowhere in the HTML.
"""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from courses.coursefile import CourseFileError, import_course
from courses.models import Paper, Session
from discussions.models import Post
from feedback.models import FeedbackResponse, FeedbackSettings
from lti.models import ContextLink
from projects.models import MilestoneAdjustment, Submission
from reviews.models import Review
from teams.models import Team
from tests.security.world import PDF

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{7*7}}{% debug %}",
    '<a href="javascript:alert(1)">x</a>',
]


class TagAudit(HTMLParser):
    """Collects what a payload could have injected: inline scripts, handlers, js: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.problems.append("inline <script>")
        if tag in ("img", "svg") and any(name.startswith("on") for name in attrs):
            self.problems.append(f"<{tag}> with a handler")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")


def assert_escaped(html: str, payload: str, where: str):
    audit = TagAudit()
    audit.feed(html)
    assert audit.problems == [], f"{where}: {audit.problems}"
    if any(ch in payload for ch in '<>"'):
        assert payload not in html, f"{where}: the payload is in the HTML unescaped"
    assert "7*7" not in html or "49" not in html.split("7*7")[0][-10:], where


def fill_with(world, payload):
    """Every piece of user text in `course` becomes the payload."""
    here = world.here
    User = get_user_model()
    for user in User.objects.all():
        user.name = payload
        user.save(update_fields=["name"])
    Team.objects.filter(pk=here.team.pk).update(name=payload, working_title=payload, topic=payload)
    Team.objects.filter(pk=world.rival_team.pk).update(
        name=payload + " 2", working_title=payload, topic=payload
    )
    Paper.objects.filter(pk=here.paper.pk).update(title=payload, authors=payload, venue=payload)
    Paper.objects.filter(pk=world.pref.paper.pk).update(title=payload, authors=payload)
    Session.objects.filter(pk=here.session.pk).update(title=payload, topic=payload, notes=payload)
    Review.objects.filter(pk=here.review.pk).update(
        answers={"summary": payload, "questions": payload}, feedback=payload
    )
    here.milestone_grade.feedback = payload
    here.milestone_grade.save()
    here.manual_score.feedback = payload
    here.manual_score.save()
    here.claim.feedback = payload
    here.claim.points = 8
    here.claim.save()
    Submission.objects.filter(pk=here.text_submission.pk).update(text=payload)
    Submission.objects.filter(pk=here.submission.pk).update(original_name=payload + ".pdf")
    here.slides.original_name = payload + ".pdf"
    here.slides.save()
    here.milestone.description = payload
    here.milestone.name = payload
    here.milestone.rubric = [{"criterion": payload, "points": "100", "description": payload}]
    here.milestone.save()
    MilestoneAdjustment.objects.create(
        grade=here.milestone_grade, student=world.user("member"), delta=1, reason=payload
    )
    ContextLink.objects.filter(pk=here.lti_link.pk).update(context_title=payload)
    FeedbackResponse.objects.filter(pk=here.feedback.pk).update(comment=payload)
    FeedbackSettings.objects.filter(pk=here.feedback_settings.pk).update(
        rubric=[{"key": "clarity", "label": payload, "scale": 5, "description": payload}]
    )
    Post.objects.filter(reading=here.reading).update(body=payload)


def pages(world):
    """(role, path) for every page that shows user text."""
    code = world.here.course.code
    reading = world.here.reading.pk
    student = world.user("member").pk
    return [
        ("anon", f"/courses/{code}/"),  # schedule: titles, authors, presenters, notes
        ("anon", f"/courses/{code}/sessions/{world.here.session.pk}/"),
        ("member", "/"),  # dashboard (titles of what is due; none here)
        ("member", f"/courses/{code}/claims/"),
        ("ta", f"/courses/{code}/claims/"),  # with the staff's assign form (names, teams)
        ("presenter", f"/courses/{code}/readings/{reading}/slides/"),  # earlier file names
        ("member", f"/courses/{code}/reviews/"),
        ("member", f"/courses/{code}/readings/{reading}/review/"),  # answers in the textarea
        ("presenter", f"/courses/{code}/readings/{reading}/digest/"),
        ("ta", f"/courses/{code}/readings/{reading}/digest/"),
        ("member", f"/courses/{code}/readings/{reading}/digest/"),  # the reviewer group's
        ("member", f"/courses/{code}/team/"),  # team, topic, text, file name, feedback, panel
        ("student", f"/courses/{code}/team/"),  # past the deadline: no teams to join
        ("ta", f"/courses/{code}/teams/"),
        ("member", f"/courses/{code}/grades/"),  # feedback on scores
        ("ta", f"/courses/{code}/grades/?student={student}"),
        ("ta", f"/courses/{code}/grades/"),  # the student chooser: names
        ("ta", f"/courses/{code}/gradebook/"),
        ("ta", f"/courses/{code}/attendance/?session={world.here.session.pk}"),  # names, title
        ("ta", reverse("admin:attendance_attendance_changelist")),
        ("ta", reverse("admin:panels_reviewergroup_changelist")),  # team names, sessions
        ("ta", reverse("admin:panels_reviewergroup_change", args=[world.here.reviewer_group.pk])),
        ("ta", reverse("admin:attendance_checkin_change", args=[world.here.checkin.pk])),
        ("member", f"/courses/{code}/readings/{reading}/discussion/"),  # posts, Markdown
        ("student", f"/courses/{code}/readings/{reading}/discussion/"),  # names, title
        ("ta", f"/courses/{code}/readings/{reading}/discussion/"),  # every name
        ("member", f"/courses/{code}/discussion/"),  # titles
        ("member", reverse("discussions:post_edit", args=[code, world.here.post.pk])),
        ("ta", reverse("admin:discussions_post_changelist")),
        ("ta", reverse("admin:discussions_post_change", args=[world.here.post.pk])),
        ("ta", reverse("admin:reviews_review_change", args=[world.here.review.pk])),
        ("ta", reverse("admin:reviews_review_changelist")),
        ("ta", reverse("admin:reviews_review_grade") + f"?reading={reading}"),
        (
            "ta",
            reverse("admin:projects_milestonegrade_grade")
            + f"?milestone={world.here.text_submission.milestone_id}&team={world.here.team.pk}",
        ),
        (
            "ta",
            reverse("admin:projects_milestonegrade_grade")
            + f"?milestone={world.here.milestone.pk}&team={world.here.team.pk}",
        ),
        ("ta", reverse("admin:projects_submission_change", args=[world.here.submission.pk])),
        ("ta", reverse("admin:projects_submission_changelist")),
        ("ta", reverse("admin:teams_team_change", args=[world.here.team.pk])),
        ("ta", reverse("admin:claims_claim_changelist")),
        ("member", f"/courses/{world.pref.course.code}/preferences/"),  # titles, authors
        ("ta", f"/courses/{world.pref.course.code}/preferences/"),
        ("ta", reverse("admin:claims_allocation_review", args=[world.allocation.pk])),
        ("ta", reverse("admin:claims_preference_changelist")),
        ("ta", reverse("admin:claims_swapproposal_changelist")),
        ("ta", reverse("admin:claims_slides_changelist")),
        ("ta", reverse("admin:lti_contextlink_changelist")),  # the LMS course's title
        ("ta", reverse("admin:lti_contextlink_change", args=[world.here.lti_link.pk])),
        (
            "ta",
            reverse(
                "admin:grading_gradecomponent_enter_scores", args=[world.here.manual_component.pk]
            ),
        ),
        # Presenter feedback: the comment and the rubric's labels, names on the staff's list.
        ("presenter", f"/courses/{code}/readings/{reading}/feedback/"),  # the aggregate
        ("member", f"/courses/{code}/readings/{reading}/feedback/"),  # her own, closed
        ("ta", f"/courses/{code}/readings/{reading}/feedback/"),  # who wrote what
        ("member", f"/courses/{code}/feedback/"),  # titles, presenters
        ("ta", f"/courses/{code}/feedback/"),
        ("ta", reverse("admin:feedback_feedbackresponse_changelist")),
        ("ta", reverse("admin:feedback_feedbackresponse_change", args=[world.here.feedback.pk])),
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_text_is_escaped_on_every_page_that_shows_it(world, as_role, payload):
    fill_with(world, payload)
    code = world.here.course.code
    shows_none = {
        ("member", "/"),
        ("student", f"/courses/{code}/team/"),
    }
    for role, path in pages(world):
        response = as_role(role).get(path)
        assert response.status_code == 200, f"{path} as {role}"
        html = response.content.decode()
        assert_escaped(html, payload, f"{path} as {role}")
        if (role, path) not in shows_none:
            # The payload really went through this page, escaped.
            assert escape(payload) in html, f"{path} as {role} does not show the text"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_file_names_with_payloads_download_as_attachments(world, as_role, payload):
    fill_with(world, payload)
    code = world.here.course.code
    for role, path in [
        ("anon", reverse("claims:slides", args=[code, world.here.slides.pk])),
        ("member", reverse("projects:submission_file", args=[code, world.here.submission.pk])),
    ]:
        response = as_role(role).get(path)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "\n" not in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF


def test_the_calendar_feed_is_plain_icalendar_never_html(world, as_role):
    fill_with(world, PAYLOADS[0])
    member = world.user("member")
    response = as_role("anon").get(
        f"/courses/{world.here.course.code}/calendar.ics?token={member.calendar_token}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>", "vbscript:x"])
def test_paper_links_must_be_web_addresses(world, url):
    paper = Paper(title="A paper", url=url)
    with pytest.raises(ValidationError) as error:
        paper.full_clean()
    assert "url" in error.value.message_dict


def test_the_paper_admin_refuses_a_javascript_link(world, as_role):
    response = as_role("ta").post(
        reverse("admin:courses_paper_add"), {"title": "A paper", "url": "javascript:alert(1)"}
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not Paper.objects.filter(title="A paper").exists()


def test_a_course_file_with_a_javascript_paper_link_is_refused(world):
    text = """
course: {code: xss-f25, title: XSS, term: Fall 2025, time_zone: America/Los_Angeles}
sessions:
- date: 2025-09-25
  readings:
  - title: Evil
    url: javascript:alert(1)
"""
    with pytest.raises(CourseFileError, match="must start with http"):
        import_course(text)


def test_a_milestone_link_must_be_a_web_address(world, as_role):
    from projects.models import Deliverable, Milestone

    milestone = Milestone.objects.create(
        course=world.here.course,
        name="Repo",
        due_at=world.here.milestone.due_at,
        deliverable=Deliverable.LINK,
    )
    response = as_role("member").post(
        reverse("projects:submit", args=[world.here.course.code, milestone.pk]),
        {f"m{milestone.pk}-link": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    assert not milestone.submissions.exists()


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
)
def test_gradebook_csv_neutralises_formulas_in_names_and_sections(world, as_role, text):
    member = world.user("member")
    member.name = text
    member.student_id = text
    member.save()
    world.here.membership.section = text
    world.here.membership.save()
    response = as_role("ta").get(f"/courses/{world.here.course.code}/gradebook.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    line = next(r for r in rows if r[3] == member.email)
    assert line[0] == "'" + text and line[2] == "'" + text and line[4] == "'" + text
    # Numbers stay numbers.
    assert all(re.fullmatch(r"-?\d+\.\d\d", cell) for cell in line[5:7])


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_team_presenters_are_escaped_on_the_schedule_and_claims_board(world, as_role, payload):
    from django.utils import timezone

    from claims.models import Claim
    from courses.models import PresentsBy

    fill_with(world, payload)
    here = world.here
    here.course.presents_by = PresentsBy.TEAM
    here.course.save()
    Claim.objects.filter(pk=here.claim.pk).update(withdrawn_at=timezone.now())
    Claim.objects.create(
        course=here.course, reading=here.reading, team=here.team, claimed_by=world.user("member")
    )
    for role, path in [
        ("anon", f"/courses/{here.course.code}/"),
        ("anon", f"/courses/{here.course.code}/sessions/{here.session.pk}/"),
        ("member", f"/courses/{here.course.code}/claims/"),
    ]:
        html = as_role(role).get(path).content.decode()
        assert_escaped(html, payload, f"{path} as {role}")
        assert escape(payload) in html


@pytest.mark.parametrize(
    "payload",
    [
        "[x](javascript:alert(1))",
        '[x](https://ex.org/" onclick="alert(1))',
        '![x](x" onerror="alert(1))',
        "**<script>alert(1)</script>**",
    ],
)
def test_review_answers_rendered_as_markdown_carry_no_script(world, as_role, payload):
    fill_with(world, payload)
    code, reading = world.here.course.code, world.here.reading.pk
    for role, path in [
        ("presenter", f"/courses/{code}/readings/{reading}/digest/"),
        ("ta", f"/courses/{code}/readings/{reading}/digest/"),
        ("member", f"/courses/{code}/readings/{reading}/digest/"),  # the reviewer group's
        ("ta", reverse("admin:reviews_review_change", args=[world.here.review.pk])),
    ]:
        html = as_role(role).get(path).content.decode()
        assert 'class="review-text"' in html, f"{path} as {role} shows no answers"
        # A quote left in a text node is harmless, so only what the parser sees counts.
        audit = TagAudit()
        audit.feed(html)
        assert audit.problems == [], f"{path} as {role}: {audit.problems}"
        assert "<script>alert" not in html and "<img" not in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_feedback_refused_late_comes_back_in_the_form_escaped(world, as_role, payload):
    """The world's window has closed: the comment comes back in the textarea, as text."""
    fill_with(world, payload)
    path = f"/courses/{world.here.course.code}/readings/{world.here.reading.pk}/feedback/"
    data = {"rating_clarity": "4", "comment": payload}
    response = as_role("rival").post(path, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert_escaped(html, payload, f"POST {path}")
    assert escape(payload) in html


@pytest.mark.parametrize(
    "payload",
    [
        "[x](javascript:alert(1))",
        '[x](https://ex.org/" onclick="alert(1))',
        '![x](x" onerror="alert(1))',
        "**<script>alert(1)</script>**",
        "<iframe src=javascript:alert(1)></iframe>",
    ],
)
def test_posts_rendered_as_markdown_carry_no_script(world, as_role, payload):
    fill_with(world, payload)
    code, reading = world.here.course.code, world.here.reading.pk
    for role, path in [
        ("student", f"/courses/{code}/readings/{reading}/discussion/"),
        ("ta", f"/courses/{code}/readings/{reading}/discussion/"),
        ("member", reverse("discussions:post_edit", args=[code, world.here.post.pk])),
    ]:
        html = as_role(role).get(path).content.decode()
        assert 'class="text-break post-text"' in html or "text-break" in html, path
        audit = TagAudit()
        audit.feed(html)
        assert audit.problems == [], f"{path} as {role}: {audit.problems}"
        assert "<script>alert" not in html and "<img" not in html and "<iframe" not in html

"""The admin's grading view for milestones: team by team, the versions and the latest PDF
beside the form (framed only by the app itself), points "/ max" (typing 9 means 9 of the
milestone's 10), feedback, each member's adjustment, save-and-next.

The course: teams "Team 00" … with two students each; the milestone "Project proposal"
(10 points, a file); every team submitted a PDF."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grading.models import GradeNotice
from projects.models import MilestoneAdjustment, MilestoneGrade
from tests import factories as f

pytestmark = pytest.mark.django_db

GRADE = "/admin/projects/milestonegrade/grade/"


def build(n, code="ecs289d-f25", rubric=None):
    course = f.CourseFactory(code=code)
    instructor = f.MembershipFactory(
        course=course, instructor=True, user__email=f"yang@{code}.edu", user__name="Yang"
    ).user
    milestone = f.MilestoneFactory(
        course=course, name="Project proposal", max_points=Decimal(10), rubric=rubric or []
    )
    teams = []
    for i in range(n):
        team = f.TeamFactory(course=course, name=f"Team {i:02d}")
        for j in range(2):
            f.TeamMemberFactory(team=team, user__name=f"Student {i:02d}{'ab'[j]}")
        f.SubmissionFactory(milestone=milestone, team=team, pdf=True)
        teams.append(team)
    return course, instructor, milestone, teams


def url(milestone, team=None):
    return f"{GRADE}?milestone={milestone.pk}" + (f"&team={team.pk}" if team else "")


def post_data(team, **extra):
    data = {"points": "", "feedback": "", "publish": "on", "save_next": "1"}
    for member in team.members.all():
        data |= {f"m{member.user_id}-delta": "", f"m{member.user_id}-override": "",
                 f"m{member.user_id}-reason": ""}  # fmt: skip
    return data | extra


def test_it_opens_on_the_first_team_with_its_members_versions_and_the_pdf_beside(client):
    course, instructor, milestone, teams = build(3)
    client.force_login(instructor)
    html = client.get(url(milestone)).content.decode()
    assert "<strong>1 of 3</strong> · 3 teams await a grade" in html
    assert "Team 00" in html and "Student 00a, Student 00b" in html
    assert "<strong>v1</strong>" in html and "report.pdf" in html
    assert '<span class="grade-max">/ 10</span>' in html
    submission = teams[0].submissions.get()
    frame = f'src="/courses/{course.code}/team/files/{submission.pk}/?view=inline"'
    assert f'<iframe class="grade-pdf" {frame}' in html


def test_the_framed_pdf_is_inline_framed_only_by_the_app_and_never_sniffed(client):
    course, instructor, milestone, teams = build(1)
    submission = teams[0].submissions.get()
    client.force_login(instructor)
    file_url = f"/courses/{course.code}/team/files/{submission.pk}/"
    framed = client.get(file_url + "?view=inline")
    assert framed["Content-Type"] == "application/pdf"
    assert framed["Content-Disposition"].startswith("inline")
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    assert framed["X-Content-Type-Options"] == "nosniff"
    b"".join(framed.streaming_content)  # read to the end: the client closes the file
    download = client.get(file_url)
    b"".join(download.streaming_content)
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in download["Content-Security-Policy"]


def test_a_file_that_is_not_a_pdf_is_never_shown_inline(client):
    course, instructor, milestone, teams = build(1)
    submission = teams[0].submissions.get()
    submission.content_type = "application/zip"
    submission.save()
    client.force_login(instructor)
    response = client.get(f"/courses/{course.code}/team/files/{submission.pk}/?view=inline")
    b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Frame-Options"] == "DENY"
    assert "iframe" not in client.get(url(milestone)).content.decode()


def test_save_and_next_grades_9_of_10_publishes_tells_the_team_and_moves_on(client):
    course, instructor, milestone, teams = build(2)
    client.force_login(instructor)
    response = client.post(
        url(milestone, teams[0]), post_data(teams[0], points="9", feedback="Solid plan.")
    )
    assert response.status_code == 302
    assert response["Location"] == url(milestone, teams[1])
    grade = MilestoneGrade.objects.get(milestone=milestone, team=teams[0])
    assert (grade.points, grade.feedback, grade.published) == (Decimal(9), "Solid plan.", True)
    members = {m.user for m in teams[0].members.all()}
    assert {n.user for n in GradeNotice.objects.all()} == members
    html = client.get(url(milestone, teams[0])).content.decode()
    assert "<strong>1 of 2</strong> · 1 team awaits a grade" in html
    assert "The team gets 9 / 10 after the late policy." in html


def test_a_members_adjustment_is_saved_with_its_reason_and_shown(client):
    course, instructor, milestone, teams = build(1)
    team = teams[0]
    ana, ben = [m.user for m in team.members.order_by("user__name")]
    client.force_login(instructor)
    data = post_data(team, points="8", save="1")
    data.pop("save_next")
    data |= {f"m{ben.pk}-delta": "-2", f"m{ben.pk}-reason": "Missed two meetings"}
    assert client.post(url(milestone, team), data).status_code == 302
    adjustment = MilestoneAdjustment.objects.get()
    assert (adjustment.student, adjustment.delta, adjustment.reason) == (
        ben, Decimal(-2), "Missed two meetings",
    )  # fmt: skip
    html = client.get(url(milestone, team)).content.decode()
    assert "<td>6 / 10</td>" in html and "<td>8 / 10</td>" in html
    # Clearing the row removes the adjustment.
    data |= {f"m{ben.pk}-delta": "", f"m{ben.pk}-reason": ""}
    client.post(url(milestone, team), data)
    assert not MilestoneAdjustment.objects.exists()


def test_bad_input_is_refused_next_to_its_field_and_what_was_typed_is_kept(client):
    course, instructor, milestone, teams = build(1)
    team = teams[0]
    ana = team.members.order_by("user__name").first().user
    client.force_login(instructor)
    data = post_data(team, points="90", feedback="A long paragraph of feedback.")
    data |= {f"m{ana.pk}-delta": "1", f"m{ana.pk}-override": "5"}
    response = client.post(url(milestone, team), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 10." in html
    assert "Add points or set them, not both." in html
    assert "A long paragraph of feedback." in html
    assert not MilestoneGrade.objects.exists()
    data = post_data(team, points="7") | {f"m{ana.pk}-delta": "1"}
    html = client.post(url(milestone, team), data).content.decode()
    assert "Say why: the student sees this reason." in html


def test_a_rubric_scores_each_criterion_and_the_points_are_their_sum(client):
    rubric = [
        {"criterion": "Problem", "points": "4", "description": "Is the problem clear?"},
        {"criterion": "Plan", "points": "6"},
    ]
    course, instructor, milestone, teams = build(1, rubric=rubric)
    team = teams[0]
    client.force_login(instructor)
    html = client.get(url(milestone, team)).content.decode()
    assert "out of 4: Is the problem clear?" in html and "out of 6" in html
    data = post_data(team, criterion_0="3.5", criterion_1="6", points="1")
    client.post(url(milestone, team), data)
    grade = MilestoneGrade.objects.get()
    assert grade.points == Decimal("9.5")  # the sum, not the typed 1
    assert grade.rubric_scores == {"Problem": "3.5", "Plan": "6"}
    # A criterion over its points, or one left blank, is refused at the criterion.
    html = client.post(
        url(milestone, team), post_data(team, criterion_0="5", criterion_1="1")
    ).content.decode()
    assert "Ensure this value is less than or equal to 4." in html
    html = client.post(url(milestone, team), post_data(team, criterion_0="2")).content.decode()
    assert "Score every criterion, or none to leave it ungraded." in html
    assert MilestoneGrade.objects.get().points == Decimal("9.5")


def test_another_courses_milestone_or_team_is_not_found(client):
    course, instructor, milestone, teams = build(1)
    _, _, other_milestone, other_teams = build(1, code="cse585-f25")
    client.force_login(instructor)
    assert client.get(url(other_milestone)).status_code == 404
    assert client.get(url(milestone, other_teams[0])).status_code == 404
    assert client.get(GRADE).status_code == 404
    assert client.get(f"{GRADE}?milestone=x").status_code == 404
    assert (
        client.post(
            url(milestone, other_teams[0]), post_data(other_teams[0], points="1")
        ).status_code
        == 404
    )
    assert not MilestoneGrade.objects.exists()


def test_the_milestone_grading_view_runs_the_same_queries_for_5_and_25_teams(client):
    counts = []
    for size in (5, 25):
        course, instructor, milestone, teams = build(size, code=f"q{size}")
        client.force_login(instructor)
        client.get(url(milestone, teams[2]))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(milestone, teams[2])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_waiting_for_you_links_into_the_milestone_queue(client):
    course, instructor, milestone, teams = build(2)
    client.force_login(instructor)
    html = client.get("/").content.decode()
    assert f'href="{GRADE}?milestone={milestone.pk}"' in html

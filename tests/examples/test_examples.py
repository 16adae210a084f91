"""The three seed courses ship as course files under examples/ and run on configuration alone.

People: each test makes its own members of the imported course; `student` may reach the
course's student pages, `staff` its staff pages.
"""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from courses.coursefile import export_course, export_data, import_course
from courses.models import Course, Membership, Reading, Role
from grading.models import GradeComponent
from projects.models import Milestone
from reviews.models import ReviewKind

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = {
    "ecs289d-f25": "ecs289d-f25.yaml",
    "cse585-f25": "cse585-f25.yaml",
    "omscs-sys-ml-f25": "omscs-seminar.yaml",
    "ecs289d-pref-f25": "ecs289d-by-preference.yaml",
}


def load(code):
    return import_course((EXAMPLES / FILES[code]).read_text()).course


@pytest.mark.django_db
@pytest.mark.parametrize("code", FILES)
def test_each_example_imports_with_the_management_command(code, capsys):
    call_command("import_course", str(EXAMPLES / FILES[code]))
    course = Course.objects.get(code=code)
    assert f"{code} created" in capsys.readouterr().out
    assert course.sessions.exists()
    assert ReviewKind.objects.filter(course=course).exists()
    assert (
        sum(c.weight for c in GradeComponent.objects.filter(course=course, is_bonus=False)) == 100
    )


@pytest.mark.django_db
@pytest.mark.parametrize("code", FILES)
def test_import_export_import_is_a_fixed_point(code):
    course = load(code)
    first = export_data(course)
    text = export_course(course)
    # The exported text, read back, is the same data, and importing it changes nothing.
    assert yaml.safe_load(text)["course"]["code"] == code
    result = import_course(text)
    assert result.created is False
    assert (result.sessions_added, result.sessions_removed) == (0, 0)
    assert (result.readings_added, result.readings_removed, result.readings_moved) == (0, 0, 0)
    assert export_data(Course.objects.get(code=code)) == first


@pytest.mark.django_db
@pytest.mark.parametrize("code", FILES)
def test_the_exported_file_builds_the_same_course_under_a_new_code(code):
    """A fresh import of the export (as clone and backups do) reproduces every section."""
    first = export_data(load(code))
    copy = import_course(export_course(Course.objects.get(code=code)), code="copy").course
    again = export_data(copy)
    again["course"]["code"] = code
    assert again == first


@pytest.mark.django_db
def test_ecs289d_has_its_grading_reviews_and_milestones():
    course = load("ecs289d-f25")
    weights = dict(GradeComponent.objects.filter(course=course).values_list("name", "weight"))
    assert weights == {
        "Project proposal": 1,
        "Mid-term report": 4,
        "Final presentation": 10,
        "Final report and code": 35,
        "Class presentation": 25,
        "Paper reviews": 15,
        "Class participation": 10,
        "Optional-reading reviews": 5,
    }
    kind = ReviewKind.objects.get(course=course)
    assert kind.name == "Paper review" and kind.counts_optional_as_bonus
    assert list(Milestone.objects.filter(course=course).values_list("name", flat=True)) == [
        "Project proposal",
        "Mid-term report",
        "Mid-quarter check-in",
        "Final presentation",
        "Final report and code",
    ]


@pytest.mark.django_db
def test_cse585_presents_by_groups_of_three_or_four_with_placeholder_papers():
    course = load("cse585-f25")
    # Seed 004's last slide: "Form groups of 3-4".
    assert course.presents_by_team and (course.team_min_size, course.team_max_size) == (3, 4)
    assert str(course.tz) == "America/Detroit"
    first = course.sessions.order_by("date").first()
    starts = first.starts_at().astimezone(course.tz)
    assert starts.isoformat() == "2025-08-26T10:30:00-04:00"
    assert {s.date.isoformat() for s in course.sessions.filter(kind="holiday")} == {
        "2025-10-14",
        "2025-11-27",
    }
    topics = list(course.sessions.exclude(topic="").values_list("topic", flat=True))
    counts = {t: topics.count(t) for t in topics}
    assert counts == {
        "Basics": 3,
        "Pre-Training": 4,
        "Post-Training": 2,
        "Inference": 5,
        "Agentic Systems": 2,
        "Hardware/Infrastructure": 1,
        "Power and Energy": 2,
        "Ethical Considerations": 1,
    }
    claimable = Reading.objects.filter(course=course, presented_by_instructor=False)
    assert claimable.count() == 17
    assert all(r.paper.is_placeholder for r in claimable.select_related("paper"))
    kinds = {k.name: k for k in ReviewKind.objects.filter(course=course)}
    assert kinds["Summary"].policy.describe() == "24 h after class starts"
    assert kinds["Question"].component.name == "Participation"
    weights = dict(GradeComponent.objects.filter(course=course).values_list("name", "weight"))
    assert weights == {
        "Paper summary": 15,
        "Paper presentation": 15,
        "Participation": 10,
        "Project report": 40,
        "Project presentations": 20,
    }
    due = {
        m.name: m.due_at.astimezone(course.tz).date().isoformat()
        for m in Milestone.objects.filter(course=course)
    }
    assert due == {
        "Group formed": "2025-09-04",
        "Proposal": "2025-09-18",
        "Mid-semester presentation": "2025-10-21",
        "Poster presentation": "2025-12-04",
        "Research paper": "2025-12-15",
    }


@pytest.mark.django_db
def test_omscs_runs_sixteen_weekly_online_sessions_without_claims_or_projects():
    course = load("omscs-sys-ml-f25")
    assert course.sessions.count() == 16
    assert course.location == "" and not course.sessions.exclude(course__location="").exists()
    assert not course.uses_claims and not course.uses_projects
    assert not Milestone.objects.filter(course=course).exists()
    kind = ReviewKind.objects.get(course=course)
    assert kind.name == "Discussion post"
    assert kind.readings == "all"


@pytest.fixture
def omscs(make_user):
    course = load("omscs-sys-ml-f25")
    student = make_user("omar@example.edu", "Omar Ortiz")  # a student of the OMSCS course
    staff = make_user("prof@example.edu", "Pat Prof")  # its instructor
    Membership.objects.create(user=student, course=course, role=Role.STUDENT)
    Membership.objects.create(user=staff, course=course, role=Role.INSTRUCTOR)
    return course, student, staff


@pytest.mark.django_db
def test_omscs_menu_has_no_claims_and_no_team_links(omscs, client):
    course, student, staff = omscs
    for user in (student, staff):
        client.force_login(user)
        html = client.get(f"/courses/{course.code}/").content.decode()
        assert f"/courses/{course.code}/reviews/" in html
        assert f"/courses/{course.code}/claims/" not in html
        assert f"/courses/{course.code}/team/" not in html
        assert f"/courses/{course.code}/teams/" not in html


@pytest.mark.django_db
def test_omscs_team_pages_are_not_found(omscs, client):
    course, student, staff = omscs
    client.force_login(student)
    assert client.get(f"/courses/{course.code}/team/").status_code == 404
    client.force_login(staff)
    assert client.get(f"/courses/{course.code}/teams/").status_code == 404


@pytest.mark.django_db
def test_omscs_has_no_claims_board(omscs, client):
    """A course without a claim window has no claims board at all."""
    course, student, _ = omscs
    client.force_login(student)
    response = client.get(f"/courses/{course.code}/claims/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Claim</button>" not in html and 'name="reading"' not in html


@pytest.mark.django_db
def test_the_preference_example_assigns_by_preference_with_its_window():
    course = load("ecs289d-pref-f25")
    assert (course.claims_mode, course.by_preference) == ("preferences", True)
    assert course.claims_open_at is None
    assert (
        course.preferences_close_at.astimezone(course.tz).strftime("%m-%d %H:%M") == "09-30 23:59"
    )
    assert (course.preferences_min_ranked, course.preferences_show_counts) == (5, True)
    claims = export_data(course)["course"]["claims"]
    assert claims["mode"] == "preferences" and claims["preferences"]["min_ranked"] == 5


@pytest.mark.django_db
def test_ecs289d_collects_presenter_feedback_without_grading_it():
    """Seed 000: the instructor grades the presentation; classmates' feedback is for the
    presenter (rubric of three 1-5 criteria, 3 responses needed) and feeds no component."""
    from feedback.models import FeedbackSettings
    from grading.engine import weights_problem

    course = import_course((EXAMPLES / "ecs289d-f25.yaml").read_text()).course
    rules = FeedbackSettings.objects.get(course=course)
    assert rules.enabled and rules.min_responses == 3
    assert [(c["key"], c["label"], c["scale"]) for c in rules.criteria] == [
        ("clarity", "Clarity", 5),
        ("depth", "Depth", 5),
        ("discussion", "Discussion", 5),
    ]
    assert (rules.opens, rules.closes_after_hours) == ("start", 48)
    assert not course.components.filter(source="feedback").exists()
    assert weights_problem(course, course.components.all()) is None

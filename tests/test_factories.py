"""The shared factories (tests/factories.py) make rows that agree with each other: what a
row belongs to follows the objects passed in, and a default author is a student of the
course. Nothing here is about the app; it keeps the factories honest."""

import ast
from datetime import date
from pathlib import Path

import pytest

from courses.models import Membership, Role
from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
APPS = ("seminar", "courses", "teams", "claims", "grading", "reviews", "projects")


def test_no_app_imports_the_factories_so_factory_boy_stays_a_dev_dependency():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                else:
                    continue
                found += [
                    f"{path.relative_to(ROOT)}: {name}"
                    for name in names
                    if name.split(".")[0] in ("tests", "factory")
                ]
    assert found == []


def test_a_default_reading_has_its_paper_and_session_in_one_course():
    reading = f.ReadingFactory()
    assert reading.paper.course == reading.session.course
    reading.refresh_from_db()
    assert reading.course_id == reading.session.course_id


def test_a_readings_paper_follows_the_session_passed_in(course):
    session = f.SessionFactory(course=course, date=date(2025, 10, 28))
    assert f.ReadingFactory(session=session).paper.course == course
    assert f.ReadingFactory(session__course=course).paper.course == course


def test_a_default_author_is_a_student_of_the_course(course):
    claim = f.ClaimFactory(reading__session__course=course)
    review = f.ReviewFactory(kind__course=course)
    score = f.ManualScoreFactory(component__course=course)
    for user in (claim.student, review.student, score.student):
        assert Membership.objects.get(user=user).course == course
        assert Membership.objects.get(user=user).role == Role.STUDENT
    assert claim.claimed_by == claim.student
    assert review.reading.course == course


def test_a_claim_or_review_by_team_is_held_by_a_team_of_the_course(course):
    claim = f.ClaimFactory(reading__session__course=course, by_team=True)
    review = f.ReviewFactory(kind__course=course, by_team=True)
    assert (claim.student, claim.team.course) == (None, course)
    assert (review.student, review.team.course) == (None, course)


def test_staff_roles_open_the_admin_and_students_do_not(course):
    ta = f.MembershipFactory(course=course, ta=True)
    instructor = f.MembershipFactory(course=course, instructor=True)
    student = f.MembershipFactory(course=course, student=True)
    assert (ta.role, instructor.role, student.role) == (Role.TA, Role.INSTRUCTOR, Role.STUDENT)
    assert (ta.user.is_staff, instructor.user.is_staff, student.user.is_staff) == (
        True,
        True,
        False,
    )


def test_a_user_signs_in_with_the_test_password_unless_told_none():
    user = f.UserFactory(email="Dana@Example.EDU")
    assert user.email == "dana@example.edu"
    assert user.check_password(f.PASSWORD)
    assert not f.UserFactory(password=None).has_usable_password()


def test_team_members_and_project_rows_stay_in_the_milestones_course(course, alice, bob):
    team = f.TeamFactory(course=course, members=[alice, bob])
    assert [m.user for m in team.members.all()] == [alice, bob]
    milestone = f.MilestoneFactory(course=course)
    submission = f.SubmissionFactory(milestone=milestone, pdf=True)
    grade = f.MilestoneGradeFactory(milestone=milestone, team=team)
    assert submission.team.course == course
    with submission.file.open("rb") as stored:
        assert stored.read() == f.PDF
    assert f.MilestoneAdjustmentFactory(grade=grade).student.memberships.get().course == course

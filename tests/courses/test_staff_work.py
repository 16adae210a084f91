"""What awaits the staff, on their dashboard and the admin's index, with counts and a
link into the work: reviews of a session with no points, team submissions with no
grade, presentations given without points. Students see none of it."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from tests import factories as f
from tests.factories import LA

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 11, 6, 9, 0, tzinfo=LA)  # after Tue Nov 4's class


@pytest.fixture
def waiting(course, instructor):
    kind = f.ReviewKindFactory(course=course)
    past = f.ReadingFactory(
        session__course=course, session__date=date(2025, 11, 4), paper__course=course
    )
    later = f.ReadingFactory(
        session__course=course, session__date=date(2025, 11, 20), paper__course=course
    )
    students = [f.MembershipFactory(course=course).user for _ in range(4)]
    for student in students[:3]:
        f.ReviewFactory(kind=kind, reading=past, student=student)
    f.ReviewFactory(kind=kind, reading=past, student=students[3], points=Decimal(1))  # graded
    f.ReviewFactory(kind=kind, reading=later, student=students[0])  # its session is to come
    milestone = f.MilestoneFactory(course=course, name="Project proposal")
    team = f.TeamFactory(course=course, members=students[:2])
    f.SubmissionFactory(milestone=milestone, team=team)
    f.ClaimFactory(course=course, reading=past, student=students[3])
    return past


def test_the_staff_dashboard_lists_what_awaits_them_with_links(login, instructor, waiting):
    with time_machine.travel(NOW, tick=False):
        html = login(instructor).get("/").content.decode()
    assert "Waiting for you" in html
    assert (
        f'<a href="/admin/reviews/review/grade/?session={waiting.session_id}">'
        "Grade: 3 reviews of Tue Nov 4</a>" in html
    )
    assert "Grade: Project proposal, 1 team</a>" in html
    assert "Grade: 1 presentation</a>" in html
    assert "Nothing is due. Enjoy the reading." not in html


def test_the_admin_index_lists_the_same(login, instructor, waiting):
    with time_machine.travel(NOW, tick=False):
        html = login(instructor).get("/admin/").content.decode()
    assert 'id="staff-work"' in html
    assert "Grade: 3 reviews of Tue Nov 4" in html


def test_students_and_other_courses_staff_see_none_of_it(login, alice, other_ta, waiting):
    with time_machine.travel(NOW, tick=False):
        assert "Waiting for you" not in login(alice).get("/").content.decode()
        assert "staff-work" not in login(other_ta).get("/admin/").content.decode()


def test_a_session_counts_from_its_own_day_in_the_course_time_zone(login, instructor, waiting):
    """Mon Nov 3, 6 PM in Los Angeles is already Nov 4 in UTC: Tuesday's reviews and
    presentation are not yet waiting."""
    with time_machine.travel(datetime(2025, 11, 3, 18, 0, tzinfo=LA), tick=False):
        html = login(instructor).get("/").content.decode()
    assert "Grade: 3 reviews" not in html and "presentation</a>" not in html

"""Milestones due relative to a session move when the session moves."""

from datetime import date, datetime, time

import pytest
from django.urls import reverse

from courses.coursefile import CourseFileError, sections
from courses.timing import end_of_minute as eom
from projects.models import Deliverable, Milestone, RelativeDue
from tests.conftest import LA
from tests.forms import resubmit


@pytest.fixture
def presentation(course, session):
    """Due when the Tue 2025-11-04 10:30 class starts."""
    milestone = Milestone(
        course=course,
        name="Final presentation",
        session=session,
        relative_kind=RelativeDue.AFTER,
        hours_after=0,
        deliverable=Deliverable.FILE,
    )
    milestone.full_clean()
    milestone.save()
    return milestone


# The milestone admin page's (empty) team extensions inline.
NO_EXTENSIONS = {"extensions-TOTAL_FORMS": "0", "extensions-INITIAL_FORMS": "0"}


def milestones_section():
    return next(s for s in sections() if s.key == "milestones")


def test_a_session_relative_milestone_is_due_by_the_sessions_clock(presentation):
    assert presentation.due_at == eom(datetime(2025, 11, 4, 10, 30, tzinfo=LA))


def test_the_night_before_rule_follows_dst(course, session):
    milestone = Milestone(
        course=course,
        name="Slides",
        session=session,
        relative_kind=RelativeDue.BEFORE,
        days_before=1,
        at_time=time(23, 59),
    )
    milestone.full_clean()
    assert milestone.due_at == eom(datetime(2025, 11, 3, 23, 59, tzinfo=LA))  # PST, after 11/2
    assert milestone.describe_due() == "11:59 PM the day before class on Tue Nov 4"


def test_moving_the_session_in_the_admin_moves_the_milestone(
    presentation, session, instructor, login
):
    response = resubmit(
        login(instructor),
        reverse("admin:courses_session_change", args=[session.pk]),
        date="2025-11-06",
        start_time="09:00",
    )
    assert response.status_code == 302
    presentation.refresh_from_db()
    assert presentation.due_at == eom(datetime(2025, 11, 6, 9, 0, tzinfo=LA))


def test_changing_the_course_start_time_in_the_admin_moves_the_milestone(
    course, presentation, instructor, login
):
    response = resubmit(
        login(instructor),
        reverse("admin:courses_course_change", args=[course.pk]),
        default_start_time="12:10",
    )
    assert response.status_code == 302
    presentation.refresh_from_db()
    assert presentation.due_at == eom(datetime(2025, 11, 4, 12, 10, tzinfo=LA))


def test_staff_create_a_session_relative_milestone_in_the_admin(login, course, instructor, session):
    response = login(instructor).post(
        reverse("admin:projects_milestone_add"),
        {
            "course": course.pk,
            "name": "Final presentation",
            "deliverable": "file",
            "late_policy": "no_credit",
            "late_penalty_pct": "0",
            "max_points": "100",
            "order": "0",
            "due_at_0": "",
            "due_at_1": "",
            "session": session.pk,
            "relative_kind": "after",
            "days_before": "0",
            "at_time": "23:59",
            "hours_after": "0",
            **NO_EXTENSIONS,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Milestone.objects.get().due_at == eom(datetime(2025, 11, 4, 10, 30, tzinfo=LA))


def test_a_milestone_without_due_time_or_session_is_refused(login, course, instructor):
    response = login(instructor).post(
        reverse("admin:projects_milestone_add"),
        {
            "course": course.pk,
            "name": "Whenever",
            "deliverable": "file",
            "late_policy": "no_credit",
            "late_penalty_pct": "0",
            "max_points": "100",
            "order": "0",
            "due_at_0": "",
            "due_at_1": "",
            "relative_kind": "after",
            "days_before": "0",
            "at_time": "23:59",
            "hours_after": "0",
        },
    )
    assert response.status_code == 200
    assert "Give a due time, or a session it is relative to." in response.content.decode()


def test_the_course_file_keeps_session_relative_milestones_relative(course, presentation):
    data = milestones_section().export(course)
    assert data[0]["session"] == "2025-11-04" and data[0]["hours_after"] == 0
    assert "due" not in data[0]
    presentation.delete()
    milestones_section().load(
        course,
        [
            {"name": "Final presentation", "session": date(2025, 11, 4), "hours_after": 0},
            {"name": "Slides", "session": "2025-11-04", "days_before": 1, "at": "23:59"},
        ],
    )
    due = dict(Milestone.objects.values_list("name", "due_at"))
    assert due == {
        "Final presentation": eom(datetime(2025, 11, 4, 10, 30, tzinfo=LA)),
        "Slides": eom(datetime(2025, 11, 3, 23, 59, tzinfo=LA)),
    }


def test_a_milestone_on_a_date_without_a_session_is_a_course_file_error(course, session):
    with pytest.raises(CourseFileError) as error:
        milestones_section().load(course, [{"name": "X", "session": "2025-11-05"}])
    assert error.value.path == "milestones[0].session"
    assert "no session on Wed 2025-11-05" in error.value.message


def test_versions_already_in_are_judged_again_when_the_due_time_moves(
    login, course, instructor, alice, team, presentation, session
):
    """A version handed in an hour after class started is late; move the session a day
    later and it is on time (and back); the staff's admin edit of a due time does the same."""
    from datetime import timedelta

    from projects.models import Submission

    version = Submission.objects.create(
        milestone=presentation,
        team=team,
        version=1,
        submitted_by=alice,
        submitted_at=datetime(2025, 11, 4, 11, 30, tzinfo=LA),  # an hour after class starts
        is_late=True,
        lateness=timedelta(hours=1),
        text="slides link",
    )
    response = resubmit(
        login(instructor),
        reverse("admin:courses_session_change", args=[session.pk]),
        date="2025-11-05",
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.is_late, version.lateness) == (False, None)

    presentation.refresh_from_db()
    presentation.session = None
    presentation.save()
    client = login(instructor)
    change = reverse("admin:projects_milestone_change", args=[presentation.pk])
    form = client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "session"}
    data.update(
        NO_EXTENSIONS,
        course=course.pk,
        due_at_0="2025-11-04",
        due_at_1="10:00",
        late_penalty_pct=data.get("late_penalty_pct", "0"),
    )
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    version.refresh_from_db()
    # 10:00 in the course's time zone (the form's zone) covers that minute: late from 10:01,
    # and the version came at 11:30.
    assert version.is_late and version.lateness == timedelta(minutes=89)

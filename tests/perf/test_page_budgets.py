"""Every page of the public interface runs the same number of queries whatever the
course size: built at 5 and at 25 students (tests/populated.py, the course the page
benchmark bench/pages.py builds too), each page is requested by the role that uses it and
the query counts must be equal.

The people: `student` presents a reading, is in a team and reviewed ten readings;
`instructor` and `ta` are the course staff; anonymous visitors see the public pages.
"""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.populated import build_course

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 25


def reviews_of(built):
    return built.course.components.get(source="reviews")


# (page, role, path built from a BuiltCourse) -- SPEC.md's Pages table plus the session page.
PAGES = [
    ("sign-in", "anonymous", lambda b: "/accounts/login/"),
    ("password reset", "anonymous", lambda b: "/accounts/password_reset/"),
    ("healthz", "anonymous", lambda b: "/healthz"),
    ("schedule", "anonymous", lambda b: f"/courses/{b.course.code}/"),
    ("schedule", "student", lambda b: f"/courses/{b.course.code}/"),
    ("session", "anonymous", lambda b: f"/courses/{b.course.code}/sessions/{b.session.pk}/"),
    ("session", "student", lambda b: f"/courses/{b.course.code}/sessions/{b.session.pk}/"),
    ("dashboard", "student", lambda b: "/"),
    ("dashboard", "instructor", lambda b: "/"),
    ("claims board", "student", lambda b: f"/courses/{b.course.code}/claims/"),
    ("claims board", "instructor", lambda b: f"/courses/{b.course.code}/claims/"),
    ("claims board, filtered", "student", lambda b: f"/courses/{b.course.code}/claims/?q=a&free=1"),
    ("my reviews", "student", lambda b: f"/courses/{b.course.code}/reviews/"),
    (
        "write a review",
        "student",
        lambda b: f"/courses/{b.course.code}/readings/{b.reading.pk}/review/",
    ),
    ("digest", "student", lambda b: f"/courses/{b.course.code}/readings/{b.presented.pk}/digest/"),
    (
        "digest",
        "instructor",
        lambda b: f"/courses/{b.course.code}/readings/{b.reading.pk}/digest/",
    ),
    ("team", "student", lambda b: f"/courses/{b.course.code}/team/"),
    ("grades", "student", lambda b: f"/courses/{b.course.code}/grades/"),
    ("gradebook", "instructor", lambda b: f"/courses/{b.course.code}/gradebook/"),
    ("gradebook", "ta", lambda b: f"/courses/{b.course.code}/gradebook/"),
    (
        "gradebook, reviews expanded",
        "instructor",
        lambda b: f"/courses/{b.course.code}/gradebook/?expand={reviews_of(b).pk}",
    ),
    ("gradebook csv", "instructor", lambda b: f"/courses/{b.course.code}/gradebook.csv"),
    (
        "gradebook csv, items",
        "instructor",
        lambda b: f"/courses/{b.course.code}/gradebook.csv?items=1",
    ),
    ("attendance", "student", lambda b: f"/courses/{b.course.code}/attendance/"),
    (
        "attendance, a session",
        "instructor",
        lambda b: f"/courses/{b.course.code}/attendance/?session={b.session.pk}",
    ),
    (
        "calendar feed",
        "anonymous",
        lambda b: f"/courses/{b.course.code}/calendar.ics?token={b.student.calendar_token}",
    ),
]


def queries_for(client, built, role, path_of) -> tuple[int, int]:
    client.logout()
    if role != "anonymous":
        client.force_login(getattr(built, role))
    path = path_of(built)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return len(queries)


@pytest.fixture
def courses(db):
    return build_course("budget-small", SMALL), build_course("budget-large", LARGE)


@pytest.mark.parametrize(
    ("page", "role", "path_of"), PAGES, ids=[f"{page} as {role}" for page, role, _ in PAGES]
)
def test_page_runs_the_same_number_of_queries_for_5_and_25_students(
    client, courses, page, role, path_of
):
    small, large = courses
    assert queries_for(client, small, role, path_of) == queries_for(client, large, role, path_of)


def by_preference(built):
    """``built``'s course assigning papers by preference, its window open, every student
    having ranked five readings."""
    from datetime import timedelta

    from django.utils import timezone

    from claims.models import Preference
    from courses.models import Membership, Reading

    course = built.course
    now = timezone.now()
    course.claims_mode = "preferences"
    course.preferences_open_at, course.preferences_close_at = (
        now - timedelta(days=1),
        now + timedelta(days=1),
    )
    course.preferences_show_counts = True
    course.save()
    readings = list(Reading.objects.claimable().filter(course=course).order_by("pk")[:5])
    Preference.objects.bulk_create(
        Preference(course=course, student_id=m.user_id, reading=r, rank=i, ranked_at=now)
        for m in Membership.objects.students().filter(course=course)
        for i, r in enumerate(readings, start=1)
    )
    return built


def with_a_check_in(built):
    """``built``'s session gets a check-in where every other student checked in, the others
    left to staff (one excused), and an attendance component."""
    from attendance.models import Attendance, CheckIn, Status
    from courses.models import Membership
    from grading.models import GradeComponent

    checkin = CheckIn.objects.create(session=built.session, code="HX7KP", opened_by=built.ta)
    students = list(
        Membership.objects.students().filter(course=built.course).values_list("user_id", flat=True)
    )
    Attendance.objects.bulk_create(
        Attendance(checkin=checkin, student_id=pk, status=Status.PRESENT, checked_in_at=None)
        for pk in students[::2]
    )
    Attendance.objects.create(
        checkin=checkin, student_id=students[1], status=Status.EXCUSED, corrected_by=built.ta
    )
    GradeComponent.objects.create(
        course=built.course, name="Attendance", weight=0, source="attendance", published=True
    )
    return built


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_the_preferences_page_runs_the_same_number_of_queries_for_5_and_25_students(
    client, courses, role
):
    small, large = (by_preference(built) for built in courses)

    def path_of(built):
        return f"/courses/{built.course.code}/preferences/"

    assert queries_for(client, small, role, path_of) == queries_for(client, large, role, path_of)


def test_an_allocations_review_runs_the_same_number_of_queries_for_5_and_25_students(
    client, courses
):
    from claims.preferences import allocation_run

    small, large = (by_preference(built) for built in courses)
    counts = []
    for built in (small, large):
        allocation = allocation_run(course=built.course, seed=1)
        built.instructor.is_staff = True  # admin access, as course staff have
        built.instructor.save(update_fields=["is_staff"])
        client.force_login(built.instructor)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/admin/claims/allocation/{allocation.pk}/review/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_board_with_swap_offers_runs_the_same_queries_for_5_and_25_students(client, courses):
    """Inside the claim window a presenter's board also reads their pending swaps."""
    import time_machine

    from claims.models import Claim, SwapProposal
    from tests.factories import LA

    counts = []
    with time_machine.travel(datetime(2025, 9, 26, 10, 0, tzinfo=LA), tick=False):
        for built in courses:
            mine = Claim.objects.active().filter(student=built.student).first()
            other = Claim.objects.active().filter(course=built.course).exclude(pk=mine.pk)[0]
            SwapProposal.objects.create(course=built.course, offered=mine, wanted=other)
            counts.append(
                queries_for(client, built, "student", lambda b: f"/courses/{b.course.code}/claims/")
            )
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("role", "path_of"),
    [
        ("instructor", lambda b: f"/courses/{b.course.code}/attendance/?session={b.session.pk}"),
        ("student", lambda b: f"/courses/{b.course.code}/grades/"),
        ("instructor", lambda b: f"/courses/{b.course.code}/gradebook/"),
    ],
    ids=["attendance roster", "grades with attendance", "gradebook with attendance"],
)
def test_attendance_pages_run_the_same_queries_for_5_and_25_students(
    client, courses, role, path_of
):
    small, large = (with_a_check_in(built) for built in courses)
    assert queries_for(client, small, role, path_of) == queries_for(client, large, role, path_of)


def with_a_panel(built):
    """``built``'s student's team is the reviewer group of ``built.session``, whose reading
    every student reviewed (5 or 25 reviews, questions gathered)."""
    from panels.models import ReviewerGroup
    from teams.models import TeamMember

    team = TeamMember.objects.get(course=built.course, user=built.student).team
    ReviewerGroup.objects.create(session=built.session, team=team)
    return built


def with_a_thread(built, posts):
    """``built``'s reading gets a thread whose posts count as its review, with ``posts``
    posts by students (every other one anonymous), each with a reply, the first pinned
    and endorsed; the student has read it once."""
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import Membership
    from discussions.models import Post, ThreadRule, ThreadVisit
    from reviews.models import ReviewKind

    kind = ReviewKind.objects.filter(course=built.course).first()
    ThreadRule.objects.create(course=built.course, kind=kind, counts_as_review=True)
    students = list(
        Membership.objects.students().filter(course=built.course).values_list("user_id", flat=True)
    )
    now = timezone.now()
    made = Post.objects.bulk_create(
        Post(reading=built.reading, author_id=students[i % len(students)], body=f"Post {i}",
             anonymous=i % 2 == 0, created_at=now - timedelta(hours=2, minutes=i))
        for i in range(posts)
    )  # fmt: skip
    Post.objects.bulk_create(
        Post(reading=built.reading, author_id=students[(i + 1) % len(students)], parent=post,
             body=f"Reply {i}", anonymous=True, created_at=now - timedelta(minutes=i))
        for i, post in enumerate(made)
    )  # fmt: skip
    Post.objects.filter(pk=made[0].pk).update(pinned=True, endorsed_by=built.ta, endorsed_at=now)
    ThreadVisit.objects.create(
        user=built.student, reading=built.reading, seen_at=now - timedelta(hours=1)
    )
    return built


@pytest.mark.parametrize(
    "path_of",
    [
        lambda b: f"/courses/{b.course.code}/readings/{b.reading.pk}/digest/",
        lambda b: f"/courses/{b.course.code}/team/",
    ],
    ids=["the reviewer's digest", "the reviewer's team page"],
)
def test_a_reviewer_groups_pages_run_the_same_queries_for_5_and_25_students(
    client, courses, path_of
):
    small, large = (with_a_panel(built) for built in courses)
    assert queries_for(client, small, "student", path_of) == queries_for(
        client, large, "student", path_of
    )


def with_feedback(built):
    """``built``'s course (its file collects presenter feedback) gets a response from every
    student but the presenter on the reading ``student`` presents, and a component fed by
    it. Returns the instants: the window open, and closed."""
    from feedback.models import FeedbackResponse, FeedbackSettings
    from grading.models import GradeComponent

    rules = FeedbackSettings.objects.get(course=built.course)
    session = built.presented.session
    session.course = built.course
    opened = rules.opens_at(session)
    students = student_ids(built)
    FeedbackResponse.objects.bulk_create(
        FeedbackResponse(
            reading=built.presented, student_id=pk, comment=f"Comment {pk}",
            ratings={"clarity": 4, "depth": 3, "discussion": 5},
            submitted_at=opened, updated_at=opened,
        )
        for pk in students
        if pk != built.student.pk
    )  # fmt: skip
    GradeComponent.objects.create(
        course=built.course, name="Feedback", weight=0, source="feedback", published=True
    )
    return built, opened, rules.closes_at(session)


def student_ids(built):
    from courses.models import Membership

    return list(
        Membership.objects.students().filter(course=built.course).values_list("user_id", flat=True)
    )


def a_classmate(built):
    return next(pk for pk in student_ids(built) if pk != built.student.pk)


@pytest.mark.parametrize(
    ("when", "role", "path_of"),
    [
        ("open", "classmate", lambda b: f"/courses/{b.course.code}/readings/{b.presented.pk}/feedback/"),
        ("closed", "student", lambda b: f"/courses/{b.course.code}/readings/{b.presented.pk}/feedback/"),
        ("open", "instructor", lambda b: f"/courses/{b.course.code}/readings/{b.presented.pk}/feedback/"),
        ("open", "classmate", lambda b: f"/courses/{b.course.code}/feedback/"),
        ("closed", "instructor", lambda b: f"/courses/{b.course.code}/feedback/"),
        ("open", "classmate", lambda b: "/"),
        ("open", "student", lambda b: "/"),
        ("closed", "student", lambda b: f"/courses/{b.course.code}/grades/"),
        ("closed", "instructor", lambda b: f"/courses/{b.course.code}/gradebook/"),
    ],
    ids=[
        "feedback form, a classmate",
        "feedback aggregate, the presenter",
        "feedback responses, staff",
        "feedback overview, a classmate",
        "feedback overview, staff",
        "dashboard with give feedback",
        "dashboard with the presenter's feedback",
        "grades with feedback",
        "gradebook with feedback",
    ],
)  # fmt: skip
def test_feedback_pages_run_the_same_queries_for_5_and_25_students_and_responses(
    client, courses, when, role, path_of
):
    import time_machine
    from django.contrib.auth import get_user_model

    counts = []
    for built in courses:
        built, opened, closed = with_feedback(built)
        if role == "classmate":
            built.classmate = get_user_model().objects.get(pk=a_classmate(built))
        instant = opened if when == "open" else closed
        with time_machine.travel(
            instant + (timedelta(hours=1) if when == "open" else timedelta(minutes=1)), tick=False
        ):
            counts.append(queries_for(client, built, role, path_of))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("role", "path_of"),
    [
        ("student", lambda b: f"/courses/{b.course.code}/readings/{b.reading.pk}/discussion/"),
        ("instructor", lambda b: f"/courses/{b.course.code}/readings/{b.reading.pk}/discussion/"),
        ("student", lambda b: f"/courses/{b.course.code}/discussion/"),
        ("instructor", lambda b: f"/courses/{b.course.code}/readings/{b.reading.pk}/digest/"),
    ],
    ids=["thread as a student", "thread as staff", "list of threads", "digest with a thread"],
)
def test_discussion_pages_run_the_same_queries_for_5_and_25_posts(client, courses, role, path_of):
    small, large = (with_a_thread(built, built.students) for built in courses)
    assert queries_for(client, small, role, path_of) == queries_for(client, large, role, path_of)

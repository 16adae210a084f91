"""When a grade or feedback is published, its student (or each team member) is told once:
an email through the outbox (unless the course turns it off) and "new" on their pages
until they have seen it. A grade published twice tells once."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail

from grading.models import GradeNotice
from reviews.models import Review
from tests import factories as f
from tests.reviews.test_grade_queue import GRADE, build

pytestmark = pytest.mark.django_db


def publish_component(course):
    course.components.update(published=True)


def grade(client, reading, review, **data):
    return client.post(
        f"{GRADE}?reading={reading.pk}&review={review.pk}",
        {"points": "9", "feedback": "Clear.", "publish": "on", "save": "1", **data},
    )


def test_publishing_a_review_grade_tells_its_author_once(client):
    course, instructor, reading, reviews = build(2)
    f.GradeComponentFactory(course=course, weight=100, source="reviews", published=True)
    reviews[0].kind.component = course.components.get()
    reviews[0].kind.save()
    client.force_login(instructor)
    grade(client, reading, reviews[0])
    (email,) = mail.outbox
    assert email.to == [reviews[0].student.email]
    assert email.subject == f"{course.code}: Your Paper review of “FlashInfer” was graded"
    grade(client, reading, reviews[0], points="10")  # re-graded and saved again
    assert len(mail.outbox) == 1
    assert GradeNotice.objects.filter(user=reviews[0].student).count() == 1


def test_nothing_is_told_while_the_student_cannot_see_the_grade(client):
    course, instructor, reading, reviews = build(1)  # no published component
    client.force_login(instructor)
    grade(client, reading, reviews[0], publish="")  # points only, feedback kept private
    assert mail.outbox == [] and not GradeNotice.objects.exists()
    grade(client, reading, reviews[0])  # now the feedback is published
    assert len(mail.outbox) == 1


def test_a_course_can_turn_the_email_off_and_keep_the_new_marks(client):
    course, instructor, reading, reviews = build(1)
    course.email_grades = False
    course.save()
    client.force_login(instructor)
    grade(client, reading, reviews[0])
    assert mail.outbox == []
    assert GradeNotice.objects.filter(user=reviews[0].student, seen_at=None).count() == 1


def test_new_shows_on_the_reviews_list_until_seen(client):
    course, instructor, reading, reviews = build(1)
    client.force_login(instructor)
    grade(client, reading, reviews[0])
    client.force_login(reviews[0].student)
    first = client.get(f"/courses/{course.code}/reviews/").content.decode()
    again = client.get(f"/courses/{course.code}/reviews/").content.decode()
    assert '<span class="badge text-bg-info">new</span>' in first
    assert '<span class="badge text-bg-info">new</span>' not in again


def test_new_shows_on_the_grades_page_until_seen(client):
    course, instructor, reading, reviews = build(1)
    component = f.GradeComponentFactory(course=course, weight=100, source="reviews", published=True)
    kind = reviews[0].kind
    kind.component = component
    kind.save()
    client.force_login(instructor)
    grade(client, reading, reviews[0])
    client.force_login(reviews[0].student)
    first = client.get(f"/courses/{course.code}/grades/").content.decode()
    again = client.get(f"/courses/{course.code}/grades/").content.decode()
    assert '<span class="badge text-bg-info">new</span>' in first
    assert '<details class="mt-1" open>' in first  # the item is shown, not folded away
    assert '<span class="badge text-bg-info">new</span>' not in again


def test_publishing_milestone_grades_tells_each_member_once(client, course, instructor):
    members = [f.MembershipFactory(course=course).user for _ in range(2)]
    team = f.TeamFactory(course=course, members=members)
    milestone = f.MilestoneFactory(course=course, name="Proposal")
    grade = f.MilestoneGradeFactory(milestone=milestone, team=team, points=Decimal(90))
    client.force_login(instructor)
    for _ in range(2):  # published twice
        client.post(
            "/admin/projects/milestonegrade/",
            {"action": "publish", "_selected_action": [grade.pk]},
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members)
    assert all(m.subject.endswith(f"Proposal of {team.name} was graded") for m in mail.outbox)


def test_the_course_file_carries_email_grades_and_refuses_a_non_flag(course):
    import yaml

    from courses.coursefile import CourseFileError, export_course, import_course

    course.email_grades = False
    course.save()
    course.refresh_from_db()
    data = yaml.safe_load(export_course(course))
    assert data["course"]["email_grades"] is False
    data["course"]["email_grades"] = True
    import_course(yaml.safe_dump(data))
    course.refresh_from_db()
    assert course.email_grades is True
    data["course"]["email_grades"] = "sometimes"
    with pytest.raises(CourseFileError) as refused:
        import_course(yaml.safe_dump(data))
    assert refused.value.path == "course.email_grades"


def test_full_credit_in_bulk_tells_each_author_once(client):
    course, instructor, reading, reviews = build(3)
    component = f.GradeComponentFactory(course=course, weight=100, source="reviews", published=True)
    kind = reviews[0].kind
    kind.component = component
    kind.save()
    early = datetime(2025, 10, 1, tzinfo=UTC)  # on time: full credit applies to on-time only
    Review.objects.filter(pk__in=[r.pk for r in reviews]).update(
        submitted_at=early, first_submitted_at=early
    )
    client.force_login(instructor)
    for _ in range(2):  # the action run twice
        client.post(
            "/admin/reviews/review/",
            {"action": "full_credit_on_time", "_selected_action": [r.pk for r in reviews]},
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.student.email for r in reviews)

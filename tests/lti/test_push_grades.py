"""Assignment and Grade Services: `push_grades CODE` and the admin's button send each
published component and the final grade to the platform's gradebook, the numbers the
gradebook and its CSV show, once; failures are retried and reported per student."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from grading.canvas import canvas_rows
from grading.engine import compute_gradebook
from lti.grades import grades_push
from lti.models import LineItem, PlatformUser, ScorePost
from tests.factories import GradeComponentFactory, ManualScoreFactory


@pytest.fixture
def graded(linked, people, client, course, alice, bob):
    """Participation (60%, published: Alice 90, Bob not graded yet), Project (40%,
    published: Alice 50, Bob 80), and Hidden (unpublished): its scores never leave Seminar.
    Alice and Bob are known to the platform as p-alice and p-bob."""
    participation = GradeComponentFactory(
        course=course, name="Participation", weight=Decimal(60), published=True
    )
    project = GradeComponentFactory(
        course=course, name="Project", weight=Decimal(40), published=True
    )
    hidden = GradeComponentFactory(course=course, name="Hidden", weight=Decimal(0), published=False)
    ManualScoreFactory(component=participation, student=alice, points=Decimal(90))
    ManualScoreFactory(component=project, student=alice, points=Decimal(50))
    ManualScoreFactory(component=project, student=bob, points=Decimal(80))
    ManualScoreFactory(component=hidden, student=alice, points=Decimal(10))
    PlatformUser.objects.create(platform=people.registered, sub="p-alice", user=alice)
    PlatformUser.objects.create(platform=people.registered, sub="p-bob", user=bob)
    people.tool_key_set = client.get("/lti/jwks/").json()
    return linked


def test_one_line_item_per_published_component_and_the_final_grade(graded, people):
    result = grades_push(link=graded)
    assert result.failures == []
    assert sorted(i["label"] for i in people.lineitems.values()) == [
        "Participation",
        "Project",
        "Seminar final grade",
    ]
    assert {i["label"]: i["scoreMaximum"] for i in people.lineitems.values()} == {
        "Participation": 60.0,
        "Project": 40.0,
        "Seminar final grade": 100.0,
    }
    book = people.gradebook()
    assert book["Participation"] == {"p-alice": 54.0, "p-bob": 0.0}
    assert book["Project"] == {"p-alice": 20.0, "p-bob": 32.0}
    assert book["Seminar final grade"] == {"p-alice": 74.0, "p-bob": 32.0}


def test_the_numbers_are_the_gradebook_csv_numbers(graded, people, course):
    grades_push(link=graded)
    rows = canvas_rows(compute_gradebook(course, published_only=True))
    by_email = {row[3]: row for row in rows[2:]}
    header = rows[0]
    book = people.gradebook()
    for email, sub in (("alice@example.edu", "p-alice"), ("bob@example.edu", "p-bob")):
        for name in ("Participation", "Project"):
            assert Decimal(by_email[email][header.index(name)]) == Decimal(str(book[name][sub]))
        assert Decimal(by_email[email][header.index("Final Score")]) == Decimal(
            str(book["Seminar final grade"][sub])
        )


def test_each_score_says_its_maximum_time_and_progress(graded, people):
    grades_push(link=graded)
    item = next(i for i in people.lineitems.values() if i["label"] == "Participation")
    bob = people.scores[item["id"]]["p-bob"]
    assert bob["scoreMaximum"] == 60.0
    assert bob["gradingProgress"] == "PendingManual"  # no score yet: awaits a grade
    assert bob["activityProgress"] == "Completed"
    assert "T" in bob["timestamp"]
    alice = people.scores[item["id"]]["p-alice"]
    assert alice["gradingProgress"] == "FullyGraded"


def test_posting_twice_changes_nothing(graded, people):
    first = grades_push(link=graded)
    posts = people.score_posts
    book = people.gradebook()
    second = grades_push(link=graded)
    assert (first.posted, second.posted, second.unchanged) == (6, 0, 6)
    assert people.score_posts == posts
    assert people.gradebook() == book
    assert len(people.lineitems) == 3  # reused, not made again
    assert second.line_items_created == 0


def test_a_changed_grade_is_posted_again_alone(graded, people, alice):
    grades_push(link=graded)
    score = alice.manual_scores.get(component__name="Project")
    score.points = Decimal(100)
    score.save()
    result = grades_push(link=graded)
    assert result.posted == 2  # her project and her final grade
    assert people.gradebook()["Project"]["p-alice"] == 40.0


def test_line_items_made_by_a_lost_push_are_found_not_duplicated(graded, people):
    grades_push(link=graded)
    LineItem.objects.all().delete()  # Seminar forgot them; the LMS has them
    result = grades_push(link=graded)
    assert result.line_items_created == 0
    assert len(people.lineitems) == 3


def test_a_failing_score_is_retried(graded, people, settings):
    settings.LTI_HTTP_RETRIES = 3
    people.fail_scores = {"p-bob": 2}  # two hiccups, then it goes through
    result = grades_push(link=graded)
    assert result.failures == []
    assert people.gradebook()["Project"]["p-bob"] == 32.0


def test_a_score_that_keeps_failing_is_reported_per_student_and_fails_the_command(
    graded, people, settings, capsys
):
    settings.LTI_HTTP_RETRIES = 2
    people.fail_scores = {"p-bob": 100}
    with pytest.raises(CommandError, match="3 scores were not accepted"):
        call_command("push_grades", "ecs289d-f25")
    err = capsys.readouterr().err
    assert "failed: bob@example.edu, Participation: HTTP response" in err
    assert people.gradebook()["Project"]["p-alice"] == 20.0  # the others went on
    # Nothing is remembered for Bob: the next push sends his scores.
    people.fail_scores = {}
    call_command("push_grades", "ecs289d-f25")
    assert people.gradebook()["Project"]["p-bob"] == 32.0


def test_a_platform_that_is_down_fails_the_command_and_posts_nothing(graded, people):
    people.down = True
    with pytest.raises(CommandError, match="no score was posted"):
        call_command("push_grades", "ecs289d-f25")
    assert not ScorePost.objects.exists()
    assert not LineItem.objects.exists()


def test_students_the_platform_does_not_know_are_named(graded, people, make_user, course):
    from courses.models import Membership

    carol = make_user("carol@example.edu", "Carol")
    Membership.objects.create(course=course, user=carol)
    result = grades_push(link=graded)
    assert result.not_on_platform == ["carol@example.edu"]
    assert "carol@example.edu" in result.summary()


def test_a_course_whose_lms_offers_no_grade_service_is_an_error(graded):
    graded.ags_scopes = []
    graded.save()
    with pytest.raises(CommandError, match="did not offer grade passback"):
        call_command("push_grades", "ecs289d-f25")


def test_the_admin_button_pushes_and_reports(graded, client, instructor, people):
    client.force_login(instructor)
    response = client.post(
        "/admin/lti/contextlink/",
        {"action": "push_grades", "_selected_action": [graded.pk]},
        follow=True,
    )
    assert b"Test LMS, ecs289d-f25: 6 scores posted" in response.content
    assert people.gradebook()["Seminar final grade"] == {"p-alice": 74.0, "p-bob": 32.0}


def test_the_admin_button_lists_each_failed_student(graded, client, instructor, people, settings):
    settings.LTI_HTTP_RETRIES = 1
    people.fail_scores = {"p-bob": 100}
    client.force_login(instructor)
    response = client.post(
        "/admin/lti/contextlink/",
        {"action": "push_grades", "_selected_action": [graded.pk]},
        follow=True,
    )
    assert b"3 failed (see below)" in response.content
    assert b"Not accepted: bob@example.edu, Project: HTTP response" in response.content


def test_a_column_deleted_in_the_lms_is_made_again_with_every_score(graded, people):
    grades_push(link=graded)
    project = next(i for i in list(people.lineitems.values()) if i["label"] == "Project")
    del people.lineitems[project["id"]]  # staff deleted the column in the LMS
    people.scores.pop(project["id"])
    result = grades_push(link=graded)
    assert result.line_items_created == 1
    assert result.failures == []
    assert people.gradebook()["Project"] == {"p-alice": 20.0, "p-bob": 32.0}
    assert people.gradebook()["Seminar final grade"] == {"p-alice": 74.0, "p-bob": 32.0}
    assert len(people.lineitems) == 3
    assert (result.posted, result.unchanged) == (2, 4)

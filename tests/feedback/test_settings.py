"""A course's presenter feedback settings (rubric, responses needed, window, comment limit):
the course file's "presenter_feedback" section and the admin. People: see conftest.py."""

import json

import pytest

from courses.coursefile import CourseFileError, export_data, import_course
from feedback.models import FeedbackSettings
from tests.courses.test_coursefile import EXAMPLES

pytestmark = pytest.mark.django_db

ECS289D = (EXAMPLES / "ecs289d-f25.yaml").read_text()
START = ECS289D.index("presenter_feedback:\n")


def with_section(text):
    """The example with its presenter_feedback section (the file's last) replaced."""
    return ECS289D[:START] + text


def test_the_example_sets_them_and_exports_them_back():
    course = import_course(ECS289D).course
    exported = export_data(course)["presenter_feedback"]
    assert exported["min_responses"] == 3 and exported["opens"] == "start"
    assert [c["key"] for c in exported["rubric"]] == ["clarity", "depth", "discussion"]
    assert exported["rubric"][0]["description"].startswith("Was the talk easy to follow")
    import_course(
        with_section(
            "presenter_feedback:\n"
            "  rubric:\n  - {key: insight, label: Insight, scale: 7}\n"
            "  min_responses: 5\n  opens: end\n  closes_after_hours: 24\n"
            "  comment_max_length: 300\n"
        )
    )
    rules = FeedbackSettings.objects.get(course=course)
    assert rules.criteria == [{"key": "insight", "label": "Insight", "scale": 7}]
    assert (rules.min_responses, rules.opens, rules.closes_after_hours) == (5, "end", 24)
    assert rules.comment_max_length == 300 and rules.enabled


def test_an_empty_section_turns_feedback_on_with_the_defaults():
    course = import_course(with_section("presenter_feedback:\n")).course
    rules = FeedbackSettings.objects.get(course=course)
    assert rules.enabled and rules.min_responses == 3 and rules.closes_after_hours == 48
    assert [c["label"] for c in rules.criteria] == ["Clarity", "Depth", "Discussion"]


def test_leaving_the_section_out_keeps_what_the_course_has_and_off_turns_it_off():
    course = import_course(ECS289D).course
    import_course(with_section(""))
    assert FeedbackSettings.objects.get(course=course).enabled
    import_course(with_section("presenter_feedback:\n  enabled: false\n"))
    assert not FeedbackSettings.objects.get(course=course).enabled
    assert export_data(course)["presenter_feedback"]["enabled"] is False


def test_a_course_that_never_had_feedback_exports_no_section():
    course = import_course(with_section("")).course
    assert "presenter_feedback" not in export_data(course)
    assert not FeedbackSettings.of(course).is_on


@pytest.mark.parametrize(
    ("section", "path", "message"),
    [
        ("presenter_feedback:\n  min_responses: 0\n", "presenter_feedback.min_responses", "at least 1"),
        ("presenter_feedback:\n  min_responses: 99\n", "presenter_feedback.min_responses", "less than or equal to 50"),
        ("presenter_feedback:\n  opens: noon\n", "presenter_feedback.opens", "'noon' is not one of: start, end"),
        ("presenter_feedback:\n  closes_after_hours: 1000\n", "presenter_feedback.closes_after_hours", "less than or equal to 720"),
        ("presenter_feedback:\n  comment_max_length: 10\n", "presenter_feedback.comment_max_length", "greater than or equal to 100"),
        ("presenter_feedback:\n  window: 2\n", "presenter_feedback.window", "unknown field"),
        ("presenter_feedback:\n  rubric:\n  - {key: clarity, label: Clarity, scale: 1}\n", "presenter_feedback.rubric[0].scale", "at least 2"),
        ("presenter_feedback:\n  rubric:\n  - {key: clarity, label: Clarity, scale: 11}\n", "presenter_feedback.rubric", "2 to 10"),
        ("presenter_feedback:\n  rubric:\n  - {key: Clarity!, label: Clarity}\n", "presenter_feedback.rubric", "lower-case letters"),
        ("presenter_feedback:\n  rubric:\n  - {key: a, label: A}\n  - {key: a, label: B}\n", "presenter_feedback.rubric", "appears twice"),
        ("presenter_feedback:\n  rubric:\n  - {label: Clarity}\n", "presenter_feedback.rubric[0].key", "needs a key"),
        ("presenter_feedback:\n  rubric: []\n", "presenter_feedback.rubric", "at least one criterion"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_at_their_key(section, path, message):
    with pytest.raises(CourseFileError) as caught:
        import_course(with_section(section))
    assert caught.value.path == path, caught.value
    assert message in caught.value.message, caught.value.message
    assert caught.value.line is not None


def test_staff_set_them_in_the_admin_for_their_own_courses_only(
    client, course, other_course, instructor
):
    client.force_login(instructor)
    add = "/admin/feedback/feedbacksettings/add/"
    form = client.get(add).context["adminform"].form
    assert list(form.fields["course"].queryset) == [course]
    rubric = json.dumps([{"key": "clarity", "label": "Clarity", "scale": 5}])
    data = {
        "enabled": "on",
        "rubric": rubric,
        "min_responses": 2,
        "opens": "end",
        "closes_after_hours": 24,
        "comment_max_length": 500,
    }
    assert client.post(add, {"course": course.pk, **data}).status_code == 302
    assert FeedbackSettings.objects.get(course=course).min_responses == 2
    refused = client.post(add, {"course": other_course.pk, **data})
    assert refused.status_code == 200  # "select a valid choice"
    assert not FeedbackSettings.objects.filter(course=other_course).exists()
    change = f"/admin/feedback/feedbacksettings/{FeedbackSettings.objects.get().pk}/change/"
    bad = json.dumps([{"key": "clarity", "label": "Clarity", "scale": 12}])
    response = client.post(change, {**data, "rubric": bad})
    assert response.status_code == 200
    assert "the scale must be 2 to 10" in response.content.decode()
    assert FeedbackSettings.objects.get().criteria[0]["scale"] == 5


def test_the_staff_see_who_wrote_what_in_the_admin_but_cannot_change_it(
    client, instructor, page, give, alice
):
    response = give(alice, 4, 3, 5, "Nice pacing.")
    client.force_login(instructor)
    listing = client.get("/admin/feedback/feedbackresponse/").content.decode()
    assert "Alice Archer" in listing and "Nice pacing." in listing
    change = f"/admin/feedback/feedbackresponse/{response.pk}/change/"
    assert client.get(change).status_code == 200
    client.post(change, {"comment": "Edited by staff."})
    response.refresh_from_db()
    assert response.comment == "Nice pacing."

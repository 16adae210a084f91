"""The "discussions" section of the course file and the settings in the admin."""

import pytest
import yaml

from courses.coursefile import CourseFileError, export_data, import_course
from discussions.models import DiscussionSettings, ThreadRule

pytestmark = pytest.mark.django_db

FILE = """
course: {code: sem-f25, title: Seminar, term: Fall 2025, time_zone: America/New_York}
sessions:
- date: 2025-09-03
  title: One
  readings: [{title: Paper A}]
- date: 2025-09-10
  title: Two
  readings: [{title: Paper B}]
review_kinds:
- name: Discussion post
  prompts: [{key: post, label: Your post, required: true}]
"""


def load(extra: str):
    return import_course(FILE + extra).course


def test_the_section_sets_the_rules_and_the_threads():
    course = load(
        """
discussions:
  see_after_posting: true
  edit_minutes: 15
  max_length: 2000
  anonymous: false
  review_kinds: [{kind: discussion-post, counts_as_review: true}]
  sessions: [2025-09-10]
"""
    )
    settings = DiscussionSettings.objects.get(course=course)
    assert (settings.see_after_posting, settings.edit_minutes, settings.max_length) == (
        True, 15, 2000,
    )  # fmt: skip
    assert settings.allow_anonymous is False
    rules = {(r.kind and r.kind.slug, r.session and str(r.session.date), r.counts_as_review)
             for r in ThreadRule.objects.filter(course=course)}  # fmt: skip
    assert rules == {("discussion-post", None, True), (None, "2025-09-10", False)}
    exported = export_data(course)["discussions"]
    assert exported == {
        "see_after_posting": True,
        "edit_minutes": 15,
        "max_length": 2000,
        "anonymous": False,
        "review_kinds": [{"kind": "discussion-post", "counts_as_review": True}],
        "sessions": ["2025-09-10"],
    }


def test_a_course_without_threads_exports_no_section():
    assert "discussions" not in export_data(load(""))


def test_importing_again_replaces_the_rules_and_leaving_the_section_out_keeps_them():
    load("discussions:\n  sessions: [2025-09-03, 2025-09-10]\n")
    course = load("discussions:\n  review_kinds: [{kind: Discussion post}]\n")
    assert [r.kind.slug for r in ThreadRule.objects.filter(course=course)] == ["discussion-post"]
    course = load("")
    assert ThreadRule.objects.filter(course=course).count() == 1


@pytest.mark.parametrize(
    ("section", "where", "message"),
    [
        ("review_kinds: [{kind: essay}]", "discussions.review_kinds[0].kind", "no review kind"),
        ("sessions: [2025-09-17]", "discussions.sessions[0]", "no single session on 2025-09-17"),
        ("max_length: 20", "discussions.max_length", "greater than or equal to 100"),
        ("edit_minutes: 2000", "discussions.edit_minutes", "less than or equal to 1440"),
        ("anonymous: maybe", "discussions.anonymous", "must be true or false"),
        ("sessions: [2025-09-03, 2025-09-03]", "discussions.sessions[1]", "listed twice"),
    ],
)
def test_a_bad_section_is_refused_where_it_is_wrong(section, where, message):
    with pytest.raises(CourseFileError) as caught:
        load("discussions:\n  " + section + "\n")
    assert caught.value.path == where
    assert message in caught.value.message


def test_a_team_kind_cannot_count_posts_as_reviews():
    text = FILE.replace("- name: Discussion post", "- name: Discussion post\n  written_by: team")
    with pytest.raises(CourseFileError, match="each student writes"):
        import_course(
            text
            + "discussions:\n  review_kinds: [{kind: discussion-post, counts_as_review: true}]\n"
        )


def test_the_export_reimports_to_the_same_course():
    course = load(
        "discussions:\n  review_kinds: [{kind: discussion-post, counts_as_review: true}]\n"
    )
    data = export_data(course)
    again = import_course(yaml.safe_dump(data, allow_unicode=True), code="copy").course
    copy = export_data(again)["discussions"]
    assert copy == data["discussions"]


def test_staff_change_the_settings_and_the_threads_in_the_admin(client, course, instructor):
    from tests import factories as f

    kind = f.ReviewKindFactory(course=course)
    client.force_login(instructor)
    response = client.post(
        "/admin/discussions/discussionsettings/add/",
        {"course": course.pk, "see_after_posting": "on", "edit_minutes": 10, "max_length": 800,
         "allow_anonymous": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert DiscussionSettings.objects.get(course=course).max_length == 800
    response = client.post(
        "/admin/discussions/threadrule/add/",
        {"course": course.pk, "kind": kind.pk, "counts_as_review": "on"},
    )
    assert response.status_code == 302
    assert ThreadRule.objects.get(course=course).counts_as_review
    # Both a kind and a session: refused.
    session = f.SessionFactory(course=course)
    response = client.post(
        "/admin/discussions/threadrule/add/",
        {"course": course.pk, "kind": kind.pk, "session": session.pk},
    )
    assert response.status_code == 200
    assert "Choose a review kind or a session, not both." in response.content.decode()


def test_a_reading_with_posts_is_not_dropped_by_an_import_but_one_only_read_is():
    from django.utils import timezone

    from courses.models import Reading
    from discussions.models import Post, ThreadVisit
    from tests import factories as f

    course = load("discussions:\n  sessions: [2025-09-03, 2025-09-10]\n")
    reader = f.MembershipFactory(course=course).user
    a = Reading.objects.get(course=course, paper__title="Paper A")
    b = Reading.objects.get(course=course, paper__title="Paper B")
    Post.objects.create(reading=a, author=reader, body="Kept.", created_at=timezone.now())
    ThreadVisit.objects.create(reading=b, user=reader, seen_at=timezone.now())
    without_a = FILE.replace("  readings: [{title: Paper A}]\n", "")
    with pytest.raises(CourseFileError, match="work attached"):
        import_course(without_a)
    without_b = FILE.replace("  readings: [{title: Paper B}]\n", "")
    import_course(without_b)
    assert not Reading.objects.filter(pk=b.pk).exists()

"""Presenter feedback (SPEC, Participation): classmates rate a presentation on the course's
rubric in its window; the presenters read only the aggregate and the comments, after the
window closes and with enough responses; staff see everything. People: see conftest.py."""

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags

from courses.models import Membership
from feedback.models import FeedbackResponse, FeedbackSettings
from tests.factories import ClaimFactory, ReadingFactory, TeamFactory
from tests.feedback.conftest import AFTER, BEFORE, IN_CLASS, LAST_MINUTE, OPEN, answers

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's text, without its tags, spaces collapsed."""
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def html_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


def main_of(response):
    html = response.content.decode()
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


# ------------------------------------------------------------------ classmates give feedback


def test_a_classmate_gives_feedback_in_the_window(client, page, alice, reading, at):
    at(OPEN)
    client.force_login(alice)
    shown = text_of(client.get(page))
    # The window, in the course's zone, on the page.
    assert "Opens Tue Nov 4, 10:30 AM PST (when class starts)" in shown
    assert "closes Thu Nov 6, 11:50 AM PST" in shown
    assert "open now" in shown
    response = client.post(page, answers())
    assert response.status_code == 302
    saved = FeedbackResponse.objects.get(reading=reading, student=alice)
    assert saved.ratings == {"clarity": 4, "depth": 5, "discussion": 3}
    assert saved.comment == "Clear slides; more on the evaluation."
    assert saved.submitted_at == saved.updated_at == timezone.now()
    after = text_of(client.get(response["Location"]))
    assert "Thank you: your feedback is saved" in after
    assert "You gave feedback Wed Nov 5, 9:00 AM PST" in after
    assert 'value="4" autocomplete="off" checked' in client.get(page).content.decode()


def test_feedback_is_editable_until_the_window_closes_and_stays_one_response(
    client, page, alice, reading, at
):
    at(OPEN)
    client.force_login(alice)
    client.post(page, answers())
    at(LAST_MINUTE)  # 11:50:59 covers the closing minute
    assert client.post(page, answers(clarity="2", comment="On second thought.")).status_code == 302
    saved = FeedbackResponse.objects.get(reading=reading, student=alice)
    assert saved.ratings["clarity"] == 2 and saved.comment == "On second thought."
    assert saved.submitted_at == OPEN and saved.updated_at == LAST_MINUTE
    assert FeedbackResponse.objects.filter(reading=reading, student=alice).count() == 1


def test_the_database_keeps_one_response_per_student_and_presentation(give, alice):
    give(alice, 4, 4, 4)
    with pytest.raises(IntegrityError), transaction.atomic():
        give(alice, 1, 1, 1)


def test_late_feedback_is_refused_with_a_clear_message_and_the_text_kept(
    client, page, alice, reading, at
):
    at(AFTER)
    client.force_login(alice)
    response = client.post(page, answers(comment="A thoughtful late note."))
    assert response.status_code == 400
    shown = text_of(response)
    assert "Feedback on this presentation closed Thu Nov 6, 11:50 AM PST" in shown
    assert "what you typed is kept below" in shown
    assert ">A thoughtful late note.</textarea>" in response.content.decode()
    assert 'value="4" autocomplete="off" checked' in response.content.decode()
    assert not FeedbackResponse.objects.exists()


def test_a_late_answer_is_told_the_window_closed_even_with_a_rating_missing(
    client, page, alice, at
):
    at(AFTER)
    client.force_login(alice)
    data = answers(comment="Half done.")
    del data["rating_depth"]
    response = client.post(page, data)
    assert response.status_code == 400
    assert "Feedback on this presentation closed Thu Nov 6, 11:50 AM PST" in text_of(response)
    assert ">Half done.</textarea>" in response.content.decode()


def test_a_late_edit_changes_nothing(client, page, alice, give, at):
    give(alice, 4, 4, 4, "First thoughts.")
    at(AFTER)
    client.force_login(alice)
    assert client.post(page, answers(clarity="1", comment="Changed.")).status_code == 400
    kept = FeedbackResponse.objects.get()
    assert kept.ratings["clarity"] == 4 and kept.comment == "First thoughts."
    # The closed page shows what was given, read-only.
    shown = text_of(client.get(page))
    assert "First thoughts." in shown and "<form" not in main_of(client.get(page))


def test_feedback_before_the_window_opens_is_refused(client, page, alice, at):
    at(BEFORE)
    client.force_login(alice)
    assert "opens Tue Nov 4, 10:30 AM PST" in text_of(client.get(page))
    assert "<textarea" not in main_of(client.get(page))  # nothing to fill in yet
    response = client.post(page, answers(comment="Too early."))
    assert response.status_code == 400
    assert "opens Tue Nov 4, 10:30 AM PST" in text_of(response)
    assert ">Too early.</textarea>" in response.content.decode()
    assert not FeedbackResponse.objects.exists()


def test_the_window_can_open_when_class_ends(client, page, alice, rules, at):
    rules.opens = "end"
    rules.save()
    at(IN_CLASS)
    client.force_login(alice)
    assert client.post(page, answers()).status_code == 400
    assert "opens Tue Nov 4, 11:50 AM PST" in text_of(client.get(page))
    at(IN_CLASS.replace(hour=11, minute=50))
    assert client.post(page, answers()).status_code == 302


def test_the_window_length_is_the_courses(client, page, alice, rules, at):
    rules.closes_after_hours = 2
    rules.save()
    at(IN_CLASS.replace(hour=13, minute=50, second=59))
    client.force_login(alice)
    assert client.post(page, answers()).status_code == 302
    at(IN_CLASS.replace(hour=13, minute=51))
    assert client.post(page, answers()).status_code == 400


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("clarity", "why"),
    [("0", "below"), ("6", "above"), ("", "missing"), ("four", "not a number"), ("4.5", "part")],
)
def test_a_rating_out_of_range_or_missing_is_refused_next_to_the_field_with_the_text_kept(
    client, page, alice, at, clarity, why
):
    at(OPEN)
    client.force_login(alice)
    data = answers(clarity=clarity, comment="Keep me.")
    if clarity == "":
        del data["rating_clarity"]
    response = client.post(page, data)
    assert response.status_code == 400, why
    html = response.content.decode()
    error = re.search(r'id="rating_clarity-error">([^<]*)<', html)
    assert error and error.group(1) == "Choose a rating for Clarity from 1 to 5."
    assert 'aria-describedby="rating_clarity-error"' in html
    assert ">Keep me.</textarea>" in html
    assert 'id="rating_depth-5" value="5" autocomplete="off" checked' in html  # kept too
    assert not FeedbackResponse.objects.exists()


def test_a_comment_over_the_courses_limit_is_refused_with_its_length_and_kept(
    client, page, alice, rules, at
):
    rules.comment_max_length = 100
    rules.save()
    at(OPEN)
    client.force_login(alice)
    long = "x" * 101
    response = client.post(page, answers(comment=long))
    assert response.status_code == 400
    assert "Keep the comment to 100 characters (it has 101)." in text_of(response)
    assert f">{long}</textarea>" in response.content.decode()
    assert client.post(page, answers(comment="x" * 100)).status_code == 302


def test_html_in_a_comment_is_shown_as_text(client, page, alice, bob, carol, pat, give, at):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    for student in (alice, bob, carol):
        give(student, 4, 4, 4, script)
    at(AFTER)
    for user in (pat, alice):
        client.force_login(user)
        html = client.get(page).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# ------------------------------------------------------------------ who rates


def test_a_presenter_never_rates_their_own_presentation(client, page, pat, at):
    at(OPEN)
    client.force_login(pat)
    shown = client.get(page)
    assert shown.status_code == 200 and "<form" not in main_of(shown)
    assert "Presenters do not rate their own presentation." in text_of(shown)
    assert client.post(page, answers()).status_code == 404
    assert not FeedbackResponse.objects.exists()


def test_the_service_refuses_a_presenter_too(reading, rules, claim, pat):
    from feedback.presentations import presentations
    from feedback.services import FeedbackError, feedback_give

    (presentation,) = presentations([reading.course], rules_of=lambda c: rules)
    with pytest.raises(FeedbackError, match="presenters do not rate"):
        feedback_give(
            presentation=presentation,
            rules=rules,
            student=pat,
            ratings={"clarity": 5, "depth": 5, "discussion": 5},
            comment="",
            now=OPEN,
        )


def test_in_a_team_course_no_member_of_the_presenting_team_rates_it(
    client, course, reading, rules, alice, bob, carol, at
):
    course.presents_by = "team"
    course.save()
    team = TeamFactory(course=course, name="Flash", created_by=alice, members=[alice, bob])
    ClaimFactory(course=course, reading=reading, by_team=True, team=team)
    page = f"/courses/{course.code}/readings/{reading.pk}/feedback/"
    at(OPEN)
    for member in (alice, bob):
        client.force_login(member)
        assert "Feedback on your presentation" in text_of(client.get(page))
        assert client.post(page, answers()).status_code == 404
    client.force_login(carol)
    assert client.post(page, answers()).status_code == 302
    assert list(FeedbackResponse.objects.values_list("student", flat=True)) == [carol.pk]


def test_only_the_courses_current_students_rate(
    client, page, instructor, ta, charlie, alice, course, at
):
    at(OPEN)
    for staff in (instructor, ta):
        client.force_login(staff)
        assert client.post(page, answers()).status_code == 404
    client.force_login(charlie)
    assert client.get(page).status_code == 404
    assert client.post(page, answers()).status_code == 404
    Membership.objects.filter(course=course, user=alice).update(dropped_at=OPEN)
    client.force_login(alice)
    assert client.post(page, answers()).status_code == 404
    assert not FeedbackResponse.objects.exists()


def test_a_reading_nobody_presents_has_no_feedback(client, course, session, rules, alice, at):
    unclaimed = ReadingFactory(session=session, order=7)
    at(OPEN)
    client.force_login(alice)
    page = f"/courses/{course.code}/readings/{unclaimed.pk}/feedback/"
    assert client.get(page).status_code == 404


def test_a_course_without_presenter_feedback_has_no_pages(client, page, alice, rules, course, at):
    rules.enabled = False
    rules.save()
    at(OPEN)
    client.force_login(alice)
    assert client.get(page).status_code == 404
    assert client.get(f"/courses/{course.code}/feedback/").status_code == 404
    FeedbackSettings.objects.all().delete()
    assert client.get(page).status_code == 404


def test_another_courses_reading_is_404(client, page, alice, other_course, at):
    from tests.factories import SessionFactory

    theirs = ReadingFactory(session=SessionFactory(course=other_course))
    ClaimFactory(course=other_course, reading=theirs)
    FeedbackSettings.objects.create(course=other_course)
    at(OPEN)
    client.force_login(alice)
    code = page.split("/")[2]
    assert client.get(f"/courses/{code}/readings/{theirs.pk}/feedback/").status_code == 404
    assert (
        client.post(f"/courses/{code}/readings/{theirs.pk}/feedback/", answers()).status_code == 404
    )
    assert not FeedbackResponse.objects.exists()


# ------------------------------------------------------------------ what the presenter sees

RATINGS = {  # each classmate's own ratings differ from every mean below
    "alice": (5, 1, 4, "Great demo."),
    "bob": (1, 5, 4, "Slides were dense."),
    "carol": (3, 3, 1, ""),
}


@pytest.fixture
def three(give, alice, bob, carol):
    people = {"alice": alice, "bob": bob, "carol": carol}
    for name, (c, d, x, comment) in RATINGS.items():
        give(people[name], c, d, x, comment)
    return people


def test_the_presenter_sees_nothing_before_the_window_closes(client, page, pat, three, at):
    at(LAST_MINUTE)
    client.force_login(pat)
    response = client.get(page)
    shown = text_of(response)
    assert "shows here after the window closes (Thu Nov 6, 11:50 AM PST)" in shown
    assert "Great demo." not in shown and "Slides were dense." not in shown
    assert response.context["summary"] is None


def test_the_presenter_sees_nothing_with_fewer_than_the_courses_minimum(
    client, page, pat, give, alice, bob, rules, at
):
    give(alice, 5, 5, 5, "Great demo.")
    give(bob, 4, 4, 4, "Good.")
    at(AFTER)
    client.force_login(pat)
    response = client.get(page)
    assert "Fewer than 3 classmates gave feedback" in text_of(response)
    assert "Great demo." not in text_of(response) and response.context["summary"] is None
    rules.min_responses = 2
    rules.save()
    assert "Great demo." in text_of(client.get(page))


def test_the_presenter_sees_the_aggregate_and_anonymous_comments_after_the_window(
    client, page, pat, three, at
):
    at(AFTER)
    client.force_login(pat)
    response = client.get(page)
    shown = text_of(response)
    assert "3 classmates answered · overall 3.0 / 5" in shown
    means = re.findall(
        r"<span>(\w+)</span><span><strong>([\d.]+)</strong> / 5</span>", html_of(response)
    )
    assert means == [("Clarity", "3.0"), ("Depth", "3.0"), ("Discussion", "3.0")]
    # Comments in the order of their text, not of who wrote them or when.
    assert shown.index("Great demo.") < shown.index("Slides were dense.")
    assert "Comments (2)" in shown


def test_the_presenter_never_learns_who_wrote_what_or_any_single_rating(
    client, page, pat, three, at
):
    at(AFTER)
    client.force_login(pat)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    html = main_of(response)
    for person in three.values():
        assert person.name not in html and person.email not in html
    # No single classmate's ratings: none of their (clarity, depth, discussion) shows up,
    # only the means (3.0 each).
    assert re.findall(r"<strong>([\d.]+)</strong>", html) == ["3.0", "3.0", "3.0"]
    assert "responses" not in response.context
    # What the page read of the responses: ratings and comments, never their authors.
    reads = [q["sql"] for q in queries.captured_queries if "feedback_feedbackresponse" in q["sql"]]
    assert reads and all('"student_id"' not in sql.split(" FROM ")[0] for sql in reads)
    assert all("seminar_user" not in sql for sql in reads)


def test_staff_see_every_response_with_its_author_at_any_time(
    client, page, instructor, ta, three, at
):
    at(OPEN)  # before the window closes too
    for staff in (instructor, ta):
        client.force_login(staff)
        response = client.get(page)
        shown = text_of(response)
        for name in ("Alice Archer", "Bob Baker", "Carol Cho"):
            assert name in shown
        assert "Great demo." in shown and "Slides were dense." in shown
        row = re.search(r"Alice Archer</th>(.*?)</tr>", html_of(response)).group(1)
        assert re.findall(r'<td class="text-end">(\d)</td>', row) == ["5", "1", "4"]


# ------------------------------------------------------------------ finding it


def test_the_overview_lists_presentations_with_what_each_student_can_do(
    client, course, page, pat, alice, give, instructor, at
):
    at(OPEN)
    overview = f"/courses/{course.code}/feedback/"
    client.force_login(alice)
    assert "Give feedback" in text_of(client.get(overview))
    give(alice, 4, 4, 4)
    shown = text_of(client.get(overview))
    assert "Edit your feedback" in shown and "given" in shown
    client.force_login(pat)
    shown = text_of(client.get(overview))
    assert "your presentation" in shown and "Give feedback" not in shown
    at(AFTER)
    assert "Read the feedback" in text_of(client.get(overview))
    client.force_login(instructor)
    shown = text_of(client.get(overview))
    assert "1 response" in shown and "overall 4.0 / 5" in shown
    assert "Pat Presenter" in shown


def test_the_dashboard_says_give_feedback_while_the_window_is_open(
    client, page, alice, pat, give, reading, at
):
    at(BEFORE)
    client.force_login(alice)
    assert "Give feedback" not in text_of(client.get("/"))
    at(OPEN)
    shown = text_of(client.get("/"))
    assert f"Give feedback: {reading.paper.title}" in shown
    assert page in client.get("/").content.decode()
    client.force_login(pat)
    assert "Feedback on your presentation (shown after it closes)" in text_of(client.get("/"))
    assert "Give feedback" not in text_of(client.get("/"))
    give(alice, 4, 4, 4)
    client.force_login(alice)
    assert "Give feedback" not in text_of(client.get("/"))  # done
    at(AFTER)
    client.force_login(pat)
    assert "Feedback on your presentation" not in text_of(client.get("/"))


def test_the_session_page_links_the_feedback_for_members(
    client, page, course, session, alice, rules
):
    url = f"/courses/{course.code}/sessions/{session.pk}/"
    assert page not in client.get(url).content.decode()  # anonymous
    client.force_login(alice)
    assert page in client.get(url).content.decode()
    rules.enabled = False
    rules.save()
    assert page not in client.get(url).content.decode()

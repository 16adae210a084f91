"""Threads per reading: who reads them, posting and replying, bad input, Markdown, editing
within the window, endorsing and pinning, "new" replies and the list of threads."""

from datetime import timedelta

import pytest
from django.urls import reverse

from discussions.models import Post, ThreadVisit
from tests import factories as f
from tests.discussions.conftest import BEFORE_DUE

pytestmark = pytest.mark.django_db


def post(client, page, body, **extra):
    return client.post(page, {"body": body, **extra})


def make_post(reading, author, body="A first thought.", **fields):
    fields.setdefault("created_at", BEFORE_DUE)
    return Post.objects.create(reading=reading, author=author, body=body, **fields)


# ------------------------------------------------------------------- who reads


def test_a_reading_without_a_thread_answers_404(login, alice, reading, thread_page):
    assert login(alice).get(thread_page).status_code == 404


@pytest.mark.usefixtures("session_threads")
def test_students_and_staff_of_the_course_read_the_thread_and_no_one_else(
    client, login, alice, ta, charlie, thread_page
):
    assert client.get(thread_page).status_code == 302  # anonymous: the sign-in page
    assert login(charlie).get(thread_page).status_code == 404  # another course's student
    assert login(alice).get(thread_page).status_code == 200
    assert login(ta).get(thread_page).status_code == 200


@pytest.mark.usefixtures("session_threads")
def test_a_thread_on_a_session_covers_only_that_sessions_readings(login, alice, course, reading):
    other_session = f.SessionFactory(course=course, date=reading.session.date + timedelta(days=7))
    elsewhere = f.ReadingFactory(session=other_session, paper=f.PaperFactory(course=course))
    client = login(alice)
    assert (
        client.get(f"/courses/{course.code}/readings/{reading.pk}/discussion/").status_code == 200
    )
    assert (
        client.get(f"/courses/{course.code}/readings/{elsewhere.pk}/discussion/").status_code == 404
    )


# ------------------------------------------------------------------- posting


@pytest.mark.usefixtures("session_threads")
def test_a_student_posts_and_the_post_is_in_the_thread(login, alice, at, thread_page, reading):
    at(BEFORE_DUE)
    client = login(alice)
    response = post(client, thread_page, "FlashInfer's **block-sparse** format is the key.")
    assert response.status_code == 302
    saved = Post.objects.get(reading=reading)
    assert response["Location"].endswith(f"#post-{saved.pk}")
    assert (saved.author, saved.anonymous, saved.parent, saved.created_at) == (
        alice, False, None, BEFORE_DUE,
    )  # fmt: skip
    page = client.get(thread_page).content.decode()
    assert "<strong>block-sparse</strong>" in page
    assert "1</strong> post" in page


@pytest.mark.usefixtures("session_threads")
@pytest.mark.parametrize("body", ["", "   ", " \n\t \r\n "])
def test_an_empty_or_blank_post_is_refused_next_to_the_field(login, alice, thread_page, body):
    response = post(login(alice), thread_page, body)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="post-error"' in page and "the post is empty" in page
    assert 'aria-invalid="true"' in page
    assert not Post.objects.exists()


@pytest.mark.usefixtures("session_threads")
def test_a_post_over_the_courses_limit_says_so_and_keeps_the_text(login, alice, rules, thread_page):
    rules.max_length = 100
    rules.save()
    text = "Long thought. " * 10  # 140 characters
    response = post(login(alice), thread_page, text)
    assert response.status_code == 400
    page = response.content.decode()
    assert "140 characters long; this course allows at most 100" in page
    assert text.strip() in page  # the text is kept in the box
    assert not Post.objects.exists()


@pytest.mark.usefixtures("session_threads")
def test_markdown_is_rendered_and_html_never_runs(login, alice, bob, thread_page):
    body = (
        "# Big idea\n\n<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) and [paper](https://arxiv.org/abs/2501.01005)"
    )
    post(login(alice), thread_page, body)
    page = login(bob).get(thread_page).content.decode()
    assert "<script>alert(1)" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
    assert 'href="javascript:' not in page
    assert 'href="https://arxiv.org/abs/2501.01005" rel="noopener noreferrer"' in page
    assert "<h3>Big idea</h3>" in page  # under the page's own headings


@pytest.mark.usefixtures("session_threads")
def test_a_reply_goes_under_its_post_and_a_reply_to_a_reply_under_the_same_post(
    login, alice, bob, reading, thread_page
):
    first = make_post(reading, alice)
    client = login(bob)
    post(client, thread_page, "I disagree.", parent=first.pk)
    reply = Post.objects.get(parent=first)
    post(client, thread_page, "And more.", parent=reply.pk)
    assert Post.objects.filter(parent=first).count() == 2
    page = client.get(thread_page).content.decode()
    assert page.index(f'id="post-{first.pk}"') < page.index(f'id="post-{reply.pk}"')
    assert "2</strong> replies" in page


@pytest.mark.usefixtures("session_threads")
def test_a_reply_to_a_post_of_another_thread_answers_404(
    login, alice, bob, course, reading, thread_page
):
    from tests.factories import PaperFactory, ReadingFactory

    other = ReadingFactory(session=reading.session, paper=PaperFactory(course=course), order=2)
    elsewhere = make_post(other, alice)
    assert post(login(bob), thread_page, "Hi", parent=elsewhere.pk).status_code == 404
    assert not Post.objects.filter(parent=elsewhere).exists()


# ------------------------------------------------------------- anonymity


@pytest.mark.usefixtures("session_threads")
def test_an_anonymous_post_hides_the_name_from_classmates_not_from_staff(
    login, alice, bob, ta, thread_page, reading
):
    post(login(alice), thread_page, "My anonymous view.", anonymous="on")
    assert Post.objects.get(reading=reading).anonymous
    as_bob = login(bob).get(thread_page).content.decode()
    assert "My anonymous view." in as_bob
    assert "Alice" not in as_bob and "alice@" not in as_bob
    assert "Anonymous 1" in as_bob
    as_alice = login(alice).get(thread_page).content.decode()
    assert "You (anonymous to classmates)" in as_alice
    as_ta = login(ta).get(thread_page).content.decode()
    assert "Alice Archer (anonymous to classmates)" in as_ta


@pytest.mark.usefixtures("session_threads")
def test_one_anonymous_classmate_keeps_one_number_through_the_thread(
    login, alice, bob, instructor, course, reading, thread_page
):
    from tests.factories import MembershipFactory

    carol = MembershipFactory(course=course, user__name="Carol Cho").user
    first = make_post(reading, alice, anonymous=True)
    make_post(reading, carol, "Second.", anonymous=True, parent=first)
    make_post(reading, alice, "Third.", anonymous=True, parent=first)
    page = login(bob).get(thread_page).content.decode()
    assert page.count("Anonymous 1") == 3  # Alice's post and reply, and the reply link
    assert page.count("Anonymous 2") == 1


@pytest.mark.usefixtures("session_threads")
def test_a_course_can_refuse_anonymous_posts_and_staff_never_post_anonymously(
    login, alice, ta, rules, thread_page
):
    response = post(login(ta), thread_page, "From staff.", anonymous="on")
    assert response.status_code == 400 and "never anonymously" in response.content.decode()
    rules.allow_anonymous = False
    rules.save()
    client = login(alice)
    assert "anonymously" not in client.get(thread_page).content.decode()
    response = post(client, thread_page, "Hidden?", anonymous="on")
    assert response.status_code == 400
    assert "does not take anonymous posts" in response.content.decode()
    assert not Post.objects.exists()


# ------------------------------------------------- see others only after posting


@pytest.mark.usefixtures("session_threads")
def test_see_others_only_after_posting_hides_every_body_until_the_student_posts(
    login, alice, bob, ta, rules, reading, thread_page, course
):
    rules.see_after_posting = True
    rules.save()
    alices = make_post(reading, alice, "Alice's secret insight.")
    client = login(bob)
    page = client.get(thread_page).content.decode()
    assert "secret insight" not in page
    assert "1 classmate posted here" in page
    # Not by replying, not by the edit page, not by the moderation address.
    response = post(client, thread_page, "Peeking.", parent=alices.pk)
    assert response.status_code == 400 and "you can reply once you have posted" in (
        response.content.decode()
    )
    assert "secret insight" not in response.content.decode()
    edit = reverse("discussions:post_edit", args=[course.code, alices.pk])
    assert client.get(edit).status_code == 404
    moderate = reverse("discussions:post_moderate", args=[course.code, alices.pk])
    assert client.post(moderate, {"action": "endorse"}).status_code == 404
    # Staff read everything at once; Bob once he has posted.
    assert "secret insight" in login(ta).get(thread_page).content.decode()
    client = login(bob)
    post(client, thread_page, "My own view.")
    assert "secret insight" in client.get(thread_page).content.decode()


# ------------------------------------------------------------------- editing


@pytest.mark.usefixtures("session_threads")
def test_the_author_edits_within_the_window_and_not_after(
    login, alice, at, reading, course, thread_page
):
    at(BEFORE_DUE)
    mine = make_post(reading, alice, "Frist.")
    edit = reverse("discussions:post_edit", args=[course.code, mine.pk])
    client = login(alice)
    at(BEFORE_DUE + timedelta(minutes=30))  # the last minute of the default 30
    assert "Edit" in client.get(thread_page).content.decode()
    assert client.post(edit, {"body": "First."}).status_code == 302
    mine.refresh_from_db()
    assert (mine.body, mine.edited_at) == ("First.", BEFORE_DUE + timedelta(minutes=30))
    at(BEFORE_DUE + timedelta(minutes=30, seconds=1))
    assert f'href="{edit}"' not in client.get(thread_page).content.decode()
    response = client.post(edit, {"body": "Changed again."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "that time has passed" in page and "Changed again." in page  # the text is kept
    mine.refresh_from_db()
    assert mine.body == "First."


@pytest.mark.usefixtures("session_threads")
def test_an_edit_to_an_empty_text_is_refused_with_the_post_unchanged(
    login, alice, at, reading, course
):
    at(BEFORE_DUE)
    mine = make_post(reading, alice, "Keep me.")
    edit = reverse("discussions:post_edit", args=[course.code, mine.pk])
    response = login(alice).post(edit, {"body": "  "})
    assert response.status_code == 400 and 'id="edit-error"' in response.content.decode()
    mine.refresh_from_db()
    assert mine.body == "Keep me."


@pytest.mark.usefixtures("session_threads")
def test_nobody_but_the_author_reaches_a_posts_edit_page(login, alice, bob, ta, reading, course):
    mine = make_post(reading, alice)
    edit = reverse("discussions:post_edit", args=[course.code, mine.pk])
    assert login(bob).get(edit).status_code == 404
    assert login(ta).get(edit).status_code == 404
    assert login(bob).post(edit, {"body": "Hijack."}).status_code == 404
    mine.refresh_from_db()
    assert mine.body == "A first thought."


# ------------------------------------------------------------ endorse and pin


@pytest.mark.usefixtures("session_threads")
def test_staff_endorse_and_pin_and_students_cannot(
    login, alice, bob, ta, at, reading, course, thread_page
):
    at(BEFORE_DUE)
    older = make_post(reading, bob, "Older post.")
    mine = make_post(reading, alice, "Pin-worthy.", created_at=BEFORE_DUE + timedelta(hours=1))
    moderate = reverse("discussions:post_moderate", args=[course.code, mine.pk])
    assert login(alice).post(moderate, {"action": "pin"}).status_code == 404
    staff = login(ta)
    assert staff.post(moderate, {"action": "endorse"}).status_code == 302
    assert staff.post(moderate, {"action": "pin"}).status_code == 302
    mine.refresh_from_db()
    assert (mine.endorsed_by, mine.endorsed_at, mine.pinned) == (ta, BEFORE_DUE, True)
    page = login(bob).get(thread_page).content.decode()
    assert "Endorsed by staff" in page and "Pinned" in page
    assert page.index("Pin-worthy.") < page.index("Older post.")  # pinned first
    login(ta).post(moderate, {"action": "unendorse"})
    mine.refresh_from_db()
    assert mine.endorsed_by is None
    reply = make_post(reading, bob, "A reply.", parent=older)
    pin_reply = reverse("discussions:post_moderate", args=[course.code, reply.pk])
    login(ta).post(pin_reply, {"action": "pin"})
    reply.refresh_from_db()
    assert not reply.pinned  # only posts are pinned


# ------------------------------------------------------------- new, and the list


@pytest.mark.usefixtures("session_threads")
def test_posts_since_the_last_visit_are_marked_new(
    login, alice, bob, at, reading, course, thread_page
):
    at(BEFORE_DUE)
    first = make_post(reading, alice)
    client = login(bob)
    client.get(thread_page)  # Bob reads the thread
    assert ThreadVisit.objects.get(user=bob, reading=reading).seen_at == BEFORE_DUE
    at(BEFORE_DUE + timedelta(hours=1))
    make_post(
        reading, alice, "Fresh reply.", parent=first, created_at=BEFORE_DUE + timedelta(minutes=5)
    )
    listing = client.get(f"/courses/{course.code}/discussion/").content.decode()
    assert "1 new" in listing
    page = client.get(thread_page).content.decode()
    assert "1 new" in page and page.count(">New<") == 1
    assert ">New<" not in client.get(thread_page).content.decode()  # seen now


@pytest.mark.usefixtures("session_threads")
def test_the_list_shows_each_thread_with_its_counts(login, alice, bob, reading, course):
    first = make_post(reading, alice)
    make_post(reading, bob, "Reply.", parent=first)
    page = login(alice).get(f"/courses/{course.code}/discussion/").content.decode()
    assert reading.paper.title in page
    assert "1 post · 1 reply" in page and "you posted" in page
    assert "Discussion" in page  # the menu item of a course with threads


def test_a_course_without_threads_has_no_menu_item_and_an_empty_list(login, alice, course):
    page = login(alice).get(f"/courses/{course.code}/discussion/").content.decode()
    assert "no discussion threads yet" in page
    schedule = login(alice).get(f"/courses/{course.code}/reviews/").content.decode()
    assert "/discussion/" not in schedule

"""New-reply emails (once, through the outbox and the task queue) and anonymity: no name of
an anonymous author reaches a classmate through any page, feed, email or CSV."""

import pytest
from django.core import mail
from django.urls import reverse

from courses.models import OutgoingEmail
from discussions.models import Post, ReplyNotice
from discussions.services import _tell_of_reply
from tests import factories as f
from tests.discussions.conftest import AFTER_DUE, BEFORE_DUE

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("session_threads")
def test_a_reply_emails_the_posts_author_once_through_the_outbox(
    login, alice, bob, at, reading, thread_page
):
    at(BEFORE_DUE)
    first = Post.objects.create(reading=reading, author=alice, body="Mine.", created_at=BEFORE_DUE)
    login(bob).post(thread_page, {"body": "A good point.", "parent": first.pk})
    reply = Post.objects.get(parent=first)
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["alice@example.edu"]
    assert len(mail.outbox) == 1  # delivered by the queued task (tests run tasks at once)
    message = mail.outbox[0]
    assert "New reply to your post" in message.subject
    assert "A good point." in message.body
    assert f"#post-{reply.pk}" in message.body
    assert ReplyNotice.objects.filter(reply=reply, user=alice).count() == 1
    # Telling again (a retried save, a second run) sends nothing more.
    _tell_of_reply(reply, first, is_staff=False)
    assert OutgoingEmail.objects.count() == 1


@pytest.mark.usefixtures("session_threads")
def test_replying_to_yourself_emails_nobody(login, alice, at, reading, thread_page):
    at(BEFORE_DUE)
    first = Post.objects.create(reading=reading, author=alice, body="Mine.", created_at=BEFORE_DUE)
    login(alice).post(thread_page, {"body": "Also this.", "parent": first.pk})
    assert not OutgoingEmail.objects.exists()


@pytest.mark.usefixtures("session_threads")
def test_a_refused_reply_sends_no_email(login, alice, bob, reading, thread_page):
    first = Post.objects.create(reading=reading, author=alice, body="Mine.", created_at=BEFORE_DUE)
    response = login(bob).post(thread_page, {"body": "   ", "parent": first.pk})
    assert response.status_code == 400
    assert not OutgoingEmail.objects.exists() and not ReplyNotice.objects.exists()


@pytest.mark.usefixtures("threads")
def test_no_name_of_an_anonymous_author_reaches_a_classmate(
    login, client, alice, bob, ta, at, course, kind, reading, thread_page
):
    """Alice posts anonymously and replies anonymously to Bob; Bob's every page, his
    calendar feed, the email he gets and every CSV he can ask for are free of her name and
    address. Staff still see it."""
    from discussions.models import DiscussionSettings

    DiscussionSettings.objects.create(course=course, see_after_posting=True)
    kind.peer_visibility = "everyone"  # the digest shows classmates the reviews too
    kind.save()
    f.ClaimFactory(course=course, reading=reading, student=bob)  # Bob presents it: the digest
    at(BEFORE_DUE)
    bobs = Post.objects.create(
        reading=reading, author=bob, body="Bob's take.", created_at=BEFORE_DUE
    )
    as_alice = login(alice)
    as_alice.post(thread_page, {"body": "Anonymous insight.", "anonymous": "on"})
    as_alice.post(thread_page, {"body": "Anonymous answer.", "anonymous": "on", "parent": bobs.pk})
    assert Post.objects.filter(author=alice, anonymous=True).count() == 2
    at(AFTER_DUE)
    secrets = ("Alice", "Archer", "alice@example.edu", "alice")
    code = course.code
    as_bob = login(bob)
    pages = [
        thread_page,
        f"/courses/{code}/discussion/",
        f"/courses/{code}/readings/{reading.pk}/digest/",
        f"/courses/{code}/reviews/",
        f"/courses/{code}/",
        f"/courses/{code}/sessions/{reading.session_id}/",
        "/",
        f"/courses/{code}/grades/",
    ]
    for path in pages:
        response = as_bob.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert "Anonymous" in text or path != thread_page
        for secret in secrets:
            assert secret not in text, f"{secret!r} on {path}"
    digest = as_bob.get(f"/courses/{code}/readings/{reading.pk}/digest/").content.decode()
    assert "Anonymous insight." in digest and "A classmate" in digest
    feed = client.get(f"/courses/{code}/calendar.ics?token={bob.calendar_token}")
    assert feed.status_code == 200
    for secret in secrets:
        assert secret not in feed.content.decode()
    # The email Bob got for Alice's reply.
    (notice,) = [m for m in mail.outbox if m.to == [bob.email]]
    for secret in secrets:
        assert secret not in notice.subject + notice.body
    assert "A classmate (anonymous) replied" in notice.body
    # No CSV is a student's: the gradebook's (with names) is the staff's.
    assert as_bob.get(f"/courses/{code}/gradebook.csv").status_code == 404
    # Staff see who wrote it, in the thread and the digest.
    as_ta = login(ta)
    assert "Alice Archer (anonymous to classmates)" in as_ta.get(thread_page).content.decode()
    digest = as_ta.get(f"/courses/{code}/readings/{reading.pk}/digest/").content.decode()
    assert "Alice Archer" in digest


@pytest.mark.usefixtures("threads")
def test_under_see_after_posting_the_digest_shows_no_post_to_a_student_who_has_not_posted(
    login, alice, bob, at, course, kind, reading
):
    from discussions.models import DiscussionSettings

    DiscussionSettings.objects.create(course=course, see_after_posting=True)
    kind.peer_visibility = "everyone"
    kind.save()
    f.ClaimFactory(course=course, reading=reading, student=bob)  # a presenter is a classmate
    at(BEFORE_DUE)
    login(alice).post(
        f"/courses/{course.code}/readings/{reading.pk}/discussion/", {"body": "Hidden text."}
    )
    at(AFTER_DUE)
    digest = login(bob).get(reverse("reviews:digest", args=[course.code, reading.pk]))
    assert digest.status_code == 200
    page = digest.content.decode()
    assert "Hidden text." not in page
    assert "you read them once you have posted there" in page
    assert f"/readings/{reading.pk}/discussion/" in page  # the digest links the thread

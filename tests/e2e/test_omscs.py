"""The OMSCS seminar end to end in a real browser, built from examples/omscs-seminar.yaml.

People:
- omar (student) writes his discussion post in the reading's thread: it is his review;
  the course has no claims and no projects, so his menu shows neither.
- nina (student) reads classmates' posts only once she has posted, then replies to
  omar's post anonymously: omar reads "Anonymous 1", never her name, and gets an email.
- prof (instructor) reads every name, and endorses omar's post.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from courses.models import Reading, Role
from discussions.models import Post
from reviews.models import Review
from tests.conftest import PASSWORD
from tests.e2e.conftest import doc_shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo("America/New_York")
CODE = "omscs-sys-ml-f25"
PAPER = "Attention Is All You Need"  # the week 2 reading, session Wed 8/27
POST = (
    "The Transformer replaces recurrence with **attention**, so every token of a sequence is "
    "processed at once. For systems this turns training into large dense matrix multiplies "
    "that suit GPUs, but attention's memory grows with the *square* of the sequence length.\n\n"
    "Would a linear-attention model change which hardware we buy?"
)
REPLY = "Linear attention trades the quadratic memory for recurrence-like state: see Mamba."


def test_a_student_posts_a_classmate_replies_anonymously_and_staff_endorse(
    open_timed_page, import_example, enrol
):
    course = import_example("omscs-seminar.yaml")
    omar = enrol(course, "omar@example.edu", "Omar Ortiz")
    nina = enrol(course, "nina@example.edu", "Nina Novak")
    prof = enrol(course, "prof@example.edu", "Pat Prof", Role.INSTRUCTOR)
    reading = Reading.objects.get(course=course, paper__title=PAPER)
    thread = f"/courses/{CODE}/readings/{reading.pk}/discussion/"

    # Mon 8/25: the post on the week 2 reading is due Tue 8/26 23:59 Eastern.
    with time_machine.travel(datetime(2025, 8, 25, 20, 0, tzinfo=NEW_YORK), tick=True):
        page = open_timed_page("omar")
        page.sign_in(omar.email, PASSWORD)
        p = page.page
        page.goto(f"/courses/{CODE}/")
        menu = p.locator("nav")
        assert menu.get_by_role("link", name="Reviews").count() >= 1
        assert menu.get_by_role("link", name="Discussion").count() >= 1
        assert menu.get_by_role("link", name="Claims").count() == 0
        assert menu.get_by_role("link", name="Team").count() == 0
        page.shot("schedule")

        # From his reviews, the post he owes leads to the reading's thread.
        page.goto(f"/courses/{CODE}/reviews/")
        page.shot("posts-owed")
        page.goto(f"/courses/{CODE}/readings/{reading.pk}/review/")
        assert p.url.endswith(thread)
        expect(p.locator("#counts-as-review")).to_contain_text("Discussion post")
        expect(p.locator("#posts-empty")).to_be_visible()
        p.get_by_label("Your post").fill(POST)
        p.get_by_role("button", name="Post", exact=True).click()
        p.wait_for_load_state()
        expect(p.get_by_text("It counts as your Discussion post")).to_be_visible()
        expect(p.locator("#counts-as-review")).to_contain_text("(on time)")
        expect(p.locator(".post-text strong").first).to_have_text("attention")
        review = Review.objects.get(reading=reading, student=omar)
        assert review.kind.name == "Discussion post"
        mine = Post.objects.get(reading=reading, author=omar)
        assert mine.review == review
        page.shot("posted")

        # No claims board: the address answers 404 (asked without navigating, so the
        # browser logs no failed page load).
        answer = p.request.get(f"{page.base_url}/courses/{CODE}/claims/")
        assert answer.status == 404

    # Tue 8/26 morning: Nina sees that one classmate posted, but not what, until she posts.
    with time_machine.travel(datetime(2025, 8, 26, 9, 0, tzinfo=NEW_YORK), tick=True):
        page = open_timed_page("nina")
        page.sign_in(nina.email, PASSWORD)
        p = page.page
        page.goto(thread)
        expect(p.locator("#posts-hidden")).to_contain_text("1 classmate posted here")
        assert "linear-attention" not in p.content()
        p.get_by_label("Your post").fill("Attention is a sequence of matrix multiplies.")
        p.get_by_label("Post anonymously to classmates").check()
        p.get_by_role("button", name="Post", exact=True).click()
        p.wait_for_load_state()
        expect(p.get_by_text("Would a linear-attention model")).to_be_visible()
        # She replies to Omar's post anonymously, with the keyboard only.
        summary = p.locator(f"#post-{mine.pk} ~ details summary").first
        summary.focus()
        p.keyboard.press("Enter")
        box = p.locator(f"#reply-body-{mine.pk}")
        box.focus()
        p.keyboard.type(REPLY)
        p.locator(f"#reply-anonymous-{mine.pk}").check()
        p.locator(f"#reply-anonymous-{mine.pk}").press("Tab")
        p.keyboard.press("Enter")
        p.wait_for_load_state()
        expect(p.get_by_text("Your reply is posted.")).to_be_visible()
        reply = Post.objects.get(parent=mine)
        assert (reply.author, reply.anonymous) == (nina, True)
        page.shot("replied")

        # Omar reads the reply as "Anonymous 1", marked new, and got an email without her name.
        page = open_timed_page("omar-again")
        page.sign_in(omar.email, PASSWORD)
        p = page.page
        page.goto(thread)
        expect(p.locator(f"#post-{reply.pk}")).to_contain_text("Anonymous 1")
        expect(p.locator(f"#post-{reply.pk}")).to_contain_text("New")
        assert "Nina" not in p.content() and "nina@" not in p.content()
        (notice,) = [m for m in mail.outbox if m.to == [omar.email]]
        assert "Nina" not in notice.body and REPLY in notice.body

        omars = page

        # The instructor sees both names and endorses Omar's post.
        page = open_timed_page("prof")
        page.sign_in(prof.email, PASSWORD)
        p = page.page
        page.goto(thread)
        expect(p.locator(f"#post-{reply.pk}")).to_contain_text(
            "Nina Novak (anonymous to classmates)"
        )
        p.locator(f"#post-{mine.pk}").get_by_role("button", name="Endorse").click()
        p.wait_for_load_state()
        expect(p.locator(f"#post-{mine.pk}")).to_contain_text("Endorsed by staff")
        mine.refresh_from_db()
        assert mine.endorsed_by == prof

        # Omar's page now shows the endorsement (the README's screenshots are his view).
        omars.goto(thread)
        expect(omars.page.locator(f"#post-{mine.pk}")).to_contain_text("Endorsed by staff")
        doc_shot(omars, "discussion-thread")
        doc_shot(omars, "discussion-thread-phone", width=390, height=844)

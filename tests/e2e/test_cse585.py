"""CSE 585 end to end in a real browser, built from examples/cse585-f25.yaml.

People (all students; everything but questions is done in groups of 4):
- group "Attention": sam claims a lecture for it in the browser, sue writes its summary;
- group "Caching": tom, whose group hands in its summary late (no credit), and who asks
  a question about Attention's paper by 3 PM the day before.

The reviewer panel (seed 004, "Panel Discussion"):
- group "Attention" (ann, abe, ada) presents Tue 9/9's paper; group "Caching" (cal, cat,
  cy) is that lecture's reviewer group, put on the panel by gia, the GSI, in the admin;
- uma (no group) is "the rest of the class": she asks her question by 3 PM the day before.

Times are in America/Detroit; the clock moves with time_machine (tick=True), which the
live server thread shares.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from claims.models import Claim
from claims.services import claim_reading
from courses.models import Paper, Reading, Role
from panels.models import ReviewerGroup
from reviews.models import Review
from teams.services import team_create, team_join
from tests.conftest import PASSWORD
from tests.e2e.conftest import doc_shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DETROIT = ZoneInfo("America/Detroit")
CODE = "cse585-f25"
ATTENTION_PAPER = "Pre-Training 2: paper to be announced"  # Tue 9/9
CACHING_PAPER = "Pre-Training 1: paper to be announced"  # Thu 9/4
# Once a lecture's paper is chosen the instructor fills it in (placeholders owe no reviews).
CHOSEN = {
    ATTENTION_PAPER: "Reducing Activation Recomputation in Large Transformer Models",
    CACHING_PAPER: "Efficient Large-Scale Language Model Training on GPU Clusters",
}
SUMMARY = {
    "What is the problem and why is it important?": "Pre-training is slow and costly.",
    "What is the hypothesis of the work?": "Overlapping communication hides most of it.",
    "What is the proposed solution, and what key insight": "Schedule collectives early.",
    "What is one (or more) drawback": "Needs spare memory; we would compress buffers.",
    "The gist of the class discussion": "Whether it still helps on NVLink-rich nodes.",
}


def reading(title):
    return Reading.objects.get(course__code=CODE, paper__title=title)


def group(course, users, name):
    team = team_create(course=course, user=users[0], name=name)
    for user in users[1:]:
        team_join(course=course, user=user, code=team.join_code)
    return team


def write_summary(page, reading_id):
    page.goto(f"/courses/{CODE}/readings/{reading_id}/review/")
    for label, text in SUMMARY.items():
        page.page.get_by_label(label).fill(text)
    page.page.get_by_role("button", name="Submit review").click()
    page.page.wait_for_load_state()


def test_groups_claim_summarise_after_class_and_a_late_summary_earns_nothing(
    open_timed_page, import_example, enrol
):
    course = import_example("cse585-f25.yaml")
    attention = [
        enrol(course, f"{n}@example.edu", f"{n.title()} A") for n in ("sam", "sue", "sid", "sky")
    ]
    caching = [
        enrol(course, f"{n}@example.edu", f"{n.title()} C") for n in ("tom", "tia", "ted", "tao")
    ]
    sam, sue = attention[:2]
    tom = caching[0]
    theirs, ours = reading(CACHING_PAPER), reading(ATTENTION_PAPER)

    with time_machine.travel(datetime(2025, 8, 29, 10, 0, tzinfo=DETROIT), tick=True) as clock:
        team = group(course, attention, "Attention")
        rivals = group(course, caching, "Caching")
        claim_reading(reading=theirs, user=tom)

        page = open_timed_page("sam")
        page.sign_in(sam.email, PASSWORD)
        p = page.page
        page.goto(f"/courses/{CODE}/claims/")
        assert p.get_by_text("Claiming is open").is_visible()
        p.locator(f"#reading-{ours.pk}").get_by_role("button", name="Claim").click()
        p.wait_for_load_state()
        assert p.locator("#my-claim").get_by_text("Your team (Attention) presents").is_visible()
        page.shot("group-claimed")
        claim = Claim.objects.get(reading=ours, withdrawn_at=None)
        assert (claim.team, claim.claimed_by) == (team, sam)

        for placeholder, title in CHOSEN.items():
            Paper.objects.filter(title=placeholder).update(title=title, is_placeholder=False)

        # Caching presented Thu 9/4 at 10:30; its summary was due Fri 9/5 10:30.
        clock.move_to(datetime(2025, 9, 5, 12, 0, tzinfo=DETROIT))
        late = open_timed_page("tom")
        late.sign_in(tom.email, PASSWORD)
        write_summary(late, theirs.pk)
        assert late.page.get_by_text("late").first.is_visible()
        late.shot("summary-late")

        # Mon 9/8, 2 PM: tom's question on Attention's paper, due 3 PM the day before class.
        clock.move_to(datetime(2025, 9, 8, 14, 0, tzinfo=DETROIT))
        late.goto(f"/courses/{CODE}/readings/{ours.pk}/review/")
        late.page.get_by_label("One insightful question for the authors").fill(
            "Does the overlap survive pipeline parallelism?"
        )
        late.page.get_by_role("button", name="Submit review").click()
        late.page.wait_for_load_state()
        assert late.page.get_by_text("(on time)").first.is_visible()
        late.shot("question")

        # Tue 9/9, after class: sue writes the group's summary, due 24 h after class started.
        clock.move_to(datetime(2025, 9, 9, 14, 0, tzinfo=DETROIT))
        member = open_timed_page("sue")
        member.sign_in(sue.email, PASSWORD)
        write_summary(member, ours.pk)
        assert member.page.get_by_text("(on time)").first.is_visible()
        member.shot("summary")

        summary = Review.objects.get(reading=ours, team=team)
        assert summary.edited_by == sue
        assert Review.objects.get(reading=ours, student=tom).answers["question"]

        # The late summary counts 0 for every member of the group, and the page says why.
        late.goto(f"/courses/{CODE}/grades/")
        row = late.page.locator("tr", has_text="Paper summary")
        row.locator("summary").click()
        item = row.locator("li", has_text=f"Summary: {CHOSEN[CACHING_PAPER]}")
        assert item.get_by_text("0 / 10", exact=False).is_visible()  # as on the reviews list
        assert item.get_by_text("no credit").is_visible()
        late.shot("grades")
        late.goto(f"/courses/{CODE}/reviews/")
        late.shot("reviews")
        assert Review.objects.get(reading=theirs, team=rivals)


def test_a_reviewer_group_receives_the_class_questions_before_the_lecture(
    open_timed_page, import_example, enrol
):
    course = import_example("cse585-f25.yaml")
    authors = [enrol(course, f"{n}@example.edu", f"{n.title()} A") for n in ("ann", "abe", "ada")]
    reviewers = [enrol(course, f"{n}@example.edu", f"{n.title()} R") for n in ("cal", "cat", "cy")]
    uma = enrol(course, "uma@example.edu", "Uma Asker")
    gia = enrol(course, "gia@example.edu", "Gia GSI", role=Role.TA)
    lecture = reading(ATTENTION_PAPER)  # Tue 9/9, 10:30; questions due Mon 9/8 3 PM
    title = CHOSEN[ATTENTION_PAPER]
    question = "Does recomputing only attention keep the memory savings at 1M tokens?"

    with time_machine.travel(datetime(2025, 8, 29, 10, 0, tzinfo=DETROIT), tick=True) as clock:
        attention = group(course, authors, "Attention")
        group(course, reviewers, "Caching")
        claim_reading(reading=lecture, user=authors[0])
        Paper.objects.filter(title=ATTENTION_PAPER).update(title=title, is_placeholder=False)
        assert Claim.objects.get(reading=lecture, withdrawn_at=None).team == attention

        # Fri 9/5, groups formed: the GSI puts Caching on Tue 9/9's panel in the admin.
        clock.move_to(datetime(2025, 9, 5, 9, 0, tzinfo=DETROIT))
        staff = open_timed_page("gia")
        staff.sign_in(gia.email, PASSWORD)
        staff.goto("/admin/panels/reviewergroup/add/")
        staff.page.get_by_label("Session").select_option(label="Tue 09/09 Pre-Training (2 of 4)")
        staff.page.get_by_label("Team").select_option(label="Caching")
        staff.page.get_by_role("button", name="Save", exact=True).click()
        staff.page.wait_for_load_state()
        assert staff.page.get_by_text("was added successfully").is_visible()
        (panel,) = ReviewerGroup.objects.all()
        assert (panel.session, panel.team.name) == (lecture.session, "Caching")

        # Mon 9/8, 2 PM: the rest of the class asks; the reviewers' team page says when
        # the questions come to them.
        clock.move_to(datetime(2025, 9, 8, 14, 0, tzinfo=DETROIT))
        asker = open_timed_page("uma")
        asker.sign_in(uma.email, PASSWORD)
        asker.goto(f"/courses/{CODE}/readings/{lecture.pk}/review/")
        asker.page.get_by_label("One insightful question for the authors").fill(question)
        asker.page.get_by_role("button", name="Submit review").click()
        asker.page.wait_for_load_state()
        assert asker.page.get_by_text("(on time)").first.is_visible()
        cal = open_timed_page("cal")
        cal.sign_in(reviewers[0].email, PASSWORD)
        cal.goto(f"/courses/{CODE}/team/")
        reviewing = cal.page.locator("#reviewing")
        assert reviewing.get_by_text("Your team reviews Tue Sep 9").is_visible()
        assert reviewing.get_by_text("arrive after Mon Sep 8, 3:00 PM EDT").is_visible()
        call_command("send_reminders")
        assert not [m for m in mail.outbox if "questions for" in m.subject]

        # Mon 9/8, 3:05 PM, the evening before the lecture: the worker's reminder run sends
        # the questions to the presenters and the reviewers, each once.
        clock.move_to(datetime(2025, 9, 8, 15, 5, tzinfo=DETROIT))
        call_command("send_reminders")
        call_command("send_reminders")
        digests = [
            m for m in mail.outbox if "questions for" in m.subject or "question for" in m.subject
        ]
        assert sorted(m.to[0] for m in digests) == sorted(u.email for u in authors + reviewers)
        to_cal = next(m for m in digests if m.to == [reviewers[0].email])
        assert to_cal.subject == f"[{CODE}] 1 question for Tue Sep 9: {title}"
        assert question in to_cal.body and "(Uma Asker)" in to_cal.body
        assert f"/courses/{CODE}/readings/{lecture.pk}/digest/" in to_cal.body

        # The reviewer opens the digest from the team page: the question, and who asked it.
        cal.goto(f"/courses/{CODE}/team/")
        cal.page.locator("#reviewing").get_by_role("link", name="Read the questions").click()
        cal.page.wait_for_load_state()
        assert cal.page.get_by_role("heading", name="Discussion digest").is_visible()
        item = cal.page.locator("ol.questions li", has_text=question)
        assert item.get_by_text("— Uma Asker").is_visible()
        cal.shot("panel-digest")
        doc_shot(cal, "panel-digest")
        doc_shot(cal, "panel-digest-phone", width=390, height=844)

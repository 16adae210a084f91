"""ECS 289D end to end in a real browser, built from examples/ecs289d-f25.yaml.

People:
- alice (student) claims, reviews, joins bob's team and submits the proposal;
- bob (student) wins the race for a paper alice wanted and creates the team;
- yang (instructor, staff) grades in the admin and reads the gradebook.

The clock moves with time_machine (tick=True): the live server runs in this process, so
its thread sees the same time as the test.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from claims.services import claim_reading
from courses.models import Reading, Role
from projects.models import Milestone
from reviews.models import Review
from teams.models import Team
from teams.services import team_create
from tests.conftest import PASSWORD
from tests.e2e.conftest import doc_shot
from tests.projects.conftest import real_pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LA = ZoneInfo("America/Los_Angeles")
CODE = "ecs289d-f25"
RACED = "A Scalable, Commodity Data Center Network Architecture"  # Thu 10/02
CLAIMED = "Data Center TCP (DCTCP)"  # Tue 10/07
SUMMARY = (
    "The paper builds a data center network from commodity switches arranged as a fat tree. "
    "It gives full bisection bandwidth at a fraction of the cost of high-end gear. "
    "Two-level routing tables spread flows over the many equal paths. "
    "The evaluation on a small testbed shows near line rate for all-to-all traffic."
)


def reading(title):
    return Reading.objects.select_related("session").get(course__code=CODE, paper__title=title)


def test_a_student_claims_reviews_joins_a_team_and_is_graded(
    open_timed_page, import_example, enrol, tmp_path
):
    course = import_example("ecs289d-f25.yaml")
    alice = enrol(course, "alice@example.edu", "Alice Archer")
    bob = enrol(course, "bob@example.edu", "Bob Baker")
    yang = enrol(course, "yang@example.edu", "Yang Zhou", Role.INSTRUCTOR)
    raced, claimed = reading(RACED), reading(CLAIMED)

    with time_machine.travel(datetime(2025, 9, 25, 12, 1, tzinfo=LA), tick=True) as clock:
        # The claim window opened a minute ago (the server's clock says so too).
        page = open_timed_page("alice")
        page.sign_in(alice.email, PASSWORD)
        p = page.page
        page.goto(f"/courses/{CODE}/")
        assert p.get_by_text(RACED).first.is_visible()
        page.shot("schedule")
        doc_shot(page, "schedule")
        page.goto(f"/courses/{CODE}/claims/")
        assert p.get_by_text("Claiming is open").is_visible()

        # Bob gets there first while alice's board still shows the paper free (the
        # browser clock is paused so the board's self-refresh cannot show it taken).
        # Pause just ahead of now: a longer jump could fire the 10 s refresh on the way.
        # A paused clock also stops animation frames, so skip Playwright's stability wait.
        p.clock.pause_at(p.evaluate("Date.now()") + 1)
        claim_reading(reading=raced, user=bob)
        # Timers resume only on the answer page: the old board's refresh stays stopped.
        with p.expect_navigation():
            p.locator(f"#reading-{raced.pk}").get_by_role("button", name="Claim").click(force=True)
        p.clock.resume()
        expect(p.get_by_text(f"Bob Baker got “{RACED}” first")).to_be_visible()
        page.shot("lost-race")

        p.locator(f"#reading-{claimed.pk}").get_by_role("button", name="Claim").click()
        p.wait_for_load_state()
        assert p.get_by_text(f"You present “{CLAIMED}”").is_visible()
        assert p.locator("#my-claim").get_by_text(CLAIMED).is_visible()
        page.shot("claimed")
        doc_shot(page, "claims-board")
        doc_shot(page, "claims-board-phone", width=390, height=844)

        # Monday 9/29: the review of Thursday's paper is due Wed 10/1 23:59.
        clock.move_to(datetime(2025, 9, 29, 9, 0, tzinfo=LA))
        page.goto(f"/courses/{CODE}/reviews/")
        page.shot("reviews")
        review_url = f"/courses/{CODE}/readings/{raced.pk}/review/"
        page.goto(review_url)
        p.get_by_label("A short (3-4 sentence) summary of the paper").fill(SUMMARY)
        p.get_by_label("Some advantages or disadvantages of the approach").fill(
            "Cheap and scalable; but the wiring is complex."
        )
        p.get_by_role("button", name="Submit review").click()
        p.wait_for_load_state()
        assert p.get_by_text("(on time)").first.is_visible()

        clock.move_to(datetime(2025, 9, 30, 20, 0, tzinfo=LA))
        page.goto(review_url)
        p.get_by_label("Any other questions or comments").fill("How does it handle failures?")
        p.get_by_role("button", name="Save changes").click()
        p.wait_for_load_state()
        assert p.get_by_text("(on time)").first.is_visible()
        page.shot("review-edited")
        doc_shot(page, "review-form")
        review = Review.objects.get(reading=raced, student=alice)
        assert review.answers["questions"] == "How does it handle failures?"

        # Alice joins bob's team with the code he shares, then submits the proposal.
        team = team_create(course=course, user=bob, name="Fat Trees", working_title="RDMA at scale")
        page.goto(f"/courses/{CODE}/team/")
        p.get_by_label("Join code").fill(f" {team.join_code.lower()} ")
        p.get_by_role("button", name="Join", exact=True).click()
        p.wait_for_load_state()
        assert p.get_by_text("You joined Fat Trees.").is_visible()

        clock.move_to(datetime(2025, 10, 15, 18, 0, tzinfo=LA))
        proposal = Milestone.objects.get(course=course, name="Project proposal")
        pdf = tmp_path / "proposal.pdf"
        pdf.write_bytes(
            real_pdf_bytes(
                "Project proposal: Fat Trees",
                "Problem: tail latency of all-to-all traffic in LLM training.",
                "Related work: fat trees, DCTCP, RDMA over Ethernet.",
                "Plan: a testbed of 16 GPUs, weekly milestones to the final report.",
            )
        )
        page.sign_in(alice.email, PASSWORD)  # three weeks on: the session has expired
        page.goto(f"/courses/{CODE}/team/")
        card = p.locator(f"#m{proposal.pk}")
        card.get_by_label("File").set_input_files(str(pdf))
        card.get_by_role("button", name="Submit", exact=True).click()
        p.wait_for_load_state()
        assert "version 1 is in" in p.content()
        page.shot("proposal-submitted")
        doc_shot(page, "team")

        # After the proposal's due time the instructor grades in the admin.
        clock.move_to(datetime(2025, 10, 20, 9, 0, tzinfo=LA))
        staff = open_timed_page("yang")
        staff.sign_in(yang.email, PASSWORD)
        s = staff.page
        # The review, one by one from the course's Reviews page: points, Tab, feedback,
        # Ctrl+Enter.
        staff.goto(f"/courses/{CODE}/reviews/")
        with s.expect_navigation():
            s.get_by_role("link", name="Grade one by one", exact=False).first.click()
        s.get_by_label("Points", exact=True).press_sequentially("1")
        s.keyboard.press("Tab")
        s.keyboard.type("Good summary; say more about failures.")
        doc_shot(staff, "grading-view", width=1280)
        doc_shot(staff, "grading-view-phone", width=390, height=844)
        with s.expect_navigation():
            s.keyboard.press("Control+Enter")
        staff.shot("review-graded")
        review.refresh_from_db()
        assert review.points == 1 and review.feedback_published

        # The proposal, team by team, on the example's rubric (40 + 20 + 40 points).
        staff.goto("/admin/projects/milestone/")
        with s.expect_navigation():
            s.get_by_role("link", name="Grade team by team").first.click()
        s.get_by_label("Problem and motivation").fill("36")
        s.get_by_label("Related work").fill("16")
        s.get_by_label("Plan and milestones").fill("38")
        feedback = s.get_by_label("Feedback", exact=True)
        feedback.fill("Clear plan; tighten the evaluation.")
        doc_shot(staff, "grading-milestone", width=1280)
        with s.expect_navigation():
            feedback.press("Control+Enter")
        staff.shot("proposal-graded")
        grade = Team.objects.get(pk=team.pk).milestone_grades.get(milestone=proposal)
        assert grade.points == 90 and grade.published
        assert grade.rubric_scores == {
            "Problem and motivation": "36", "Related work": "16", "Plan and milestones": "38",
        }  # fmt: skip

        staff.goto(f"/courses/{CODE}/gradebook/")
        assert s.get_by_text("Alice Archer").first.is_visible()
        staff.shot("gradebook")
        doc_shot(staff, "gradebook", width=1280)

        # The student sees the published grades: the review on her grades page, the
        # proposal's points and feedback on the team page.
        page.goto(f"/courses/{CODE}/grades/")
        doc_shot(page, "student-grades")
        doc_shot(page, "student-grades-phone", width=390, height=844)
        row = p.locator("tr", has_text="Paper reviews")
        # Newly graded work is shown unfolded, marked new (grading.notices).
        assert row.locator("details").get_attribute("open") is not None
        item = row.locator("li", has_text=RACED)
        assert item.get_by_text("new", exact=True).is_visible()
        assert item.get_by_text("1 / 1", exact=False).is_visible()
        page.shot("grades")
        page.goto(f"/courses/{CODE}/reviews/")
        assert p.get_by_text("Good summary; say more about failures.").is_visible()
        page.goto(f"/courses/{CODE}/team/")
        assert (
            p.locator(f"#m{proposal.pk}")
            .get_by_text("Clear plan; tighten the evaluation.")
            .is_visible()
        )
        page.shot("team-graded")


def test_classmates_give_presenter_feedback_and_the_presenter_reads_the_aggregate(
    open_timed_page, import_example, enrol
):
    """Pat presents DCTCP on Tue 10/07; Alice gives feedback from the dashboard's "Give
    feedback" during the window (two classmates already did), and once it has closed (48 h
    after class) Pat reads the averages and the comments, without names."""
    from feedback.models import FeedbackResponse

    course = import_example("ecs289d-f25.yaml")
    pat = enrol(course, "pat@example.edu", "Pat Presenter")
    alice = enrol(course, "alice@example.edu", "Alice Archer")
    others = [
        enrol(course, "bob@example.edu", "Bob Baker"),
        enrol(course, "carol@example.edu", "Carol Cho"),
    ]
    dctcp = reading(CLAIMED)
    with time_machine.travel(datetime(2025, 9, 26, 12, 0, tzinfo=LA), tick=False):
        claim_reading(reading=dctcp, user=pat)
    given = datetime(2025, 10, 7, 12, 0, tzinfo=LA)
    for student, ratings, comment in (
        (others[0], (5, 4, 4), "The incast demo made the problem obvious."),
        (others[1], (4, 3, 5), "Great questions for the class; the math went fast."),
    ):
        FeedbackResponse.objects.create(
            reading=dctcp, student=student, comment=comment, submitted_at=given,
            updated_at=given,
            ratings=dict(zip(("clarity", "depth", "discussion"), ratings, strict=True)),
        )  # fmt: skip

    # Tue 10/07, half an hour after class: the window opened when class started.
    with time_machine.travel(datetime(2025, 10, 7, 12, 20, tzinfo=LA), tick=True) as clock:
        page = open_timed_page("alice")
        page.sign_in(alice.email, PASSWORD)
        p = page.page
        page.goto("/")
        with p.expect_navigation():
            p.get_by_role("link", name=f"Give feedback: {CLAIMED}").click()
        window = p.locator("#window-times").inner_text()
        assert "Opens Tue Oct 7, 10:30 AM PDT" in window
        assert "closes Thu Oct 9, 11:50 AM PDT" in window
        assert "Presented by Pat Presenter" in p.content()
        for group, rating in (("Clarity", "4"), ("Depth", "5"), ("Discussion", "4")):
            # Each rating is a button-like label of a radio ("4 of 5" to a screen reader).
            p.get_by_role("group", name=group).locator("label", has_text=f"{rating} of 5").click()
        p.get_by_label("Comment for the presenters (optional)").fill(
            "Clear story from incast to ECN marking. A slide on tuning K would help."
        )
        page.shot("feedback-form")
        doc_shot(page, "feedback-form")
        doc_shot(page, "feedback-form-phone", width=390, height=844)
        p.get_by_role("button", name="Send feedback").click()
        p.wait_for_load_state()
        assert p.get_by_text("Thank you: your feedback is saved").is_visible()
        saved = FeedbackResponse.objects.get(reading=dctcp, student=alice)
        assert saved.ratings == {"clarity": 4, "depth": 5, "discussion": 4}

        # Thu 10/09 noon: the window closed at 11:50; three classmates answered.
        clock.move_to(datetime(2025, 10, 9, 12, 0, tzinfo=LA))
        presenter = open_timed_page("pat")
        presenter.sign_in(pat.email, PASSWORD)
        s = presenter.page
        presenter.goto(f"/courses/{CODE}/sessions/{dctcp.session.pk}/")
        with s.expect_navigation():
            s.get_by_role("link", name="Presenter feedback").first.click()
        assert s.get_by_role("heading", name="Feedback on your presentation").is_visible()
        summary = s.locator(".feedback-summary").inner_text()
        assert "3 classmates answered · overall 4.2 / 5" in summary
        assert "Clarity\n4.3 / 5" in summary and "Depth\n4.0 / 5" in summary
        comments = s.locator(".feedback-comments li").all_inner_texts()
        assert comments == [
            "Clear story from incast to ECN marking. A slide on tuning K would help.",
            "Great questions for the class; the math went fast.",
            "The incast demo made the problem obvious.",
        ]
        html = s.content()
        assert not any(name in html for name in ("Alice Archer", "Bob Baker", "Carol Cho"))
        presenter.shot("feedback-aggregate")
        doc_shot(presenter, "feedback-aggregate")
        doc_shot(presenter, "feedback-aggregate-phone", width=390, height=844)

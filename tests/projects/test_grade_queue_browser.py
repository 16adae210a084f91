"""In Chromium: the instructor grades a milestone team by team with the team's PDF framed
beside the form (the frame loads: the file answers SAMEORIGIN to the app's own page),
saving with Ctrl+Enter, and gives one member an adjustment. (Chrome's PDF viewer takes the
focus when it loads; admin.js gives it back, and the test types into each box by name so
that the moment the viewer loads cannot make it flaky.)"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import MilestoneAdjustment, MilestoneGrade
from tests.conftest import PASSWORD
from tests.projects.test_grade_queue import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_loaded(p):
    """Wait for the framed PDF: its viewer takes the focus as it loads (admin.js gives it
    back), so typing starts after that."""
    p.wait_for_load_state("load")
    for frame in p.frames:
        if frame != p.main_frame:
            frame.wait_for_load_state("load")
    expect(p.get_by_label("Points", exact=True)).to_be_focused()


def test_grading_a_milestone_with_the_pdf_beside_the_form(open_page):
    course, instructor, milestone, teams = build(3)
    page = open_page("instructor")
    page.sign_in(instructor.email, PASSWORD)
    p = page.page
    page.goto("/admin/projects/milestone/")
    with p.expect_navigation():
        p.get_by_role("link", name="Grade team by team").click()
    expect(p.get_by_text("1 of 3", exact=False).first).to_be_visible()
    frame = p.locator("iframe.grade-pdf")
    expect(frame).to_be_visible()
    submission = teams[0].submissions.get()
    framed = f"/courses/{course.code}/team/files/{submission.pk}/?view=inline"
    p.wait_for_load_state("load")  # the page's load waits for its frame
    loaded = [fr.url for fr in p.frames if fr != p.main_frame]
    assert loaded and loaded[0].endswith(framed), loaded  # not chrome-error: it was allowed
    page.shot("milestone-grading")
    # Team 00: 9 of 10 and a line of feedback; one member loses a point, with a reason.
    pdf_loaded(p)
    points, feedback = p.get_by_label("Points", exact=True), p.get_by_label("Feedback", exact=True)
    points.press_sequentially("9")
    feedback.press_sequentially("A clear problem and a realistic plan.")
    ben = teams[0].members.order_by("user__name").last().user
    p.get_by_label(f"Add points for {ben.name}").fill("-1")
    reason = p.get_by_label(f"Reason for {ben.name}")
    reason.fill("Did not take part in writing it")
    with p.expect_navigation():
        reason.press("Control+Enter")
    expect(p.get_by_text("2 of 3", exact=False).first).to_be_visible()
    grade = MilestoneGrade.objects.get(team=teams[0])
    assert (grade.points, grade.published) == (Decimal(9), True)
    assert MilestoneAdjustment.objects.get().student == ben
    # The next two from the keyboard alone.
    for number in (2, 3):
        expect(p.get_by_text(f"{number} of 3", exact=False).first).to_be_visible()
        pdf_loaded(p)
        p.get_by_label("Points", exact=True).press_sequentially("8")
        feedback = p.get_by_label("Feedback", exact=True)
        feedback.press_sequentially("Good.")
        with p.expect_navigation():
            feedback.press("Control+Enter")
    expect(p.get_by_text("0 teams await a grade", exact=False)).to_be_visible()
    assert sorted(g.points for g in MilestoneGrade.objects.all()) == [8, 8, 9]

"""In a real browser: a student forms a team, a classmate joins by code, and they submit a PDF.

alice creates the team; bob joins with the code alice sees. The page must pass the
CSP (no console errors) and show the milestone with its countdown.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Deliverable, Milestone, Submission
from tests.conftest import PASSWORD
from tests.projects.conftest import pdf_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_team_forms_in_the_browser_and_submits_a_pdf(
    open_page,
    tmp_path,
    course,
    alice,
    bob,
):
    course.team_deadline = timezone.now() + timedelta(days=5)
    course.save()
    Milestone.objects.create(
        course=course,
        name="Project proposal",
        description="Two pages: the problem, the plan, the evaluation.",
        due_at=timezone.now() + timedelta(days=9, hours=3),
        deliverable=Deliverable.FILE,
        max_points=10,
    )
    team_url = f"/courses/{course.code}/team/"

    page = open_page("alice")
    page.sign_in(alice.email, PASSWORD)
    page.goto(team_url)
    page.shot("no-team")
    p = page.page
    p.get_by_label("Team name").fill("KV Cachers")
    p.get_by_label("Working title").fill("Paged attention on CPUs")
    p.get_by_role("button", name="Create team").click()
    p.wait_for_load_state()
    code = p.locator("code").first.inner_text().strip()
    assert "teams need at least 3" in p.content()

    other = open_page("bob")
    other.sign_in(bob.email, PASSWORD)
    other.goto(team_url)
    other.page.get_by_label("Join code").fill(code.lower())
    other.page.get_by_role("button", name="Join", exact=True).click()
    other.page.wait_for_load_state()
    assert "You joined KV Cachers." in other.page.content()

    pdf = tmp_path / "proposal.pdf"
    pdf.write_bytes(pdf_bytes())
    p.reload()
    p.get_by_label("File").set_input_files(str(pdf))
    p.get_by_role("button", name="Submit", exact=True).click()
    p.wait_for_load_state()
    assert "version 1 is in" in p.content()
    assert p.locator(".countdown").last.inner_text().startswith("in 9 d")
    page.shot("submitted")
    assert Submission.objects.get().submitted_by == alice

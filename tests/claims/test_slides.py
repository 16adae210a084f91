"""Presenters' slides: who may upload, what is accepted, how they are served.

People: alice presents `reading` (claimed below); bob is a student without a claim;
ta is course staff; charlie is in another course; anonymous visitors may download
(slides are on the public schedule).
"""

import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Slides
from claims.services import claim_reading
from courses.models import PresentsBy
from teams.models import Team, TeamMember
from tests.claims.test_claims import OPEN

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def pptx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buffer.getvalue()


@pytest.fixture
def presenting(course, alice, reading):
    with time_machine.travel(OPEN, tick=False):
        return claim_reading(reading=reading, user=alice)


def upload_url(course, reading):
    return reverse("claims:slides_upload", args=[course.code, reading.pk])


def post(client, course, reading, name, content, content_type="application/pdf"):
    return client.post(
        upload_url(course, reading),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_presenter_uploads_a_pdf_stored_under_a_random_name(
    login, course, reading, alice, presenting
):
    response = post(login(alice), course, reading, "../../etc/My Talk.pdf", PDF)
    assert response.status_code == 302
    slides = Slides.objects.get()
    assert slides.original_name == "My Talk.pdf"
    assert slides.content_type == "application/pdf"
    assert "My Talk" not in slides.file.name and slides.file.name.startswith(f"slides/{course.pk}/")
    assert slides.uploaded_by == alice


def test_pptx_is_accepted_by_content(login, course, reading, alice, presenting):
    post(login(alice), course, reading, "deck.pptx", pptx_bytes(), "application/octet-stream")
    assert Slides.objects.get().content_type.endswith("presentationml.presentation")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("talk.pdf", b"MZ\x90\x00 not a pdf at all", "not a PDF or a PowerPoint"),
        ("talk.pdf", b"<html><script>alert(1)</script>", "not a PDF or a PowerPoint"),
        ("talk.pptx", PDF, "content is .pdf but its name ends in “.pptx”"),
        ("deck.pdf", pptx_bytes(), "content is .pptx but its name ends in “.pdf”"),
        ("talk.pdf.html", PDF, "content is .pdf but its name ends in “.html”"),
    ],
)
def test_the_type_is_checked_by_content_and_the_name_must_agree(
    login, course, reading, alice, presenting, name, content, message
):
    response = post(login(alice), course, reading, name, content)
    assert response.status_code == 400  # as on the team page: the form again, and why
    page = response.content.decode()
    assert message in page and "invalid-feedback" in page  # next to the field
    assert not Slides.objects.exists()


def test_files_over_the_size_limit_are_refused(login, settings, course, reading, alice, presenting):
    settings.MAX_UPLOAD_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    response = post(login(alice), course, reading, "big.pdf", big)
    assert response.status_code == 400
    assert "The file is 1.0 MB; the limit is 1 MB." in response.content.decode()
    assert not Slides.objects.exists()


def test_a_post_without_a_file_says_so_next_to_the_field(login, course, reading, alice, presenting):
    response = login(alice).post(upload_url(course, reading), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Slides.objects.exists()


def test_only_presenters_and_staff_upload(login, course, reading, bob, ta, charlie, presenting):
    assert post(login(bob), course, reading, "x.pdf", PDF).status_code == 404
    assert post(login(charlie), course, reading, "x.pdf", PDF).status_code == 404
    assert post(login(ta), course, reading, "x.pdf", PDF).status_code == 302
    assert Slides.objects.count() == 1


def test_a_team_member_uploads_for_the_team(login, course, reading, alice, bob):
    course.presents_by = PresentsBy.TEAM
    course.save()
    team = Team.objects.create(course=course, name="Kernels")
    TeamMember.objects.create(team=team, user=alice)
    TeamMember.objects.create(team=team, user=bob)
    with time_machine.travel(OPEN, tick=False):
        claim_reading(reading=reading, user=alice)
    assert post(login(bob), course, reading, "x.pdf", PDF).status_code == 302


def test_slides_download_publicly_as_an_attachment(
    client, login, course, reading, alice, presenting
):
    post(login(alice), course, reading, "My Talk.pdf", PDF)
    client.logout()
    slides = Slides.objects.get()
    response = client.get(reverse("claims:slides", args=[course.code, slides.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="My Talk.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_slides_of_another_course_are_not_found_under_this_code(
    client, login, course, other_course, reading, alice, presenting
):
    post(login(alice), course, reading, "t.pdf", PDF)
    slides = Slides.objects.get()
    assert (
        client.get(reverse("claims:slides", args=[other_course.code, slides.pk])).status_code == 404
    )


def test_upload_page_shows_the_due_time_in_the_course_time_zone(
    login, course, reading, alice, presenting
):
    course.slides_due_hours = -24
    course.save()
    page = login(alice).get(upload_url(course, reading)).content.decode()
    # Class starts Tue Nov 4 10:30 PST; 24 h before is Mon Nov 3 10:30 PST.
    assert "Mon Nov 3, 10:30 AM PST" in page

"""Uploads are judged by their content, never their name, and always come back as
downloads the browser will not sniff or render (slides and milestone files alike).

Who: the presenter uploads slides for their reading; Alice (member) submits her team's
milestone file. Size limits, stored names and per-route headers are covered in
tests/courses/test_slides.py and tests/projects/test_submissions.py; here, the attacks.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import Slides
from projects.models import Submission
from tests.security.world import PDF

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64

ATTACKS = [
    ("talk.pdf", HTML),
    ("talk.pdf", SVG),
    ("talk.pdf", EXE),
    ("talk.html", HTML),
    ("talk.svg", SVG),
]


def upload_slides(client, world, name, content):
    return client.post(
        reverse("courses:slides_upload", args=[world.here.course.code, world.here.reading.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def submit(client, world, name, content):
    milestone = world.here.milestone
    return client.post(
        reverse("projects:submit", args=[world.here.course.code, milestone.pk]),
        {
            f"m{milestone.pk}-file": SimpleUploadedFile(
                name, content, content_type="application/pdf"
            )
        },
    )


@pytest.mark.parametrize(("name", "content"), ATTACKS)
def test_slides_that_are_not_a_pdf_or_pptx_are_refused_whatever_their_name(
    world, as_role, name, content
):
    before = Slides.objects.count()
    response = upload_slides(as_role("presenter"), world, name, content)
    assert response.status_code == 200  # the form again, with the reason next to the field
    assert "not a PDF or a PowerPoint" in response.content.decode()
    assert Slides.objects.count() == before


@pytest.mark.parametrize(("name", "content"), ATTACKS)
def test_milestone_files_that_are_not_a_pdf_or_archive_are_refused_whatever_their_name(
    world, as_role, name, content
):
    before = Submission.objects.count()
    response = submit(as_role("member"), world, name, content)
    assert response.status_code == 400
    assert "Upload a PDF or an archive" in response.content.decode()
    assert Submission.objects.count() == before


def test_a_pdf_named_html_is_refused_for_slides(world, as_role):
    response = upload_slides(as_role("presenter"), world, "talk.html", PDF)
    assert "its name ends in “.html”" in response.content.decode()


def test_a_pdf_named_html_is_stored_and_served_as_a_pdf_attachment(world, as_role):
    submit(as_role("member"), world, "report.html", PDF)
    submission = Submission.objects.filter(team=world.here.team).order_by("-version").first()
    assert submission.content_type == "application/pdf"
    assert submission.file.name.endswith(".pdf")  # the stored suffix is the detected type's
    response = as_role("member").get(
        reverse("projects:submission_file", args=[world.here.course.code, submission.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "path",
    [
        lambda w: reverse("courses:slides", args=[w.here.course.code, w.here.slides.pk]),
        lambda w: reverse(
            "projects:submission_file", args=[w.here.course.code, w.here.submission.pk]
        ),
    ],
    ids=["slides", "milestone file"],
)
def test_every_download_route_is_an_attachment_with_nosniff_under_a_strict_csp(
    world, as_role, path
):
    response = as_role("member").get(path(world))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response["Content-Type"].startswith(("text/html", "image/svg"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    b"".join(response.streaming_content)


def test_media_files_are_never_served_directly(world, client):
    stored = world.here.submission.file.name
    assert client.get(f"/media/{stored}").status_code == 404

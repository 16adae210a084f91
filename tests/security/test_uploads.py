"""Uploads are judged by their content, their name must agree with it, and they always
come back as downloads the browser will not sniff or render (slides and milestone files
alike, through the one rule in courses/uploads.py).

Who: the presenter uploads slides for their reading; Alice (member) submits her team's
milestone file. Size limits, stored names and per-route headers are covered in
tests/claims/test_slides.py and tests/projects/test_submissions.py; here, the attacks.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.http import parse_header_parameters

from claims.models import Slides
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
        reverse("claims:slides_upload", args=[world.here.course.code, world.here.reading.pk]),
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


def latest_submission(world):
    return Submission.objects.filter(team=world.here.team).order_by("-version").first()


# Each upload route: who posts, where, under which field name, and what it stores.
ROUTES = {
    "slides": (
        "presenter",
        lambda w: reverse("claims:slides_upload", args=[w.here.course.code, w.here.reading.pk]),
        lambda w: "file",
        lambda w: Slides.objects.filter(reading=w.here.reading).order_by("-pk").first(),
        lambda w, obj: reverse("claims:slides", args=[w.here.course.code, obj.pk]),
    ),
    "milestone": (
        "member",
        lambda w: reverse("projects:submit", args=[w.here.course.code, w.here.milestone.pk]),
        lambda w: f"m{w.here.milestone.pk}-file",
        latest_submission,
        lambda w, obj: reverse("projects:submission_file", args=[w.here.course.code, obj.pk]),
    ),
}


def post_file(world, as_role, route, name, content):
    role, url, field, _, _ = ROUTES[route]
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return as_role(role).post(url(world), {field(world): upload})


def post_raw_multipart(world, as_role, route, disposition_params, content):
    """POST a multipart body built by hand, so the Content-Disposition header reaches
    Django's parser exactly as an attacker would write it."""
    role, url, field, _, _ = ROUTES[route]
    boundary = "----seminar-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field(world)}"; {disposition_params}\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return as_role(role).post(
        url(world), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def download(world, as_role, route, obj):
    role, _, _, _, url = ROUTES[route]
    response = as_role(role).get(url(world, obj))
    b"".join(response.streaming_content)
    return response


def download_filename(response) -> str:
    disposition, params = parse_header_parameters(response["Content-Disposition"])
    assert disposition == "attachment"
    return params["filename"]


@pytest.mark.parametrize(("name", "content"), ATTACKS)
def test_slides_that_are_not_a_pdf_or_pptx_are_refused_whatever_their_name(
    world, as_role, name, content
):
    before = Slides.objects.count()
    response = upload_slides(as_role("presenter"), world, name, content)
    assert response.status_code == 400  # the form again, with the reason next to the field
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


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("name", "ends"),
    [
        ("report.html", ".html"),
        ("report.exe", ".exe"),
        ("report.svg", ".svg"),
        ("report.pdf.html", ".html"),  # a double extension ending in something else
        ("report.PDF.Html", ".Html"),
        ("report", "nothing"),
    ],
)
def test_a_real_pdf_whose_name_ends_in_another_suffix_is_refused_next_to_the_field(
    world, as_role, route, name, ends
):
    """A browser saves and opens a download by its name: a PDF named report.html would
    run as a page on the staff member's machine."""
    stored = ROUTES[route][3]
    before = stored(world)
    response = post_file(world, as_role, route, name, PDF)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"content is .pdf but its name ends in “{ends}”; rename it to end in .pdf" in page
    assert "invalid-feedback" in page  # next to the field
    assert stored(world) == before


@pytest.mark.parametrize("route", ROUTES)
def test_a_pdf_whose_name_ends_in_pdf_whatever_comes_before_is_accepted(world, as_role, route):
    response = post_file(world, as_role, route, "report.html.PDF", PDF)
    assert response.status_code == 302
    stored = ROUTES[route][3](world)
    assert stored.original_name == "report.html.PDF" and stored.file.name.endswith(".pdf")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "params",
    [
        'filename="a";filename=x.html;b.pdf"',  # Django's parser: the later filename wins
        "filename*=UTF-8''x.html; filename=\"b.pdf\"",  # RFC 2231: filename* wins
        "filename=\"b.pdf\"; filename*=UTF-8''x.html",
    ],
)
def test_a_second_filename_in_the_multipart_header_cannot_smuggle_html_past_the_check(
    world, as_role, route, params
):
    stored = ROUTES[route][3]
    before = stored(world)
    response = post_raw_multipart(world, as_role, route, params, PDF)
    # The parser hands the form "x.html", and the form judges that name.
    assert response.status_code == 400
    assert "its name ends in “.html”" in response.content.decode()
    assert stored(world) == before


@pytest.mark.parametrize("route", ROUTES)
def test_quotes_and_semicolons_in_a_name_never_reach_the_download_header(world, as_role, route):
    """An escaped quote gives the form the name `a";filename=x.html;b.pdf` (a .pdf); the
    name kept, and so the download's Content-Disposition, carries exactly one filename."""
    response = post_raw_multipart(
        world, as_role, route, 'filename="a\\";filename=x.html;b.pdf"', PDF
    )
    assert response.status_code == 302
    stored = ROUTES[route][3](world)
    assert stored.original_name == "a__filename=x.html_b.pdf"
    assert stored.file.name.endswith(".pdf")
    response = download(world, as_role, route, stored)
    assert response["Content-Disposition"] == 'attachment; filename="a__filename=x.html_b.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("route", ROUTES)
def test_a_name_cut_to_200_characters_keeps_its_suffix(world, as_role, route):
    name = "x" * 195 + ".html" + ".pdf"
    assert post_file(world, as_role, route, name, PDF).status_code == 302
    stored = ROUTES[route][3](world)
    assert len(stored.original_name) == 200 and stored.original_name.endswith(".pdf")


@pytest.mark.parametrize(
    ("route", "obj"),
    [("slides", lambda w: w.here.slides), ("milestone", lambda w: w.here.submission)],
)
@pytest.mark.parametrize(
    ("name", "content_type", "served_as", "served_type"),
    [
        ("report.html", "application/pdf", "report.html.pdf", "application/pdf"),
        ('r";x=.html', "application/pdf", "r__x=.html.pdf", "application/pdf"),
        ("report.pdf", "text/html", "report.pdf.bin", "application/octet-stream"),
    ],
)
def test_a_file_stored_before_the_name_check_downloads_under_a_safe_name_and_type(
    world, as_role, route, obj, name, content_type, served_as, served_type
):
    stored = obj(world)
    stored.original_name, stored.content_type = name, content_type
    stored.save()
    response = download(world, as_role, route, stored)
    assert download_filename(response) == served_as
    assert response["Content-Type"] == served_type
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("route", ROUTES)
def test_a_refused_upload_is_the_form_again_with_status_400_on_every_route(world, as_role, route):
    page = post_file(world, as_role, route, "talk.pdf", HTML)
    assert page.status_code == 400
    field = ROUTES[route][2](world)
    assert f'id="error_1_id_{field}"' in page.content.decode()  # crispy: next to the field
    role, url, _, _, _ = ROUTES[route]
    nothing = as_role(role).post(url(world), {})
    assert nothing.status_code == 400
    assert "This field is required." in nothing.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        lambda w: reverse("claims:slides", args=[w.here.course.code, w.here.slides.pk]),
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
    assert download_filename(response).endswith(".pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    b"".join(response.streaming_content)


def test_media_files_are_never_served_directly(world, client):
    stored = world.here.submission.file.name
    assert client.get(f"/media/{stored}").status_code == 404

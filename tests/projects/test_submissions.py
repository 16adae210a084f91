"""Milestone submissions: versions kept, late marking, file checks, and who reaches files."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Submission
from tests.conftest import LA
from tests.projects.conftest import pdf_bytes, tar_gz_bytes, zip_bytes

pytestmark = pytest.mark.usefixtures("before_deadline")


def submit_url(course, milestone):
    return reverse("projects:submit", args=[course.code, milestone.pk])


def file_url(course, submission):
    return reverse("projects:submission_file", args=[course.code, submission.pk])


def close_file(response):
    # Reading a streamed response to the end makes the test client close its file.
    if response.streaming:
        b"".join(response.streaming_content)


def status_of(client, url) -> int:
    response = client.get(url)
    close_file(response)
    return response.status_code


def upload(client, course, milestone, content, name="proposal.pdf"):
    field = f"m{milestone.pk}-file"
    return client.post(
        submit_url(course, milestone), {field: SimpleUploadedFile(name, content)}, follow=True
    )


def test_resubmitting_adds_versions_and_keeps_every_one_downloadable(
    login, course, alice, bob, team, proposal
):
    upload(login(alice), course, proposal, pdf_bytes(700), "draft.pdf")
    response = upload(login(bob), course, proposal, pdf_bytes(900), "final.pdf")

    v1, v2 = Submission.objects.filter(team=team, milestone=proposal).order_by("version")
    assert (v1.version, v1.submitted_by, v1.original_name) == (1, alice, "draft.pdf")
    assert (v2.version, v2.submitted_by, v2.original_name) == (2, bob, "final.pdf")
    page = response.content.decode()
    assert "version 2 is in" in page
    assert file_url(course, v1) in page and file_url(course, v2) in page
    response = login(alice).get(file_url(course, v1))
    assert b"".join(response.streaming_content) == pdf_bytes(700)
    close_file(response)


def test_the_team_page_shows_state_and_due_time_in_the_course_time_zone(
    login, course, alice, team, proposal, repo_link, checkin
):
    upload(login(alice), course, proposal, pdf_bytes())
    page = login(alice).get(reverse("teams:team", args=[course.code])).content.decode()
    assert "Thu Oct 16, 11:59 PM PDT" in page
    assert "Thu Nov 6, 5:00 PM PST" in page  # after the DST change
    assert 'data-due="2025-10-17T06:59:59.999999+00:00">in 15 d 11 h</span>' in page
    assert "submitted v1" in page and "not submitted" in page
    assert "Nothing to upload: the course staff record the meeting." in page


def test_a_submission_after_the_due_time_is_kept_and_marked_late(
    login, course, alice, team, proposal
):
    with time_machine.travel(datetime(2025, 10, 17, 2, 14, tzinfo=LA), tick=False):
        response = upload(login(alice), course, proposal, pdf_bytes())
    submission = Submission.objects.get(team=team, milestone=proposal)
    assert submission.is_late
    # Due 11:59 PM covers that minute: 2:14 AM is 2 h 14 min after the first late instant.
    assert submission.lateness == timedelta(hours=2, minutes=14)
    page = response.content.decode()
    assert "marked late" in page and "late by 2 h 14 min" in page


def test_a_submission_before_the_due_time_is_on_time(login, course, alice, team, proposal):
    with time_machine.travel(datetime(2025, 10, 16, 23, 58, 59, tzinfo=LA), tick=False):
        upload(login(alice), course, proposal, pdf_bytes())
    assert not Submission.objects.get(team=team).is_late


def test_a_link_submission_needs_a_valid_url(login, course, alice, team, repo_link):
    field = f"m{repo_link.pk}-link"
    response = login(alice).post(submit_url(course, repo_link), {field: "not a url at all"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid URL." in page
    assert 'value="not a url at all"' in page  # what was typed is kept
    assert not Submission.objects.exists()
    login(alice).post(submit_url(course, repo_link), {field: "https://github.com/team/code"})
    assert Submission.objects.get().link == "https://github.com/team/code"


def test_a_file_that_is_not_a_pdf_or_archive_is_refused_next_to_the_field(
    login, course, alice, team, proposal
):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    response = login(alice).post(
        submit_url(course, proposal),
        {f"m{proposal.pk}-file": SimpleUploadedFile("sneaky.pdf", png)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Upload a PDF or an archive (zip or tar.gz) (it looks like image/png)." in page
    assert f'id="error_1_id_m{proposal.pk}-file"' in page  # crispy's error next to the field
    assert not Submission.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_its_size(
    settings, login, course, alice, team, proposal
):
    settings.MAX_UPLOAD_MB = 1
    response = login(alice).post(
        submit_url(course, proposal),
        {f"m{proposal.pk}-file": SimpleUploadedFile("big.pdf", pdf_bytes(1024 * 1024 + 200_000))},
    )
    assert response.status_code == 400
    assert "The file is 1.2 MB; the limit is 1 MB." in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "mime", "suffix"),
    [
        (zip_bytes(), "code.zip", "application/zip", ".zip"),
        (tar_gz_bytes(), "code.tar.gz", "application/gzip", ".tar.gz"),
        (pdf_bytes(), "../../etc/passwd.pdf", "application/pdf", ".pdf"),
    ],
)
def test_files_are_stored_under_a_random_name_with_the_detected_type(
    login, course, alice, team, proposal, content, name, mime, suffix
):
    upload(login(alice), course, proposal, content, name)
    submission = Submission.objects.get()
    assert submission.content_type == mime
    stored = submission.file.name
    assert stored.startswith(f"submissions/{course.pk}/") and stored.endswith(suffix)
    assert name.rsplit("/", 1)[-1].split(".")[0] not in stored
    assert default_storage.exists(stored)


def test_a_download_is_an_attachment_that_browsers_do_not_sniff(
    login, course, alice, team, proposal
):
    upload(login(alice), course, proposal, pdf_bytes(), "Our Proposal.pdf")
    response = login(alice).get(file_url(course, Submission.objects.get()))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Our Proposal.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    close_file(response)


def test_another_team_and_outsiders_cannot_reach_a_teams_file(
    client,
    login,
    course,
    other_course,
    alice,
    carol,
    dave,
    charlie,
    other_ta,
    team,
    rival,
    proposal,
):
    upload(login(alice), course, proposal, pdf_bytes())
    url = file_url(course, Submission.objects.get())
    assert status_of(login(carol), url) == 404  # carol: another team
    assert status_of(login(dave), url) == 404  # dave: no team
    assert status_of(login(charlie), url) == 404  # charlie: another course
    assert status_of(login(other_ta), url) == 404  # staff of another course
    client.logout()
    assert client.get(url).status_code == 302  # anonymous: sign in first
    wrong_course = url.replace(course.code, other_course.code)
    assert status_of(login(charlie), wrong_course) == 404


def test_another_teams_work_never_shows_on_a_team_page(
    login, course, alice, carol, team, rival, proposal
):
    upload(login(alice), course, proposal, pdf_bytes(), "secret-plan.pdf")
    page = login(carol).get(reverse("teams:team", args=[course.code])).content.decode()
    assert "secret-plan.pdf" not in page
    assert file_url(course, Submission.objects.get()) not in page


def test_staff_can_download_every_teams_file(login, course, alice, instructor, ta, team, proposal):
    upload(login(alice), course, proposal, pdf_bytes())
    url = file_url(course, Submission.objects.get())
    assert status_of(login(ta), url) == 200
    assert (
        url in login(instructor).get(reverse("projects:teams", args=[course.code])).content.decode()
    )


def test_a_milestone_of_another_course_cannot_be_submitted_to(
    login, course, other_course, alice, team, proposal
):
    proposal.course = other_course
    proposal.save()
    response = login(alice).post(
        submit_url(course, proposal),
        {f"m{proposal.pk}-file": SimpleUploadedFile("a.pdf", pdf_bytes())},
    )
    assert response.status_code == 404


def test_a_student_without_a_team_cannot_submit(login, course, dave, proposal):
    response = login(dave).post(
        submit_url(course, proposal),
        {f"m{proposal.pk}-file": SimpleUploadedFile("a.pdf", pdf_bytes())},
        follow=True,
    )
    assert "Join or create a team before submitting." in response.content.decode()
    assert not Submission.objects.exists()


def test_a_check_in_takes_no_submission(login, course, alice, team, checkin):
    response = login(alice).post(submit_url(course, checkin), {}, follow=True)
    assert "there is nothing to submit" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_team_whose_last_member_leaves_keeps_its_submitted_work(
    login, course, carol, rival, proposal
):
    upload(login(carol), course, proposal, pdf_bytes())
    login(carol).post(reverse("teams:team_leave", args=[course.code]))
    assert Submission.objects.get().team == rival
    assert not rival.members.exists()


def test_a_milestone_with_submissions_cannot_be_deleted_but_its_course_can(
    course, alice, team, proposal
):
    from django.db.models import RestrictedError

    Submission.objects.create(
        milestone=proposal,
        team=team,
        version=1,
        submitted_by=alice,
        submitted_at=proposal.due_at,
        text="plan",
    )
    with pytest.raises(RestrictedError):
        proposal.delete()
    course.delete()
    assert not Submission.objects.exists()


def test_course_staff_cannot_delete_a_submission_in_the_admin(
    login, course, alice, instructor, team, proposal
):
    upload(login(alice), course, proposal, pdf_bytes())
    submission = Submission.objects.get()
    client = login(instructor)
    delete = reverse("admin:projects_submission_delete", args=[submission.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    # Nor through its team: the confirmation page names what they may not delete.
    page = client.get(reverse("admin:teams_team_delete", args=[team.pk])).content.decode()
    assert "Cannot delete team" in page and "permission to delete" in page
    client.post(reverse("admin:teams_team_delete", args=[team.pk]), {"post": "yes"})
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_a_file_gone_from_storage_is_a_clear_404_not_an_error(login, course, alice, team, proposal):
    upload(login(alice), course, proposal, pdf_bytes())
    submission = Submission.objects.get()
    default_storage.delete(submission.file.name)
    response = login(alice).get(file_url(course, submission))
    assert response.status_code == 404


def test_the_instant_the_request_arrives_decides_lateness_not_the_end_of_the_upload(
    monkeypatch, login, course, alice, team, proposal
):
    """SPEC: the server's clock decides at the moment the request arrives. A large file
    that starts arriving at 23:59:30 and is read by 00:00:40 is on time."""
    import projects.views

    real_is_valid = projects.views.SubmissionForm.is_valid
    with time_machine.travel(proposal.due_at - timedelta(seconds=30), tick=False) as clock:
        client = login(alice)

        def slow_upload(form):
            clock.move_to(proposal.due_at + timedelta(seconds=40))  # reading the file
            return real_is_valid(form)

        monkeypatch.setattr(projects.views.SubmissionForm, "is_valid", slow_upload)
        page = upload(client, course, proposal, pdf_bytes()).content.decode()
    submission = Submission.objects.get()
    assert not submission.is_late
    assert submission.submitted_at == proposal.due_at - timedelta(seconds=30)
    assert "version 1 is in." in page and "It is past the due time" not in page

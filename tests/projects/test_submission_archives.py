"""Zip and tar.gz submissions are judged by what they would unpack to, read from their
directory or headers alone, never extracted (SUBMISSION_ARCHIVE_MAX_BYTES / _MEMBERS).

People (tests/projects/conftest.py): alice submits for her team `team`; the limits are
lowered here so that the archives stay a few kilobytes.
"""

import gzip
import io
import random
import tarfile
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from projects.models import Submission

pytestmark = pytest.mark.usefixtures("before_deadline")

MAX_BYTES = 10_000
MAX_MEMBERS = 5
TOO_BIG = f"Unpacked, this archive would be more than {filesizeformat(MAX_BYTES)}, the limit"
TOO_MANY = f"This archive holds more than {MAX_MEMBERS} files, the limit"
CORRUPT = "This archive is damaged or incomplete, so it cannot be opened"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.SUBMISSION_ARCHIVE_MAX_BYTES = MAX_BYTES
    settings.SUBMISSION_ARCHIVE_MAX_MEMBERS = MAX_MEMBERS


def zip_of(members: dict[str, int]) -> bytes:
    """A real zip whose members hold ``size`` zero bytes each (deflated, so it stays small)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, size in members.items():
            archive.writestr(name, b"\0" * size)
    return buf.getvalue()


def tar_gz_of(members: dict[str, int]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as archive:
        for name, size in members.items():
            info = tarfile.TarInfo(name)
            info.size = size
            archive.addfile(info, io.BytesIO(b"\0" * size))
    return buf.getvalue()


def files(count: int, size: int = 10) -> dict[str, int]:
    return {f"src/file{i}.py": size for i in range(count)}


def submit(client, course, milestone, content, name):
    return client.post(
        reverse("projects:submit", args=[course.code, milestone.pk]),
        {f"m{milestone.pk}-file": SimpleUploadedFile(name, content)},
    )


def refused(response, message):
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "invalid-feedback" in page  # next to the field
    assert not Submission.objects.exists()


def _truncated_tar_gz() -> bytes:
    """A tar.gz of incompressible data, cut off in the middle of its second member."""
    noise = random.Random(0)  # noqa: S311 - test data, not a secret
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as archive:
        for name in ("a.bin", "b.bin", "c.bin"):
            info = tarfile.TarInfo(name)
            info.size = 2000
            archive.addfile(info, io.BytesIO(noise.randbytes(info.size)))
    content = buf.getvalue()
    assert len(content) > 6000
    return content[:3000]


TRUNCATED = _truncated_tar_gz()

BUILDERS = [(zip_of, "code.zip"), (tar_gz_of, "code.tar.gz")]


@pytest.mark.parametrize(("build", "name"), BUILDERS, ids=["zip", "tar.gz"])
def test_an_archive_at_both_limits_is_accepted(login, course, alice, team, proposal, build, name):
    members = files(MAX_MEMBERS - 1) | {"data.bin": MAX_BYTES - (MAX_MEMBERS - 1) * 10}
    response = submit(login(alice), course, proposal, build(members), name)
    assert response.status_code == 302
    assert Submission.objects.get().original_name == name


@pytest.mark.parametrize(("build", "name"), BUILDERS, ids=["zip", "tar.gz"])
def test_an_archive_that_unpacks_beyond_the_byte_limit_is_refused(
    login, course, alice, team, proposal, build, name
):
    content = build({"README.md": 10, "data.bin": MAX_BYTES})
    assert len(content) < MAX_BYTES // 4  # the upload is small; what it unpacks to is not
    refused(submit(login(alice), course, proposal, content, name), TOO_BIG)


@pytest.mark.parametrize(("build", "name"), BUILDERS, ids=["zip", "tar.gz"])
def test_an_archive_with_more_members_than_the_limit_is_refused(
    login, course, alice, team, proposal, build, name
):
    content = build(files(MAX_MEMBERS + 1, size=1))
    refused(submit(login(alice), course, proposal, content, name), TOO_MANY)


def test_a_tar_gz_is_judged_from_its_headers_and_stops_at_the_first_limit_passed(
    login, course, alice, team, proposal
):
    """The first member declares 1 GB and the stream ends right after its header: a
    reader that went on (or extracted) would fail on missing data; the check has already
    stopped, at the header that passed the limit."""
    header = tarfile.TarInfo("huge.bin")
    header.size = 1024**3
    content = gzip.compress(header.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 512)
    refused(submit(login(alice), course, proposal, content, "code.tar.gz"), TOO_BIG)


def test_a_tar_gz_long_name_record_cannot_make_the_check_read_gigabytes(
    login, course, alice, team, proposal
):
    """tarfile reads a GNU long-name record whole into memory, whatever size it declares
    (a 20 MB upload of such zeros would be 20 GB); this one declares 4 MB (a few KB
    gzipped) before one small, honest file. Counted by members alone it would pass."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.GNU_FORMAT) as archive:
        record = tarfile.TarInfo("././@LongLink")
        record.type = tarfile.GNUTYPE_LONGNAME
        record.size = 4 * 1024 * 1024
        archive.addfile(record, io.BytesIO(b"\0" * record.size))
        small = tarfile.TarInfo("main.py")
        small.size = 5
        archive.addfile(small, io.BytesIO(b"pass\n"))
    content = buf.getvalue()
    assert len(content) < 20_000
    refused(submit(login(alice), course, proposal, content, "code.tar.gz"), TOO_BIG)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"PK\x03\x04" + b"\x14\x00" + b"not really a zip" * 20, "code.zip"),
        (gzip.compress(b"this is gzip, but there is no tar inside " * 30), "code.tar.gz"),
        (TRUNCATED, "code.tar.gz"),
        (b"\x1f\x8b\x08\x00" + b"\xff" * 300, "code.tar.gz"),  # a gzip header, then junk
    ],
    ids=["zip", "gzip without tar", "truncated tar.gz", "bad deflate data"],
)
def test_a_corrupt_archive_is_refused_with_a_clear_message(
    login, course, alice, team, proposal, content, name
):
    refused(submit(login(alice), course, proposal, content, name), CORRUPT)


@pytest.mark.parametrize(("build", "name"), BUILDERS, ids=["zip", "tar.gz"])
@pytest.mark.parametrize(
    "member", ["../../home/ta/.bashrc", "/etc/cron.d/evil", "src/../../up.py", "C:\\evil.bat"]
)
def test_an_archive_member_that_would_land_outside_its_folder_is_refused(
    login, course, alice, team, proposal, build, name, member
):
    content = build({"README.md": 10, member: 10})
    response = submit(login(alice), course, proposal, content, name)
    refused(response, "a path outside the archive’s folder")


def test_a_plain_tar_is_counted_the_same_way(login, course, alice, team, proposal):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as archive:
        for name in files(MAX_MEMBERS + 1, size=1):
            info = tarfile.TarInfo(name)
            info.size = 1
            archive.addfile(info, io.BytesIO(b"x"))
    refused(submit(login(alice), course, proposal, buf.getvalue(), "code.tar"), TOO_MANY)


def test_the_limits_default_to_200_mb_and_10000_members():
    from seminar import settings as project_settings

    assert project_settings.SUBMISSION_ARCHIVE_MAX_BYTES == 200 * 1024 * 1024
    assert project_settings.SUBMISSION_ARCHIVE_MAX_MEMBERS == 10_000

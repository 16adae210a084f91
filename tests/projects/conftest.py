"""Project fixtures, layered on tests/conftest.py.

The people, and what each may reach:
- alice, bob: students of `course`, together in `team` (alice created it); they reach
  their team's page, submissions and files.
- carol: student of `course` in `rival` (another team); must reach nothing of `team`.
- dave: student of `course` without a team.
- charlie: student of `other_course` only; reaches nothing in `course`.
- instructor, ta: staff of `course`; see every team and file.
"""

import io
import tarfile
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest

from projects.models import Deliverable, LatePolicy, Milestone
from tests.conftest import LA
from tests.teams.conftest import (  # noqa: F401 - fixtures projects' tests use too
    add_student,
    before_deadline,
    carol,
    dave,
    make_team,
    rival,
    team,
)


@pytest.fixture
def proposal(course):
    return Milestone.objects.create(
        course=course,
        name="Project proposal",
        due_at=datetime(2025, 10, 16, 23, 59, tzinfo=LA),
        deliverable=Deliverable.FILE,
        late_policy=LatePolicy.PENALTY,
        late_penalty_pct=Decimal("10"),
        max_points=Decimal("10"),
        order=1,
    )


@pytest.fixture
def repo_link(course):
    return Milestone.objects.create(
        course=course,
        name="Code repository",
        due_at=datetime(2025, 12, 9, 23, 59, tzinfo=LA),
        deliverable=Deliverable.LINK,
        late_policy=LatePolicy.NO_CREDIT,
        order=2,
    )


@pytest.fixture
def checkin(course):
    return Milestone.objects.create(
        course=course,
        name="Mid-quarter check-in",
        due_at=datetime(2025, 11, 6, 17, 0, tzinfo=LA),
        deliverable=Deliverable.NONE,
        order=3,
    )


def pdf_bytes(size=600):
    head = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    return head + b"%" * max(0, size - len(head) - 6) + b"\n%%EOF"


def real_pdf_bytes(*lines: str) -> bytes:
    """A small PDF that viewers open: one page with ``lines`` of text (the README's
    screenshots show it framed in the grading view)."""
    text = "".join(
        f"BT /F1 {18 if i == 0 else 12} Tf 72 {740 - 28 * i} Td ({line}) Tj ET\n"
        for i, line in enumerate(lines)
    ).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip
    return bytes(out)


def zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("README.md", "# our code\n")
    return buf.getvalue()


def tar_gz_bytes():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        data = b"print('hello')\n"
        info = tarfile.TarInfo("main.py")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()

"""What an uploaded file is, judged by its content, and whether its name agrees.

Slides and milestone files share one rule: the content decides the type (``filetype``
reads the first bytes; the browser's claimed type and the name are never trusted), the
name must end in a suffix of that type (a PDF named ``report.html`` or
``report.pdf.html`` would be saved by the browser as a page and run when opened), and a
download is always an attachment of the detected type that browsers do not sniff.
Archives are also judged by what they would expand to, reading only their directory.
"""

import gzip
import tarfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat

# Characters that mean something in a header parameter, a path or a shell; replaced in
# the name we keep so that a download's Content-Disposition carries exactly one name.
_UNSAFE = set('"\\;/:*?<>|%')
_NAME_MAX = 200  # the original_name columns


@dataclass(frozen=True)
class Kind:
    """One accepted content type and the name suffixes a file of it may end in."""

    mime: str
    suffixes: tuple[str, ...]  # the first is the one a name gets when it has none


@dataclass(frozen=True)
class Checked:
    """An accepted upload: its detected type and the name to keep for its download."""

    content_type: str
    name: str


@dataclass(frozen=True)
class UploadRule:
    """What one use of uploads accepts, and the message when the content is none of it.

    ``wrong_type`` is formatted with ``found``: " (it looks like image/png)" or "".
    """

    kinds: tuple[Kind, ...]
    wrong_type: str

    def kind(self, mime: str) -> Kind | None:
        return next((kind for kind in self.kinds if kind.mime == mime), None)

    @property
    def accept(self) -> str:
        """The file input's ``accept`` attribute: every suffix this use takes."""
        return ",".join(suffix for kind in self.kinds for suffix in kind.suffixes)

    def suffix_for(self, mime: str) -> str:
        """The suffix a stored file of ``mime`` gets; "" for a type this use does not take."""
        kind = self.kind(mime)
        return kind.suffixes[0] if kind else ""

    def check(self, upload) -> Checked:
        """The upload's detected type and safe name, or a ValidationError a user can act on.

        Reads the first 8 KiB and leaves the file at its start.
        """
        limit = settings.MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is {limit} MB.",
                code="too_large",
            )
        upload.seek(0)
        head = upload.read(8192)
        upload.seek(0)
        guess = filetype.guess(head)
        kind = self.kind(guess.mime) if guess else None
        if kind is None:
            found = f" (it looks like {guess.mime})" if guess else ""
            raise forms.ValidationError(self.wrong_type.format(found=found), code="bad_type")
        name = safe_name(upload.name or "")
        if not name.lower().endswith(kind.suffixes):
            # Only the final suffix counts: "report.pdf.html" is an .html file to a browser.
            ends = PurePosixPath(name).suffix or "nothing"
            raise forms.ValidationError(
                f"The file's content is {' or '.join(kind.suffixes)} but its name ends in "
                f"“{ends}”; rename it to end in {kind.suffixes[0]} and try again.",
                code="bad_name",
            )
        return Checked(content_type=kind.mime, name=name)

    def download_name(self, name: str, content_type: str) -> str:
        """The name a download carries: safe, and ending in a suffix of its type.

        Names are checked on upload; this also covers files stored before that check.
        """
        name = safe_name(name) or "download"
        kind = self.kind(content_type)
        suffixes = kind.suffixes if kind else (".bin",)
        if not name.lower().endswith(suffixes):
            name = shorten(name + suffixes[0], suffixes[0])
        return name

    def attachment(
        self, fieldfile, *, name: str, content_type: str, missing: str, inline: bool = False
    ):
        """A download of a stored file: an attachment of a type we detected, never
        sniffed; ``missing`` is the 404 message when the file is gone. ``inline`` (a PDF
        shown in a frame of the app's own pages, e.g. the grading view) opens it in place:
        only a PDF, framed only by the app's own origin."""
        try:
            handle = fieldfile.open("rb")
        except FileNotFoundError:
            raise Http404(missing) from None
        inline = inline and content_type == "application/pdf" and bool(self.kind(content_type))
        response = FileResponse(
            handle,
            as_attachment=not inline,
            filename=self.download_name(name or PurePosixPath(fieldfile.name).name, content_type),
            content_type=content_type if self.kind(content_type) else "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        if inline:
            response["X-Frame-Options"] = "SAMEORIGIN"
            response._csp_replace = {"frame-ancestors": ["'self'"]}  # django-csp reads it
        return response


def safe_name(name: str) -> str:
    """The user's file name as we keep it: no path, no control or format characters
    (a right-to-left override can make "x\u202elmth.pdf" read as "xfdp.html"), nothing
    that could end a header parameter, at most 200 characters with its suffix kept."""
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = "".join(
        "_" if char in _UNSAFE else char
        for char in name
        if not unicodedata.category(char).startswith("C")
    ).strip()
    return shorten(name, "".join(PurePosixPath(name).suffixes[-2:]))


def shorten(name: str, suffix: str) -> str:
    if len(name) <= _NAME_MAX:
        return name
    suffix = suffix[-20:]
    return name[: _NAME_MAX - len(suffix)] + suffix


SLIDES = UploadRule(
    kinds=(
        Kind("application/pdf", (".pdf",)),
        Kind(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
    ),
    wrong_type=(
        "This file is not a PDF or a PowerPoint (.pptx) presentation{found}. "
        "Export your slides as PDF and upload that."
    ),
)

MILESTONE_FILES = UploadRule(
    kinds=(
        Kind("application/pdf", (".pdf",)),
        Kind("application/zip", (".zip",)),
        Kind("application/gzip", (".tar.gz", ".tgz")),
        Kind("application/x-tar", (".tar",)),
    ),
    wrong_type="Upload a PDF or an archive (zip or tar.gz){found}.",
)


# Archives: judged by their directory (zip) or their headers (tar), never extracted.

_CORRUPT = (
    "This archive is damaged or incomplete, so it cannot be opened; "
    "create it again and upload the new file."
)
_TAR_HEADER_ROOM = 4096  # per allowed member: its header, padding, long-name records
_TAR_RECORD_MAX = 64 * 1024  # a long name or pax record; real ones are a few hundred bytes
_TAR_RECORD_TYPES = (
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
)


class _TooBig(Exception):
    pass


class _HeaderOnly(tarfile.TarInfo):
    """A tar header that refuses a long-name or pax record larger than any real one:
    tarfile reads such a record whole into memory, whatever size it declares."""

    @classmethod
    def frombuf(cls, buf, encoding, errors):
        info = super().frombuf(buf, encoding, errors)
        if info.type in _TAR_RECORD_TYPES and info.size > _TAR_RECORD_MAX:
            raise _TooBig
        return info


class _Capped:
    """A read-only stream that stops once more than ``cap`` bytes came through it, so
    that reading the headers of a tar.gz never decompresses more than the limits allow."""

    def __init__(self, stream, cap: int):
        self._stream, self._left = stream, cap

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > self._left + 1:
            size = self._left + 1
        data = self._stream.read(size)
        self._left -= len(data)
        if self._left < 0:
            raise _TooBig
        return data


def check_archive(upload, content_type: str, *, max_bytes: int, max_members: int) -> None:
    """Refuse an archive that would expand beyond ``max_bytes`` in all or hold more than
    ``max_members`` entries, holds a path outside its folder, or cannot be read.

    Zip: the sizes its central directory declares (``infolist``). Tar and tar.gz: the
    member headers, streamed in order and summed without extracting; it stops at the
    first limit passed. Other types pass. Leaves the file at its start.
    """
    too_big = forms.ValidationError(
        f"Unpacked, this archive would be more than {filesizeformat(max_bytes)}, the limit; "
        "leave out data sets and build output, or share them by link.",
        code="archive_too_big",
    )
    too_many = forms.ValidationError(
        f"This archive holds more than {max_members:,} files, the limit; "
        "leave out data sets and build output, or share them by link.",
        code="archive_too_many",
    )
    upload.seek(0)
    try:
        if content_type == "application/zip":
            members = _zip_members(upload)
        elif content_type in ("application/gzip", "application/x-tar"):
            stream = upload
            if content_type == "application/gzip":
                stream = gzip.GzipFile(fileobj=upload, mode="rb")
            cap = max_bytes + (max_members + 2) * _TAR_HEADER_ROOM
            members = _tar_members(_Capped(stream, cap))
        else:
            return
        count = total = 0
        for name, size in members:
            count += 1
            total += size
            if count > max_members:
                raise too_many
            if total > max_bytes:
                raise too_big
            if _escapes(name):
                raise forms.ValidationError(
                    f"This archive holds “{name[:100]}”, a path outside the archive’s folder; "
                    "pack it again from inside your project folder.",
                    code="archive_path",
                )
    except _TooBig:
        raise too_big from None
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, zlib.error, ValueError):
        raise forms.ValidationError(_CORRUPT, code="archive_corrupt") from None
    finally:
        upload.seek(0)


def _zip_members(upload):
    with zipfile.ZipFile(upload) as archive:
        for info in archive.infolist():
            yield info.filename, info.file_size


def _tar_members(stream):
    # "r|": a stream of headers read in order, no seeking back, nothing extracted. (Not
    # "r|gz" on the upload: the gunzip happens in _Capped's stream, where it is bounded.)
    with tarfile.open(fileobj=stream, mode="r|", tarinfo=_HeaderOnly) as archive:
        for member in archive:
            yield member.name, member.size


def _escapes(name: str) -> bool:
    """Whether an archive member would land outside the folder it is unpacked in."""
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    return (
        posix.is_absolute()
        or bool(windows.drive or windows.root)
        or ".." in posix.parts
        or ".." in windows.parts
    )

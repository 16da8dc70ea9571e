"""Attachments (ECG images, PDFs and 12-lead waveforms): what a file is, judged by its
content, and its storage.

The type comes from the file's first bytes (its magic number; a DICOM's "DICM" at byte 128, an
XML whose root is ``AnnotatedECG``), never from its name or the content type its sender
declared: a PNG named ``ecg.pdf`` is a PNG, and a text file named ``ecg.png`` is refused. A
waveform (DICOM 12-lead ECG, HL7 aECG) is kept as sent and drawn on standard ECG paper: the
PNG drawing (``rendition``) is what the pages show. ``sniff`` and ``check`` are pure; ``store``
and ``get`` use the request's session and never commit.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import warnings
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.ecg_paper import render_ecg
from alerts.exceptions import AttachmentRejected, AttachmentTooLarge
from alerts.models import Attachment
from alerts.waveform_aecg import read_aecg
from alerts.waveform_dicom import read_dicom
from alerts.waveforms import Unreadable, Waveform
from units.exceptions import NotFound
from units.models import User
from units.vocabulary import FACILITY_ROLES, Role

# content type → the first bytes every file of that type starts with
MAGIC: dict[str, bytes] = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "application/pdf": b"%PDF-",
}
DICOM = "application/dicom"
AECG = "application/x-hl7-aecg+xml"
WAVEFORMS = (DICOM, AECG)
CONTENT_TYPES = (*MAGIC, *WAVEFORMS)
ACCEPTED = "a PNG image, a JPEG image, a PDF document, a DICOM 12-lead ECG waveform or an HL7 aECG"
# An XML declaration, comments and a DOCTYPE (refused later, but still an aECG's), then the
# root element AnnotatedECG (any prefix): how an aECG starts.
_AECG_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*"
    rb"(?:<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:[A-Za-z_][\w.-]*:)?AnnotatedECG[\s>/]",
    re.DOTALL,
)
_AECG_HEAD = 64 * 1024  # the bytes the root must start in
MAX_FILENAME = 255
# An ECG photo or scan is a few megapixels; far more is a decompression bomb.
MAX_PIXELS = 40_000_000
_PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks: its type from its content, its size and its sha256; a
    waveform's drawing on ECG paper (a PNG), None for an image or a PDF."""

    content_type: str
    size: int
    sha256: str
    rendition: bytes | None = None


def sniff(content: bytes) -> str | None:
    """The content type that ``content`` starts like, or None if it is none we accept."""
    for content_type, magic in MAGIC.items():
        if content.startswith(magic):
            return content_type
    if content[128:132] == b"DICM":
        return DICOM
    if _AECG_START.match(content[:_AECG_HEAD]):
        return AECG
    return None


def clean_filename(filename: str | None) -> str:
    """The sender's file name as kept for the record: no NUL characters, at most 255 long."""
    return (filename or "").replace("\x00", "").strip()[:MAX_FILENAME]


def check(content: bytes, limit: int, filename: str = "") -> CheckedFile:
    """Accept ``content`` if it is non-empty, at most ``limit`` bytes and a PNG, JPEG, PDF or
    12-lead waveform (then drawn: seconds of work, so callers on the event loop use a thread).

    ``content`` may hold up to ``limit + 1`` bytes: that is enough to know it is too large.
    """
    name = f"{filename!r} " if filename else "the file "
    if len(content) > limit:
        raise AttachmentTooLarge(f"{name}is larger than the limit of {limit} bytes")
    if not content:
        raise AttachmentRejected(f"{name}is empty: send {ACCEPTED}")
    content_type = sniff(content)
    if content_type is None:
        raise AttachmentRejected(
            f"{name}is not {ACCEPTED} (judged by its content, not its name or declared type)"
        )
    rendition = None
    if content_type in WAVEFORMS:
        try:
            waveform = read_waveform(content, content_type)
        except Unreadable as exc:
            raise AttachmentRejected(f"{name}starts like {content_type} but {exc}") from exc
        rendition = render_ecg(waveform.leads, waveform.rate_hz)
    else:
        problem = decode_problem(content, content_type)
        if problem is not None:
            raise AttachmentRejected(f"{name}starts like {content_type} but {problem}")
    sha256 = hashlib.sha256(content).hexdigest()
    return CheckedFile(content_type, len(content), sha256, rendition)


def read_waveform(content: bytes, content_type: str) -> Waveform:
    """The 12 leads of a DICOM or aECG file (``Unreadable`` if it is not one)."""
    return read_dicom(content) if content_type == DICOM else read_aecg(content)


def decode_problem(content: bytes, content_type: str) -> str | None:
    """Why ``content`` does not decode as the image or PDF its first bytes claim, or None:
    a PNG header on an HTML page, a truncated image, a bomb, a PDF without a page."""
    if content_type in _PIL_FORMATS:
        return _image_problem(content, _PIL_FORMATS[content_type])
    return _pdf_problem(content)


def _image_problem(content: bytes, expected: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[expected]) as probe:
                probe.verify()  # structure and checksums
            with Image.open(io.BytesIO(content), formats=[expected]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"is {width}x{height} pixels: more than {MAX_PIXELS:,}"
                image.load()  # every pixel decodes
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return f"does not decode as one ({type(exc).__name__})"
    except Image.DecompressionBombWarning:
        return f"is more than {MAX_PIXELS:,} pixels"
    return None


def _pdf_problem(content: bytes) -> str | None:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if len(reader.pages) < 1:
            return "has no page"
        reader.pages[0].mediabox  # noqa: B018 - reading the first page's box parses it
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"does not decode as one ({type(exc).__name__})"
    return None


async def store(
    db: AsyncSession, user: User, content: bytes, checked: CheckedFile, filename: str
) -> Attachment:
    """Add the checked file to the request's transaction (flushed, not committed)."""
    attachment = Attachment(
        id=str(uuid.uuid4()),
        sha256=checked.sha256,
        content_type=checked.content_type,
        size=checked.size,
        filename=clean_filename(filename),
        content=content,
        rendition=checked.rendition,
        uploaded_by=user.username,
    )
    db.add(attachment)
    await db.flush()
    return attachment


_PARTY_OF_AN_ALERT = text(
    "SELECT EXISTS (SELECT 1 FROM alerts WHERE CAST(:id AS varchar) = ANY(attachment_ids)"
    " AND (sent_by = :username OR to_facility_id = :facility OR from_facility_id = :facility"
    " OR from_ambulance_id = :ambulance))"
    " OR EXISTS (SELECT 1 FROM ecgs WHERE attachment_id = CAST(:id AS varchar)"
    " AND (:reader OR from_facility_id = :facility OR from_ambulance_id = :ambulance))"
)


async def may_read(db: AsyncSession, user: User, attachment: Attachment, overseer: bool) -> bool:
    """Whether the user may read the attachment: its uploader, an overseer (dispatch, audit,
    admin), a party of an alert carrying it (sender, the sending or receiving facility's
    team, the sending ambulance's crew), the ECG readers and the sending unit of an ECG sent
    for reading."""
    if overseer or attachment.uploaded_by == user.username:
        return True
    facility = user.facility_id if user.role in FACILITY_ROLES else None
    ambulance = user.ambulance_id if user.role == Role.crew else None
    found = await db.scalar(
        _PARTY_OF_AN_ALERT,
        {
            "id": attachment.id,
            "username": user.username,
            "facility": facility,
            "ambulance": ambulance,
            "reader": user.role == Role.ecg_reader,
        },
    )
    return bool(found)


async def get(db: AsyncSession, attachment_id: uuid.UUID) -> Attachment:
    """The attachment with this id, content included (NotFound if there is none)."""
    attachment = await db.get(Attachment, str(attachment_id))
    if attachment is None:
        raise NotFound("attachment", str(attachment_id))
    return attachment

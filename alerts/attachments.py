"""Attachments (ECG images and PDFs): what a file is, judged by its content, and its storage.

The type comes from the file's first bytes (its magic number), never from its name or the
content type its sender declared: a PNG named ``ecg.pdf`` is a PNG, and a text file named
``ecg.png`` is refused. ``sniff`` and ``check`` are pure; ``store`` and ``get`` use the
request's session and never commit.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from alerts.exceptions import AttachmentRejected, AttachmentTooLarge
from alerts.models import Attachment
from units.exceptions import NotFound
from units.models import User

# content type → the first bytes every file of that type starts with
MAGIC: dict[str, bytes] = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "application/pdf": b"%PDF-",
}
ACCEPTED = "a PNG image, a JPEG image or a PDF document"
MAX_FILENAME = 255


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks: its type from its content, its size and its sha256."""

    content_type: str
    size: int
    sha256: str


def sniff(content: bytes) -> str | None:
    """The content type that ``content`` starts like, or None if it is none we accept."""
    for content_type, magic in MAGIC.items():
        if content.startswith(magic):
            return content_type
    return None


def clean_filename(filename: str | None) -> str:
    """The sender's file name as kept for the record: no NUL characters, at most 255 long."""
    return (filename or "").replace("\x00", "").strip()[:MAX_FILENAME]


def check(content: bytes, limit: int, filename: str = "") -> CheckedFile:
    """Accept ``content`` if it is non-empty, at most ``limit`` bytes and a PNG, JPEG or PDF.

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
    return CheckedFile(content_type, len(content), hashlib.sha256(content).hexdigest())


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
        uploaded_by=user.username,
    )
    db.add(attachment)
    await db.flush()
    return attachment


async def get(db: AsyncSession, attachment_id: uuid.UUID) -> Attachment:
    """The attachment with this id, content included (NotFound if there is none)."""
    attachment = await db.get(Attachment, str(attachment_id))
    if attachment is None:
        raise NotFound("attachment", str(attachment_id))
    return attachment

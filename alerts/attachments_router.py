"""HTTP endpoints of attachments: upload an ECG image, PDF or 12-lead waveform, and read it back.

Uploading is open to every signed-in role except the auditor, who only reads; a file must
decode as the PNG, JPEG, PDF, DICOM 12-lead ECG or HL7 aECG its content starts like. A
waveform is read back as its drawing on ECG paper (a PNG), or as sent with ``?original=1``
(a download). Reading is for the parties only: the
uploader, the sender and the sending and receiving teams of an alert carrying it, and the
overseers (dispatch, audit, admin); anyone else gets 404, as if it did not exist. It is served
in a sandbox (``Content-Security-Policy: sandbox``), never sniffed, with the verified type.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel

from alerts import attachments
from alerts.scope import OVERSEERS
from units import scope
from units.deps import CurrentUser, SessionDep
from units.exceptions import NotFound
from units.vocabulary import ACTING_ROLES

router = APIRouter(prefix="/attachments", tags=["attachments"])

UPLOADERS = ACTING_ROLES


class AttachmentOut(BaseModel):
    """A stored attachment, as the uploader refers to it in an alert."""

    id: str
    sha256: str
    content_type: str
    size: int


async def attachment_limit(request: Request) -> int:
    """The largest attachment accepted, in bytes (the app's ``max_attachment_bytes``)."""
    return int(request.app.state.settings.max_attachment_bytes)


LimitDep = Annotated[int, Depends(attachment_limit)]


@router.post("", response_model=AttachmentOut, status_code=201)
async def upload_attachment(
    file: Annotated[
        UploadFile,
        File(description="a PNG, JPEG, PDF, DICOM 12-lead ECG or HL7 aECG file, at most 10 MB"),
    ],
    db: SessionDep,
    user: CurrentUser,
    limit: LimitDep,
) -> AttachmentOut:
    """Store an ECG image, PDF or waveform; its type is judged by its content, never by its
    name. A waveform is drawn on ECG paper here (kept beside the file as sent)."""
    scope.require_role(user, UPLOADERS, "upload attachments")
    filename = attachments.clean_filename(file.filename)
    content = await file.read(limit + 1)  # the upload is spooled: read no more than needed
    # decoding an image or a PDF, or drawing a waveform, takes a while: off the event loop
    checked = await asyncio.to_thread(attachments.check, content, limit, filename)
    stored = await attachments.store(db, user, content, checked, filename)
    return AttachmentOut(
        id=stored.id, sha256=stored.sha256, content_type=stored.content_type, size=stored.size
    )


@router.get(
    "/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in attachments.CONTENT_TYPES}}},
)
async def read_attachment(
    attachment_id: uuid.UUID,
    db: SessionDep,
    user: CurrentUser,
    original: Annotated[
        bool, Query(description="a waveform as sent (DICOM, aECG), not its drawing")
    ] = False,
) -> Response:
    """The attachment to be shown inline: an image or PDF as stored, a waveform as its PNG
    drawing on ECG paper; with ``original=1`` a waveform's file as sent (a download)."""
    attachment = await attachments.get(db, attachment_id)
    if not await attachments.may_read(db, user, attachment, user.role in OVERSEERS):
        raise NotFound("attachment", str(attachment_id))
    if attachment.rendition is not None and not original:
        content, media_type, disposition = attachment.rendition, "image/png", "inline"
    else:
        content, media_type = attachment.content, attachment.content_type
        disposition = "inline" if attachment.rendition is None else _download(attachment.filename)
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )


def _download(filename: str) -> str:
    """A waveform's original is a download, under the sender's file name (RFC 6266)."""
    return f"attachment; filename*=UTF-8''{quote(filename)}" if filename else "attachment"

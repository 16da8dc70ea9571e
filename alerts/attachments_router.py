"""HTTP endpoints of attachments: upload an ECG image or PDF, and read it back.

Uploading is open to every signed-in role except the auditor, who only reads; a file must
decode as the PNG, JPEG or PDF its content starts like. Reading is for the parties only: the
uploader, the sender and the sending and receiving teams of an alert carrying it, and the
overseers (dispatch, audit, admin); anyone else gets 404, as if it did not exist. It is served
in a sandbox (``Content-Security-Policy: sandbox``), never sniffed, with the verified type.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
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


def attachment_limit(request: Request) -> int:
    """The largest attachment accepted, in bytes (the app's ``max_attachment_bytes``)."""
    return int(request.app.state.settings.max_attachment_bytes)


LimitDep = Annotated[int, Depends(attachment_limit)]


@router.post("", response_model=AttachmentOut, status_code=201)
async def upload_attachment(
    file: Annotated[UploadFile, File(description="a PNG, JPEG or PDF file, at most 10 MB")],
    db: SessionDep,
    user: CurrentUser,
    limit: LimitDep,
) -> AttachmentOut:
    """Store an ECG image or PDF; its type is judged by its content, never by its name."""
    scope.require_role(user, UPLOADERS, "upload attachments")
    filename = attachments.clean_filename(file.filename)
    content = await file.read(limit + 1)  # the upload is spooled: read no more than needed
    # decoding an image or a PDF takes a while: off the event loop
    checked = await asyncio.to_thread(attachments.check, content, limit, filename)
    stored = await attachments.store(db, user, content, checked, filename)
    return AttachmentOut(
        id=stored.id, sha256=stored.sha256, content_type=stored.content_type, size=stored.size
    )


@router.get(
    "/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in attachments.MAGIC}}},
)
async def read_attachment(attachment_id: uuid.UUID, db: SessionDep, user: CurrentUser) -> Response:
    """The attachment's bytes with the content type found at upload, to be shown inline."""
    attachment = await attachments.get(db, attachment_id)
    if not await attachments.may_read(db, user, attachment, user.role in OVERSEERS):
        raise NotFound("attachment", str(attachment_id))
    return Response(
        content=attachment.content,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )

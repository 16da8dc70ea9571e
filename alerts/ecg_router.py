"""HTTP endpoints of the ECG reading network (issue 16): send a tracing for reading, list the
queue, read one, record a reading. ``alerts/ecgs.py`` holds the rules."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from alerts import attachments, ecgs, stream
from alerts.exceptions import EcgRejected
from alerts.service import CaseLink
from units.deps import CurrentUser, SessionDep
from units.exceptions import NotFound

router = APIRouter(prefix="/ecgs", tags=["ecgs"])


class EcgIn(BaseModel):
    """A tracing already uploaded (``POST /attachments``), sent for reading."""

    model_config = ConfigDict(extra="forbid")

    case_id: int = Field(ge=1, le=2**63 - 1)
    attachment_id: str = Field(min_length=1, max_length=36)


class ReadingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding: Literal["stemi", "no_stemi", "other_critical", "unreadable"]
    text: str = Field(default="", max_length=2000)
    reason: str = Field(default="", max_length=500)  # needed for a second reading


def _link(request: Request) -> CaseLink:
    return cast(CaseLink, request.app.state.case_link)


def _now() -> datetime:
    return datetime.now(UTC)


async def _from_form(request: Request, user: CurrentUser, db: SessionDep) -> EcgIn:
    """Store the multipart ``file`` as an attachment; the ECG names it."""
    limit = int(request.app.state.settings.max_attachment_bytes)
    async with request.form(max_files=1, max_fields=4) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise EcgRejected("send the tracing as the multipart field 'file' (with 'case_id')")
        filename = attachments.clean_filename(upload.filename)
        content = await upload.read(limit + 1)
        case_id = form.get("case_id")
    checked = await asyncio.to_thread(attachments.check, content, limit, filename)
    try:
        data = EcgIn.model_validate({"case_id": case_id, "attachment_id": "-"})
    except ValidationError as exc:
        raise EcgRejected("'case_id' must be a case number") from exc
    stored = await attachments.store(db, user, content, checked, filename)
    return EcgIn(case_id=data.case_id, attachment_id=stored.id)


_SEND_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": EcgIn.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "case_id"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "case_id": {"type": "integer", "minimum": 1},
                },
            }
        },
    },
}


@router.post("", status_code=201, openapi_extra={"requestBody": _SEND_BODY})
async def send_ecg(request: Request, db: SessionDep, user: CurrentUser) -> JSONResponse:
    """Send a tracing for reading: multipart ``file`` + ``case_id``, or JSON ``{case_id,
    attachment_id}``. 201 with the ECG waiting for reading; 200 with the same ECG when this
    file was already sent for the case."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        data = await _from_form(request, user, db)
    else:
        try:
            data = EcgIn.model_validate_json(await request.body())
        except ValidationError as exc:
            raise EcgRejected(
                "send JSON {case_id, attachment_id} or a multipart 'file' with 'case_id'"
            ) from exc
    settings = request.app.state.settings
    unread_after = timedelta(seconds=float(settings.ecg_unread_escalation_seconds))
    submitted = await ecgs.submit(
        db, user, _link(request), data.case_id, data.attachment_id, _now(), unread_after
    )
    body = ecgs.view(submitted.ecg, [])
    return JSONResponse(body, status_code=201 if submitted.created else 200)


@router.get("", response_model=list[dict[str, Any]])
async def list_ecgs(
    db: SessionDep,
    user: CurrentUser,
    status: Literal["awaiting_reading", "read", "unreadable"] | None = None,
    case_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JSONResponse:
    """The ECGs you may see: the readers' queue (``status=awaiting_reading``, oldest first,
    with the seconds each has waited), or a unit's own sent tracings and their readings.
    ``X-Stream-Epoch`` / ``X-Stream-Head``: where the readers' stream (``/ws/ecgs``) stands,
    so a page follows it from there."""
    now = _now()
    listed = await ecgs.listed(db, user, status, limit, case_id)
    epoch, head = await stream.head(db, stream.ECG_STREAM)
    body = [
        {**ecgs.view(ecg, readings), "waiting_seconds": _waited(ecg.received_at, ecg.read_at, now)}
        for ecg, readings in listed
    ]
    return JSONResponse(body, headers={"X-Stream-Epoch": str(epoch), "X-Stream-Head": str(head)})


def _waited(received: datetime, read: datetime | None, now: datetime) -> float:
    return round(((read or now) - received).total_seconds(), 1)


@router.get("/{ecg_id}")
async def get_ecg(
    ecg_id: Annotated[int, Path(ge=1, le=2**63 - 1)], db: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    """One ECG with every reading (404 for an ECG you may not see)."""
    ecg = await ecgs.get_ecg(db, ecg_id)
    if not ecgs.may_see(user, ecg):
        raise NotFound("ecg", str(ecg_id))
    return ecgs.view(ecg, (await ecgs.readings_of(db, [ecg.id]))[ecg.id])


@router.post("/{ecg_id}/reading")
async def read_ecg(
    request: Request,
    ecg_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    data: ReadingIn,
    db: SessionDep,
    user: CurrentUser,
) -> dict[str, Any]:
    """A reader's finding: stamps ``diagnosis`` on the case (the first readable reading) and
    goes back to the sender live (``ecg.read``). A second reading is a correction (``reason``)."""
    ecg, readings = await ecgs.read(
        db, user, _link(request), ecg_id, data.finding, data.text, data.reason, _now()
    )
    return ecgs.view(ecg, readings)

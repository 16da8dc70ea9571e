"""HTTP endpoints of alerts: send, answer, cancel, read, and replay a stream over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alerts import scope, service, stream
from alerts.models import Alert
from alerts.schemas import AckIn, AlertIn, AlertOut, CancelIn
from units.deps import CurrentUser, SessionDep
from units.idempotency import request_hash
from units.models import User
from units.schemas import Slug

router = APIRouter(tags=["alerts"])


def _link(request: Request) -> service.CaseLink:
    return cast(service.CaseLink, request.app.state.case_link)


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/alerts", response_model=AlertOut, status_code=201)
async def send_alert(
    request: Request,
    data: AlertIn,
    db: SessionDep,
    user: CurrentUser,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=128)
    ] = None,
) -> JSONResponse:
    """Send the case, the ECG and the ETA ahead of the patient; stamps ``prealert_sent``."""
    settings = request.app.state.settings
    alert, frame, replayed = await service.send(
        db,
        user,
        data,
        _link(request),
        _now(),
        timedelta(seconds=settings.alert_ack_timeout_seconds),
        idempotency_key,
        request_hash(data.model_dump(mode="json")),
    )
    body = AlertOut(alert=service.view(alert), seq=frame.seq, epoch=frame.epoch)
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=headers)


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut)
async def answer_alert(
    request: Request, alert_id: int, data: AckIn, db: SessionDep, user: CurrentUser
) -> AlertOut:
    """The receiving team acknowledges, activates (stamps ``cathlab_activated``) or declines."""
    alert, frame = await service.answer(
        db, user, alert_id, data.action, data.note, _link(request), _now()
    )
    return AlertOut(alert=service.view(alert), seq=frame.seq, epoch=frame.epoch)


@router.post("/alerts/{alert_id}/cancel")
async def cancel_alert(
    alert_id: int, data: CancelIn, db: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    """Cancel an alert (its sender, a dispatcher or an admin)."""
    alert = await service.cancel(db, user, alert_id, data.reason, _now())
    return service.view(alert)


@router.get("/alerts/{alert_id}")
async def get_alert(alert_id: int, db: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """One alert as its screens show it."""
    alert = await service.get_alert(db, alert_id)
    if user.role not in scope.OVERSEERS and user.username != alert.sent_by:
        scope.require_stream_reader(user, stream.facility_stream(alert.to_facility_id))
    return service.view(alert)


@router.get("/alerts")
async def list_alerts(
    db: SessionDep,
    user: CurrentUser,
    case_id: int | None = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Alerts, newest first: all for dispatchers and auditors, else those of the user's facility."""
    statement = select(Alert).order_by(Alert.id.desc()).limit(limit)
    if case_id is not None:
        statement = statement.where(Alert.case_id == case_id)
    if open_only:
        statement = statement.where(Alert.closed_at.is_(None))
    if user.role not in scope.OVERSEERS:
        mine = user.facility_id or ""
        statement = statement.where(
            (Alert.to_facility_id == mine)
            | (Alert.from_facility_id == mine)
            | (Alert.sent_by == user.username)
        )
    return [service.view(a) for a in (await db.scalars(statement)).all()]


@router.get("/facilities/{facility_id}/alerts")
async def replay(
    facility_id: Slug,
    db: SessionDep,
    user: CurrentUser,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> dict[str, Any]:
    """The facility's stream after ``since``, over HTTP (the same frames as the websocket)."""
    return await _replay(db, user, stream.facility_stream(facility_id), since, limit)


@router.get("/ambulances/{ambulance_id}/missions")
async def replay_missions(
    ambulance_id: Slug,
    db: SessionDep,
    user: CurrentUser,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> dict[str, Any]:
    """The ambulance crew's mission stream after ``since``, over HTTP."""
    return await _replay(db, user, stream.ambulance_stream(ambulance_id), since, limit)


@router.get("/dispatch/alerts")
async def replay_dispatch(
    db: SessionDep,
    user: CurrentUser,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> dict[str, Any]:
    """The dispatchers' stream after ``since`` (every alert and escalation), over HTTP."""
    return await _replay(db, user, stream.DISPATCH_STREAM, since, limit)


async def _replay(
    db: AsyncSession, user: User, name: str, since: int, limit: int
) -> dict[str, Any]:
    scope.require_stream_reader(user, name)
    epoch, head = await stream.head(db, name)
    frames = [stream.frame(e) for e in await stream.frames_after(db, name, since, limit)]
    return {"stream": name, "epoch": epoch, "head": head, "frames": frames}

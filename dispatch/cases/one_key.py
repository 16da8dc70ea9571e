"""The one-key call (一键呼叫, issue 16): from a township unit's field page, one press opens a
case at the unit and alerts the county's receiving team and the 120 console together, with the
unit's location and phone; the ECG and stamps that follow attach to that case.

The case is opened as the unit would open it (``create_case``: the patient here, at the unit)
and the alert is sent as the unit would send it (``alerts.service.send``), to the nearest
facility by road that receives the pathway's alerts (the pathway data's ``receivers``), with the
road time as its ETA; every alert is on the dispatchers' stream. One Idempotency-Key covers
both: a retried press returns the same case and alert.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alerts import service as alerts_service
from alerts.schemas import AlertIn
from dispatch.cases import service as cases_service
from dispatch.cases.exceptions import InvalidEvent
from dispatch.cases.hooks import CaseHooksDep
from dispatch.cases.pathways import load_pathways
from dispatch.cases.router import IdempotencyKey
from dispatch.cases.schemas import CaseIn
from geo.engine import TravelTimeEngine
from geo.points import lon_lat, require_lon_lat
from geo.runtime import RoadRuntime
from geo.schemas import PointIn
from units.deps import CurrentUser, LimitsDep, SessionDep
from units.exceptions import Forbidden
from units.idempotency import request_hash
from units.models import Facility
from units.vocabulary import Role, receiver_tokens

router = APIRouter(tags=["cases"])


class OneKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pathway: Annotated[str, Field(min_length=1, max_length=32)] = "stemi"
    complaint: Annotated[str, Field(max_length=500)] = ""


class OneKeyOut(BaseModel):
    case_id: int
    alert_id: int
    to_facility_id: str
    eta_minutes: float | None


def _minutes(engine: TravelTimeEngine | None, start: tuple[float, float], f: Facility) -> float:
    """Road minutes from the unit to a facility (unreachable or no roads: infinity)."""
    target = lon_lat(f.location)
    if engine is None or target is None:
        return float("inf")
    route = engine.route_between(start, target)
    return float("inf") if route is None else round(route.minutes, 1)


async def nearest_receiver(
    db: AsyncSession, engine: TravelTimeEngine | None, start: tuple[float, float], pathway: str
) -> tuple[Facility, float | None]:
    """The nearest facility by road that receives this pathway's alerts and is not offline."""
    spec = load_pathways().get(pathway)
    if spec is None:
        known = ", ".join(sorted(load_pathways()))
        raise InvalidEvent(f"unknown pathway {pathway!r}: use one of {known}")
    needed = spec.receivers.capabilities
    candidates = [
        f
        for f in (await db.scalars(select(Facility).order_by(Facility.id))).all()
        if needed & receiver_tokens(f.capabilities, f.kind) and f.status != "offline"
    ]
    if not candidates:
        raise InvalidEvent(f"no facility receives {pathway} alerts")
    timed = sorted((_minutes(engine, start, f), f.id, f) for f in candidates)
    minutes, _, found = timed[0]
    return found, minutes if minutes != float("inf") else None


def _engine(request: Request) -> TravelTimeEngine | None:
    roads = cast(RoadRuntime, request.app.state.roads)
    return roads.engine


@router.post("/one-key-call", response_model=OneKeyOut, status_code=201)
async def one_key_call(
    request: Request,
    data: OneKeyIn,
    db: SessionDep,
    user: CurrentUser,
    limits: LimitsDep,
    hooks: CaseHooksDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A township unit's one press: a case here, and its alert to the nearest receiving team
    (and so to the 120 console). 201 ``{case_id, alert_id, to_facility_id, eta_minutes}``."""
    if user.role != Role.township or user.facility_id is None:
        raise Forbidden("the one-key call is a township unit's, not the " + user.role + " role's")
    unit = await db.get(Facility, user.facility_id)
    if unit is None:
        raise Forbidden("your unit is not on the map")
    here = require_lon_lat(unit.location, f"facility {unit.id}")
    now = datetime.now(UTC)
    destination, eta = await nearest_receiver(db, _engine(request), here, data.pathway)
    case_in = CaseIn(
        pathway=data.pathway, location=PointIn(lon=here[0], lat=here[1]), complaint=data.complaint
    )
    case, replayed = await cases_service.create_case(
        db, user, case_in, limits, now, idempotency_key, hooks=hooks
    )
    phone = f" · ☎ {unit.phone}" if unit.phone else ""
    summary = f"一键呼叫 One-key call · {unit.name_zh}{phone}"
    alert_in = AlertIn(
        case_id=case.id,
        to_facility_id=destination.id,
        pathway=data.pathway,
        summary=f"{summary} · {data.complaint}" if data.complaint else summary,
        eta_minutes=eta,
    )
    settings = request.app.state.settings
    alert, _, _ = await alerts_service.send(
        db,
        user,
        alert_in,
        request.app.state.case_link,
        now,
        timedelta(seconds=settings.alert_ack_timeout_seconds),
        f"{idempotency_key}:alert" if idempotency_key else None,
        request_hash(alert_in.model_dump(mode="json", exclude={"eta_minutes"})),
    )
    body = OneKeyOut(
        case_id=case.id, alert_id=alert.id, to_facility_id=alert.to_facility_id, eta_minutes=eta
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=headers)

"""HTTP endpoints of drills: schedule or start at once, start, end, cancel, list, read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from dispatch.cases.router import IdempotencyKey
from dispatch.drills import service
from dispatch.drills.schemas import DrillIn, DrillOut
from units.deps import CurrentUser, SessionDep

router = APIRouter(prefix="/drills", tags=["drills"])


@router.post("", response_model=DrillOut, status_code=201)
async def create_drill(
    data: DrillIn, db: SessionDep, user: CurrentUser, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Schedule a drill at a unit (``scheduled_at``), or start it at once (``unannounced`` or
    no time): the drill case opens at the unit and its stream hears ``drill.started``."""
    drill, replayed = await service.create(db, user, data, datetime.now(UTC), idempotency_key)
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(service.view(drill), status_code=201, headers=headers)


@router.get("", response_model=list[DrillOut])
async def list_drills(
    db: SessionDep,
    user: CurrentUser,
    facility_id: Annotated[str | None, Query(max_length=64)] = None,
) -> JSONResponse:
    """The drills the user may see (a unit: its own), latest scheduled first."""
    drills = await service.list_drills(db, user, facility_id)
    return JSONResponse([service.view(drill) for drill in drills])


@router.get("/{drill_id}", response_model=DrillOut)
async def read_drill(drill_id: int, db: SessionDep, user: CurrentUser) -> JSONResponse:
    return JSONResponse(service.view(await service.readable_drill(db, user, drill_id)))


@router.post("/{drill_id}/start", response_model=DrillOut)
async def start_drill(drill_id: int, db: SessionDep, user: CurrentUser) -> JSONResponse:
    """Start a scheduled drill now."""
    drill = await service.start_by(db, user, drill_id, datetime.now(UTC))
    return JSONResponse(service.view(drill))


@router.post("/{drill_id}/end", response_model=DrillOut)
async def end_drill(drill_id: int, db: SessionDep, user: CurrentUser) -> JSONResponse:
    """End a started drill: its case is closed and its intervals scored against the targets."""
    drill = await service.end(db, user, drill_id, datetime.now(UTC))
    return JSONResponse(service.view(drill))


@router.post("/{drill_id}/cancel", response_model=DrillOut)
async def cancel_drill(drill_id: int, db: SessionDep, user: CurrentUser) -> JSONResponse:
    """Cancel a scheduled or started drill (a started drill's case is cancelled with it)."""
    drill = await service.cancel(db, user, drill_id, datetime.now(UTC))
    return JSONResponse(service.view(drill))

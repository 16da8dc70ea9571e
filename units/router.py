"""HTTP endpoints of the units package: facilities, ambulances, positions and status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from geo.points import check_not_future
from geo.schemas import Feature, FeatureCollection
from units import scope, service
from units.deps import CurrentUser, LimitsDep, SessionDep
from units.geojson import ambulance_feature, facility_feature
from units.hooks import hooks
from units.schemas import (
    AmbulanceStatus,
    Capability,
    FacilityKind,
    FacilityPatch,
    PositionIn,
    PositionsAccepted,
    Slug,
    StatusIn,
)
from units.track_writer import Report, track_writer

router = APIRouter(tags=["units"])
_position_batch = TypeAdapter(list[PositionIn])


def parse_positions(body: Any) -> list[PositionIn]:
    """One position or a batch, with errors located as ``positions[i].field``."""
    try:
        if isinstance(body, list):
            return _position_batch.validate_python(body)
        return [PositionIn.model_validate(body)]
    except ValidationError as exc:
        prefix: tuple[str | int, ...] = ("positions",) if isinstance(body, list) else ()
        errors = [{**error, "loc": (*prefix, *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc


@router.get("/facilities", response_model=FeatureCollection)
async def list_facilities(
    db: SessionDep,
    user: CurrentUser,
    kind: FacilityKind | None = None,
    capability: Capability | None = None,
) -> FeatureCollection:
    """Facilities as GeoJSON, optionally of one kind or with one capability."""
    facilities = await service.list_facilities(db, kind, capability)
    return FeatureCollection(features=[facility_feature(f) for f in facilities])


@router.get("/facilities/{facility_id}", response_model=Feature)
async def get_facility(facility_id: Slug, db: SessionDep, user: CurrentUser) -> Feature:
    """One facility as a GeoJSON feature."""
    return facility_feature(await service.get_facility(db, facility_id))


@router.patch("/facilities/{facility_id}", response_model=Feature)
async def patch_facility(
    facility_id: Slug, patch: FacilityPatch, db: SessionDep, user: CurrentUser
) -> Feature:
    """Change a facility (e.g. the cath lab's status); its own users or an admin only."""
    return facility_feature(await service.patch_facility(db, user, facility_id, patch))


@router.get("/ambulances", response_model=FeatureCollection)
async def list_ambulances(
    db: SessionDep, user: CurrentUser, status: AmbulanceStatus | None = None
) -> FeatureCollection:
    """Ambulances at their last known positions."""
    ambulances = await service.list_ambulances(db, status)
    return FeatureCollection(features=[ambulance_feature(a) for a in ambulances])


@router.post("/ambulances/{ambulance_id}/positions", response_model=PositionsAccepted)
async def post_positions(
    request: Request,
    ambulance_id: Slug,
    positions: Annotated[Any, Body(description="one position object, or a list of them (a batch)")],
    user: CurrentUser,
    limits: LimitsDep,
) -> PositionsAccepted:
    """One GPS fix or a batch, all checked before any is written, then written with the other
    requests' of the same moment in one transaction (``units.track_writer``)."""
    scope.require_ambulance_reporter(user, ambulance_id, "post positions")
    fixes = service.check_fixes(parse_positions(positions), limits, datetime.now(UTC))
    accepted = await track_writer(request).submit(Report(ambulance_id, fixes, user.id))
    return PositionsAccepted(
        ambulance_id=accepted.ambulance_id,
        accepted=accepted.accepted,
        position_at=accepted.position_at,
        moved=accepted.moved,
    )


@router.post("/ambulances/{ambulance_id}/status", response_model=Feature)
async def post_status(
    request: Request,
    ambulance_id: Slug,
    change: StatusIn,
    db: SessionDep,
    user: CurrentUser,
    limits: LimitsDep,
) -> Feature:
    """Change the ambulance's status along the state machine (409 with the allowed ones)."""
    scope.require_ambulance_reporter(
        user, ambulance_id, "change the status", others=scope.STATUS_SETTERS
    )
    check_not_future(change.at, datetime.now(UTC), limits.max_future, "at")
    ambulance = await service.lock_ambulance(db, ambulance_id)
    previous = ambulance.status
    await service.change_status(db, ambulance, change.status, change.at)
    if previous != ambulance.status:
        for status_listener in hooks(request).on_status:
            await status_listener(db, ambulance, previous, ambulance.status, change.at, user)
    return ambulance_feature(ambulance)

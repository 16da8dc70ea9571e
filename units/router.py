"""HTTP endpoints of the units package: facilities, ambulances, positions and status."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

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
    Slug,
    StatusIn,
)

router = APIRouter(tags=["units"])


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

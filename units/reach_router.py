"""Reach: the nearest available ambulances to a point, and drive-time areas of facilities.

Geo answers for points; these routes ask it about the network's members.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from shapely.geometry import mapping

from geo.exceptions import InvalidCoordinate
from geo.points import lon_lat, to_service_wgs84
from geo.router import runtime
from geo.schemas import CrsName, Feature, FeatureCollection
from units import service as units_service
from units.deps import CurrentUser, LimitsDep, SessionDep
from units.schemas import Capability, Slug

router = APIRouter(tags=["geography"])


class NearestAmbulance(BaseModel):
    ambulance_id: str
    callsign: str
    station_id: str
    status: str
    minutes: float
    meters: float


@router.get("/ambulances/nearest", response_model=list[NearestAmbulance])
async def nearest_ambulances(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    limits: LimitsDep,
    lon: Annotated[float, Query(allow_inf_nan=False)],
    lat: Annotated[float, Query(allow_inf_nan=False)],
    crs: CrsName = "wgs84",
    k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[NearestAmbulance]:
    """The k available ambulances with the shortest road time to the point, fastest first."""
    engine = runtime(request).require()
    target = engine.snap(*to_service_wgs84(lon, lat, crs, limits.service_area))
    ambulances = {a.id: a for a in await units_service.list_ambulances(db, "available")}
    candidates = []
    for ambulance in ambulances.values():
        position = lon_lat(ambulance.position)
        if position is not None:
            candidates.append((ambulance.id, *position))
    ranked = engine.nearest(target, candidates, k)
    return [
        NearestAmbulance(
            ambulance_id=r.key,
            callsign=ambulances[r.key].callsign,
            station_id=ambulances[r.key].station_id,
            status=ambulances[r.key].status,
            minutes=round(r.minutes, 3),
            meters=round(r.meters, 1),
        )
        for r in ranked
    ]


@router.get("/coverage", response_model=FeatureCollection)
async def coverage(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    capability: Capability,
    minutes: Annotated[str, Query(description="thresholds, e.g. 30,60,120")] = "30,60,120",
    facility_id: Slug | None = None,
) -> FeatureCollection:
    """Drive-time areas (to the nearest facility with the capability) for each threshold."""
    try:
        thresholds = tuple(sorted({float(m) for m in minutes.split(",")}))
    except ValueError as exc:
        raise InvalidCoordinate(f"minutes must be numbers like 30,60,120, not {minutes!r}") from exc
    if not thresholds or not all(0 < m <= 600 for m in thresholds) or len(thresholds) > 8:
        raise InvalidCoordinate("minutes must be 1 to 8 thresholds between 0 and 600")
    facilities = [
        f
        for f in await units_service.list_facilities(db, capability=capability)
        if facility_id is None or f.id == facility_id
    ]
    if facility_id is not None and not facilities:
        await units_service.get_facility(db, facility_id)  # 404 if unknown
        raise InvalidCoordinate(f"facility {facility_id!r} does not have {capability}")
    origins = [p for p in (lon_lat(f.location) for f in facilities) if p is not None]
    areas = await runtime(request).coverage(origins, thresholds)
    return FeatureCollection(
        features=[
            Feature(
                id=f"{capability}-{m:g}",
                geometry=cast(dict[str, Any], mapping(area)) if not area.is_empty else None,
                properties={
                    "capability": capability,
                    "minutes": m,
                    "facility_ids": [f.id for f in facilities],
                },
            )
            for m, area in areas
        ]
    )

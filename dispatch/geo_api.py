"""The HTTP face of the geo package: places, roads, travel times, nearest ambulances, coverage."""

from __future__ import annotations

import math
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from shapely.geometry import mapping

from dispatch.roads_runtime import RoadRuntime
from geo import gazetteer, road_queries
from geo.exceptions import InvalidCoordinate
from geo.points import to_service_wgs84
from geo.schemas import CrsName, Feature, FeatureCollection
from units import service as units_service
from units.deps import CurrentUser, LimitsDep, SessionDep
from units.geojson import lon_lat
from units.schemas import Capability, Slug

router = APIRouter(tags=["geography"])


def runtime(request: Request) -> RoadRuntime:
    """The process's road runtime."""
    return cast(RoadRuntime, request.app.state.roads)


class PlaceOut(BaseModel):
    id: str
    kind: str
    name_zh: str
    pinyin: str
    township_zh: str
    population: int | None
    lon: float
    lat: float


@router.get("/places", response_model=list[PlaceOut])
async def places(
    db: SessionDep,
    user: CurrentUser,
    q: Annotated[str, Query(min_length=1, max_length=50, description="Chinese name or pinyin")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[PlaceOut]:
    """Villages and townships whose Chinese name, pinyin or initials match ``q``."""
    found = await gazetteer.search(db, q, limit)
    result = []
    for place in found:
        lon, lat = lon_lat(place.location) or (0.0, 0.0)
        result.append(
            PlaceOut(
                id=place.id,
                kind=place.kind,
                name_zh=place.name_zh,
                pinyin=place.pinyin,
                township_zh=place.township_zh,
                population=place.population,
                lon=lon,
                lat=lat,
            )
        )
    return result


def parse_lon_lat(text: str, name: str, crs: str, limits: LimitsDep) -> tuple[float, float]:
    """``LON,LAT`` in the given system, checked and converted to WGS84."""
    parts = text.split(",")
    try:
        lon, lat = (float(part) for part in parts)
    except ValueError as exc:
        raise InvalidCoordinate(
            f"{name} must be LON,LAT (e.g. 114.88,33.44), not {text!r}"
        ) from exc
    try:
        return to_service_wgs84(lon, lat, crs, limits.service_area)
    except InvalidCoordinate as exc:
        raise InvalidCoordinate(f"{name}: {exc}") from exc


@router.get("/roads", response_model=FeatureCollection)
async def roads(
    db: SessionDep,
    user: CurrentUser,
    bbox: Annotated[str | None, Query(description="MINLON,MINLAT,MAXLON,MAXLAT (WGS84)")] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 50_000,
) -> FeatureCollection:
    """The road network as GeoJSON lines with minutes per segment."""
    box = None
    if bbox is not None:
        try:
            box = tuple(float(v) for v in bbox.split(","))
        except ValueError as exc:
            raise InvalidCoordinate(f"bbox must be 4 numbers, not {bbox!r}") from exc
        if len(box) != 4 or not all(map(math.isfinite, box)) or box[0] > box[2] or box[1] > box[3]:
            raise InvalidCoordinate("bbox must be MINLON,MINLAT,MAXLON,MAXLAT with min <= max")
    features = await road_queries.road_features(db, cast(Any, box), limit)
    return FeatureCollection(features=features)


class TravelTime(BaseModel):
    reachable: bool
    minutes: float | None
    meters: float | None
    geometry: dict[str, Any] | None
    from_snap_m: float
    to_snap_m: float
    network_version: int
    detail: str = ""


@router.get("/travel-time", response_model=TravelTime)
async def travel_time(
    request: Request,
    user: CurrentUser,
    limits: LimitsDep,
    from_: Annotated[str, Query(alias="from", description="LON,LAT")],
    to: Annotated[str, Query(description="LON,LAT")],
    crs: CrsName = "wgs84",
) -> TravelTime:
    """Road travel time and route between two points (unreachable is an answer, not an error)."""
    engine = runtime(request).require()
    start = engine.snap(*parse_lon_lat(from_, "from", crs, limits))
    end = engine.snap(*parse_lon_lat(to, "to", crs, limits))
    route = engine.route(start, end)
    if route is None:
        return TravelTime(
            reachable=False,
            minutes=None,
            meters=None,
            geometry=None,
            from_snap_m=round(start.distance_m, 1),
            to_snap_m=round(end.distance_m, 1),
            network_version=engine.version,
            detail="no road connects these points (one-way roads or separate networks)",
        )
    return TravelTime(
        reachable=True,
        minutes=round(route.minutes, 3),
        meters=round(route.meters, 1),
        geometry={"type": "LineString", "coordinates": [list(c) for c in route.coords]},
        from_snap_m=round(start.distance_m, 1),
        to_snap_m=round(end.distance_m, 1),
        network_version=engine.version,
    )


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

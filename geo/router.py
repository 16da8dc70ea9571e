"""The HTTP face of the geo package: places, roads and travel times.

Every route needs a signed-in user: the app includes this router with ``units``' user
dependency, so geo imports none of the packages above it.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from geo import gazetteer, road_queries
from geo.deps import LimitsDep, SessionDep
from geo.exceptions import InvalidCoordinate
from geo.models import Place
from geo.points import InputLimits, require_lon_lat, to_service_wgs84
from geo.runtime import RoadRuntime
from geo.schemas import CrsName, FeatureCollection

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
    q: Annotated[str, Query(min_length=1, max_length=50, description="Chinese name or pinyin")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[PlaceOut]:
    """Villages and townships whose Chinese name, pinyin or initials match ``q``."""
    return [place_out(place) for place in await gazetteer.search(db, q, limit)]


def place_out(place: Place) -> PlaceOut:
    """The place as the API shows it; MissingLocation (a 500, logged) if it has no point."""
    lon, lat = require_lon_lat(place.location, f"place {place.id}")
    return PlaceOut(
        id=place.id,
        kind=place.kind,
        name_zh=place.name_zh,
        pinyin=place.pinyin,
        township_zh=place.township_zh,
        population=place.population,
        lon=lon,
        lat=lat,
    )


def parse_lon_lat(text: str, name: str, crs: str, limits: InputLimits) -> tuple[float, float]:
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

"""The HTTP face of the geo package: the gazetteer (roads and travel times come later)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from geo import gazetteer
from units.deps import CurrentUser, SessionDep
from units.geojson import lon_lat

router = APIRouter(tags=["geography"])


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

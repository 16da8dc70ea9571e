"""Reading the stored road network for display."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from geo.models import RoadSegment
from geo.schemas import Feature


async def road_features(
    db: AsyncSession, bbox: tuple[float, float, float, float] | None, limit: int
) -> list[Feature]:
    """Road segments (optionally those meeting a bbox) as GeoJSON features."""
    statement = select(
        RoadSegment.id,
        RoadSegment.road_class,
        RoadSegment.minutes,
        RoadSegment.length_m,
        RoadSegment.speed_kmh,
        RoadSegment.oneway,
        RoadSegment.name,
        func.ST_AsGeoJSON(RoadSegment.geometry, 7).label("geojson"),
    ).order_by(RoadSegment.id)
    if bbox is not None:
        statement = statement.where(
            RoadSegment.geometry.intersects(func.ST_MakeEnvelope(*bbox, 4326))
        )
    rows = (await db.execute(statement.limit(limit))).all()
    return [
        Feature(
            id=row.id,
            geometry=json.loads(row.geojson),
            properties={
                "id": row.id,
                "road_class": row.road_class,
                "minutes": round(row.minutes, 4),
                "length_m": round(row.length_m, 1),
                "speed_kmh": row.speed_kmh,
                "oneway": row.oneway,
                "name": row.name,
            },
        )
        for row in rows
    ]

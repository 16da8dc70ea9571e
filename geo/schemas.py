"""Pydantic shapes for points on input and GeoJSON on output."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Ranges are checked by geo.points.to_service_wgs84, which can also tell swapped lon/lat.
Longitude = Annotated[float, Field(allow_inf_nan=False, description="degrees east, -180..180")]
Latitude = Annotated[float, Field(allow_inf_nan=False, description="degrees north, -90..90")]
CrsName = Literal["wgs84", "gcj02", "bd09"]


class PointIn(BaseModel):
    """A point as a client reports it, in any supported coordinate system."""

    model_config = ConfigDict(extra="forbid")

    lon: Longitude
    lat: Latitude
    crs: CrsName = "wgs84"


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str | int | None = None
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]


def point_geometry(lon: float, lat: float) -> dict[str, Any]:
    """A GeoJSON Point."""
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}

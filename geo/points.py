"""Points: checking a reported point and time before anything is written, reading stored ones.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from geoalchemy2 import WKBElement
from geoalchemy2.shape import to_shape

from geo import crs as coordinate_systems
from geo.exceptions import InvalidCoordinate, InvalidTime, MissingLocation

BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class InputLimits:
    """Bounds on what a client may report: where, how far in the future, how many at once."""

    service_area: BBox
    max_future: timedelta
    max_batch: int


def to_service_wgs84(lon: float, lat: float, crs: str, area: BBox) -> tuple[float, float]:
    """The point in WGS84, or InvalidCoordinate if it is not a place in the service area."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidCoordinate("lon and lat must be finite numbers")
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InvalidCoordinate(
            f"lon {lon} / lat {lat} is not on the Earth{_swap_hint(lon, lat, area)}"
        )
    wgs_lon, wgs_lat = coordinate_systems.to_wgs84(lon, lat, crs)
    min_lon, min_lat, max_lon, max_lat = area
    if not (min_lon <= wgs_lon <= max_lon and min_lat <= wgs_lat <= max_lat):
        raise InvalidCoordinate(
            f"lon {lon} / lat {lat} is outside the service area"
            f" (lon {min_lon}..{max_lon}, lat {min_lat}..{max_lat}){_swap_hint(lon, lat, area)}"
        )
    return wgs_lon, wgs_lat


def _swap_hint(lon: float, lat: float, area: BBox) -> str:
    min_lon, min_lat, max_lon, max_lat = area
    if min_lon <= lat <= max_lon and min_lat <= lon <= max_lat:
        return "; lon and lat look swapped"
    return ""


def check_not_future(at: datetime, now: datetime, max_future: timedelta, what: str) -> None:
    """InvalidTime if ``at`` is further ahead of ``now`` than allowed."""
    if at - now > max_future:
        ahead = (at - now).total_seconds() / 60
        raise InvalidTime(
            f"{what} {at.isoformat()} is {ahead:.1f} min ahead of the server clock"
            f" (at most {max_future.total_seconds() / 60:.0f} min allowed)"
        )


def lon_lat(geometry: WKBElement | None) -> tuple[float, float] | None:
    """The (lon, lat) of a stored point, or None."""
    if geometry is None:
        return None
    point = to_shape(geometry)
    return float(point.x), float(point.y)


def require_lon_lat(geometry: WKBElement | None, what: str) -> tuple[float, float]:
    """The (lon, lat) of a point that must be there (``what``, e.g. "case 12", has one).

    MissingLocation if it is not: a record without its location is broken, and answering
    with a made-up place (0, 0 is in the Gulf of Guinea) would send help to the wrong one.
    """
    if geometry is None:
        raise MissingLocation(what)
    point = to_shape(geometry)
    if point.is_empty:
        raise MissingLocation(what)
    return float(point.x), float(point.y)

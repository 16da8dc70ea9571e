"""Checking reported points and times before anything is written (pure)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from geo.crs import wgs84_to_gcj02
from geo.exceptions import InvalidCoordinate, InvalidTime, UnknownCoordinateSystem
from geo.points import check_not_future, to_service_wgs84

CHINA = (73.0, 3.0, 136.0, 54.0)
XIANGCHENG = (114.88, 33.44)


def test_wgs84_point_in_area_is_unchanged() -> None:
    """A WGS84 point inside the service area comes back as it was."""
    assert XIANGCHENG == to_service_wgs84(*XIANGCHENG, "wgs84", CHINA)


def test_gcj02_point_is_converted_back_to_wgs84() -> None:
    """A GCJ-02 point is returned in WGS84 (within 1e-7 degree of the original)."""
    lon, lat = to_service_wgs84(*wgs84_to_gcj02(*XIANGCHENG), "gcj02", CHINA)
    assert XIANGCHENG == (pytest.approx(lon, abs=1e-7), pytest.approx(lat, abs=1e-7))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(bad: float) -> None:
    """NaN and infinities are not coordinates."""
    with pytest.raises(InvalidCoordinate, match="finite"):
        to_service_wgs84(bad, 33.0, "wgs84", CHINA)


def test_swapped_lon_lat_is_named() -> None:
    """A Henan point with lon and lat swapped is refused with a hint that they look swapped."""
    with pytest.raises(InvalidCoordinate, match="swapped"):
        to_service_wgs84(33.44, 114.88, "wgs84", CHINA)


def test_point_outside_service_area_is_refused() -> None:
    """Paris is outside a Chinese county's service area."""
    with pytest.raises(InvalidCoordinate, match="outside the service area"):
        to_service_wgs84(2.35, 48.85, "wgs84", CHINA)


def test_out_of_range_is_refused() -> None:
    """Latitude beyond 90 is not on the Earth."""
    with pytest.raises(InvalidCoordinate, match="not on the Earth"):
        to_service_wgs84(114.0, 91.0, "wgs84", CHINA)


def test_unknown_crs_is_refused() -> None:
    """A coordinate system other than wgs84, gcj02, bd09 is refused by name."""
    with pytest.raises(UnknownCoordinateSystem, match="utm"):
        to_service_wgs84(*XIANGCHENG, "utm", CHINA)


def test_time_within_allowance_passes_and_beyond_is_refused() -> None:
    """A time up to the allowance ahead of the server passes; one beyond it is refused."""
    now = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    check_not_future(now + timedelta(minutes=10), now, timedelta(minutes=10), "at")
    with pytest.raises(InvalidTime, match="ahead of the server clock"):
        check_not_future(now + timedelta(minutes=11), now, timedelta(minutes=10), "at")

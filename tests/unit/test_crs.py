"""Unit tests for geo.crs: published reference pairs, round trips, dispatch and edge cases."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.crs import (
    COORDINATE_SYSTEMS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geo.exceptions import UnknownCoordinateSystem

Point = tuple[float, float]
Conversion = Callable[[float, float], Point]

REFERENCE_TOLERANCE_DEG = 1e-6
ROUND_TRIP_TOLERANCE_M = 0.1

# (WGS84, GCJ-02) pairs, all as (lon, lat), computed by the published formula in other projects.
WGS84_GCJ02_PAIRS: dict[str, tuple[Point, Point]] = {
    # wandergis/coordtransform, test/app.js (wgs84togcj02 of 116.404, 39.915)
    "beijing-tiananmen": ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    # googollee/eviltransform, python/test.py and go/transform_test.go (listed there as lat, lng)
    "beijing": ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    "shanghai": ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    "shenzhen": ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    # cuihw/collection, app/src/test/java/com/data/collection/util/PositionUtilTest.java
    # (Zhengzhou, Henan; the expected value is in a comment there, with lon/lat labels swapped)
    "zhengzhou-henan": ((113.647881, 34.829793), (113.65396374215176, 34.8287280094783)),
}

# (GCJ-02, BD-09) pairs, all as (lon, lat).
GCJ02_BD09_PAIRS: dict[str, tuple[Point, Point]] = {
    # wandergis/coordtransform, test/app.js (gcj02tobd09 of 116.404, 39.915)
    "beijing-tiananmen": ((116.404, 39.915), (116.41036949371029, 39.92133699351021)),
    # hujiulong/gcoord, test/fixtures/china-cities.json (rounded to 7 decimals there)
    "zhengzhou-henan": ((113.6253334, 34.7466173), (113.6317519, 34.7528605)),
    "zhumadian-henan": ((114.022306, 33.0115324), (114.0287781, 33.0176697)),
    "ziyang-sichuan": ((104.6276449, 30.1289052), (104.6340814, 30.1351581)),
}

OUTSIDE_CHINA: list[Point] = [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688)]

china_lon = st.floats(min_value=73.0, max_value=135.0, allow_nan=False, allow_infinity=False)
china_lat = st.floats(min_value=18.0, max_value=53.0, allow_nan=False, allow_infinity=False)


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two (lon, lat) points on a 6371008.8 m sphere."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(("wgs", "gcj"), WGS84_GCJ02_PAIRS.values(), ids=WGS84_GCJ02_PAIRS.keys())
def test_wgs84_to_gcj02_matches_published_pairs(wgs: Point, gcj: Point) -> None:
    """WGS84 -> GCJ-02 reproduces published reference values to 1e-6 degree."""
    assert pytest.approx(gcj, abs=REFERENCE_TOLERANCE_DEG) == wgs84_to_gcj02(*wgs)


@pytest.mark.parametrize(("wgs", "gcj"), WGS84_GCJ02_PAIRS.values(), ids=WGS84_GCJ02_PAIRS.keys())
def test_gcj02_to_wgs84_inverts_published_pairs(wgs: Point, gcj: Point) -> None:
    """GCJ-02 -> WGS84 recovers the published WGS84 input to 1e-6 degree."""
    assert pytest.approx(wgs, abs=REFERENCE_TOLERANCE_DEG) == gcj02_to_wgs84(*gcj)


@pytest.mark.parametrize(("gcj", "bd"), GCJ02_BD09_PAIRS.values(), ids=GCJ02_BD09_PAIRS.keys())
def test_gcj02_to_bd09_matches_published_pairs(gcj: Point, bd: Point) -> None:
    """GCJ-02 -> BD-09 reproduces published reference values to 1e-6 degree."""
    assert pytest.approx(bd, abs=REFERENCE_TOLERANCE_DEG) == gcj02_to_bd09(*gcj)


@pytest.mark.parametrize(("gcj", "bd"), GCJ02_BD09_PAIRS.values(), ids=GCJ02_BD09_PAIRS.keys())
def test_bd09_to_gcj02_inverts_published_pairs(gcj: Point, bd: Point) -> None:
    """BD-09 -> GCJ-02 recovers the published GCJ-02 input to 1e-6 degree."""
    assert pytest.approx(gcj, abs=REFERENCE_TOLERANCE_DEG) == bd09_to_gcj02(*bd)


@settings(max_examples=500)
@given(lon=china_lon, lat=china_lat)
def test_gcj02_round_trip_within_a_decimetre(lon: float, lat: float) -> None:
    """WGS84 -> GCJ-02 -> WGS84 returns within 0.1 m of the start anywhere in China."""
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert pytest.approx(0.0, abs=ROUND_TRIP_TOLERANCE_M) == haversine_m((lon, lat), back)


@settings(max_examples=500)
@given(lon=china_lon, lat=china_lat)
def test_bd09_round_trip_within_a_decimetre(lon: float, lat: float) -> None:
    """WGS84 -> BD-09 -> WGS84 returns within 0.1 m of the start anywhere in China."""
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert pytest.approx(0.0, abs=ROUND_TRIP_TOLERANCE_M) == haversine_m((lon, lat), back)


@settings(max_examples=500)
@given(lon=china_lon, lat=china_lat)
def test_gcj02_bd09_round_trip_within_a_decimetre(lon: float, lat: float) -> None:
    """GCJ-02 -> BD-09 -> GCJ-02 returns within 0.1 m of the start anywhere in China."""
    back = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert pytest.approx(0.0, abs=ROUND_TRIP_TOLERANCE_M) == haversine_m((lon, lat), back)


@pytest.mark.parametrize("point", OUTSIDE_CHINA)
def test_gcj02_conversions_leave_points_outside_china_unchanged(point: Point) -> None:
    """Both GCJ-02 directions, and to_wgs84 from gcj02, are the identity outside China."""
    assert point == wgs84_to_gcj02(*point)
    assert point == gcj02_to_wgs84(*point)
    assert point == to_wgs84(*point, "gcj02")
    assert point == from_wgs84(*point, "gcj02")


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((116.404, 39.915), False),
        ((72.004, 0.8293), False),
        ((137.8347, 55.8271), False),
        ((72.0039, 30.0), True),
        ((100.0, 55.8272), True),
        ((100.0, 0.8292), True),
        ((137.8348, 30.0), True),
    ],
)
def test_out_of_china_uses_the_published_rectangle(point: Point, expected: bool) -> None:
    """out_of_china is the rectangle lon 72.004..137.8347, lat 0.8293..55.8271, edges inside."""
    assert expected == out_of_china(*point)


@pytest.mark.parametrize("point", [(116.404, 39.915), *OUTSIDE_CHINA])
def test_to_and_from_wgs84_with_wgs84_are_identity(point: Point) -> None:
    """to_wgs84 and from_wgs84 with crs "wgs84" return the point unchanged."""
    assert point == to_wgs84(*point, "wgs84")
    assert point == from_wgs84(*point, "wgs84")


@pytest.mark.parametrize(
    ("crs", "direct_to", "direct_from"),
    [("gcj02", gcj02_to_wgs84, wgs84_to_gcj02), ("bd09", bd09_to_wgs84, wgs84_to_bd09)],
)
def test_dispatch_uses_the_named_conversion(
    crs: str, direct_to: Conversion, direct_from: Conversion
) -> None:
    """to_wgs84 and from_wgs84 give the same result as the direct function for the named crs."""
    assert direct_to(113.6253334, 34.7466173) == to_wgs84(113.6253334, 34.7466173, crs)
    assert direct_from(113.6192856, 34.7478004) == from_wgs84(113.6192856, 34.7478004, crs)


@pytest.mark.parametrize("crs", COORDINATE_SYSTEMS)
def test_from_wgs84_then_to_wgs84_round_trips(crs: str) -> None:
    """from_wgs84 followed by to_wgs84 returns to the start for every supported crs."""
    start = (113.6192856, 34.7478004)
    back = to_wgs84(*from_wgs84(*start, crs), crs)
    assert pytest.approx(0.0, abs=ROUND_TRIP_TOLERANCE_M) == haversine_m(start, back)


@pytest.mark.parametrize("name", ["WGS84", "gcj-02", "epsg:4326", ""])
def test_unknown_crs_raises_unknown_coordinate_system(name: str) -> None:
    """An unknown crs name raises UnknownCoordinateSystem carrying that name, both directions."""
    with pytest.raises(UnknownCoordinateSystem) as to_error:
        to_wgs84(116.404, 39.915, name)
    with pytest.raises(UnknownCoordinateSystem) as from_error:
        from_wgs84(116.404, 39.915, name)
    assert name == to_error.value.name
    assert name == from_error.value.name

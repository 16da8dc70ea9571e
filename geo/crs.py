"""Conversion between WGS84 and the Chinese GCJ-02 and BD-09 coordinate systems.

GCJ-02 ("Mars coordinates", used by AMap/Gaode, Tencent and Google China) is WGS84 plus a
deliberately obfuscated offset of a few hundred metres. The widely republished formula (unofficial,
circulating since about 2010, reproduced by e.g. eviltransform and coordTransform) evaluates two
trigonometric polynomials at (lon - 105, lat - 35) and scales them to degrees on the Krasovsky
ellipsoid (a = 6378245.0, e^2 = 0.00669342162296594323); it applies only inside a bounding
rectangle of China and has no closed-form inverse, so GCJ-02 -> WGS84 is solved here by fixed-point
iteration (at most 30 steps; 4 suffice in practice). BD-09 (Baidu) is a further small polar
rotation/scaling of GCJ-02 about (0.0065, 0.006) with x_pi = pi * 3000 / 180, applied everywhere as
in the published formulas; the published BD-09 inverse is only approximate (measured up to about
0.22 m off), so it is refined by the same iteration. Accuracy: forward conversions are exact to the
formulas (float rounding only); the iterated inverses reproduce their input through the forward
conversion to within 1e-9 degree (about 0.1 mm), far inside the required 0.1 m.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from geo.exceptions import UnknownCoordinateSystem

CoordinateSystem = Literal["wgs84", "gcj02", "bd09"]
COORDINATE_SYSTEMS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")

_A = 6378245.0  # Krasovsky 1940 semi-major axis, metres
_EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_TOLERANCE_DEG = 1e-9  # about 0.1 mm, well inside the 0.1 m requirement
_MAX_ITERATIONS = 30

Point = tuple[float, float]
Transform = Callable[[float, float], Point]


def out_of_china(lon: float, lat: float) -> bool:
    """Return True outside the rectangle lon 72.004..137.8347, lat 0.8293..55.8271."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _gcj02_offset(lon: float, lat: float) -> Point:
    x, y = lon - 105.0, lat - 35.0
    px, py = x * math.pi, y * math.pi
    common = 20.0 * math.sin(6.0 * px) + 20.0 * math.sin(2.0 * px)
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (common + 20.0 * math.sin(py) + 40.0 * math.sin(py / 3.0)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(py / 12.0) + 320.0 * math.sin(py / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += (common + 20.0 * math.sin(px) + 40.0 * math.sin(px / 3.0)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(px / 12.0) + 300.0 * math.sin(px / 30.0)) * 2.0 / 3.0
    rad_lat = math.radians(lat)
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def _gcj02_forward(lon: float, lat: float) -> Point:
    d_lon, d_lat = _gcj02_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def _invert(forward: Transform, lon: float, lat: float, start: Point) -> Point:
    """Solve forward(p) == (lon, lat) by fixed-point iteration from start."""
    est_lon, est_lat = start
    for _ in range(_MAX_ITERATIONS):
        got_lon, got_lat = forward(est_lon, est_lat)
        err_lon, err_lat = got_lon - lon, got_lat - lat
        if abs(err_lon) < _TOLERANCE_DEG and abs(err_lat) < _TOLERANCE_DEG:
            break
        est_lon, est_lat = est_lon - err_lon, est_lat - err_lat
    return est_lon, est_lat


def wgs84_to_gcj02(lon: float, lat: float) -> Point:
    """WGS84 -> GCJ-02 by the published formula (exact to it); identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    return _gcj02_forward(lon, lat)


def gcj02_to_wgs84(lon: float, lat: float) -> Point:
    """GCJ-02 -> WGS84 by iteration, within 1e-9 degree of the exact inverse; identity outside."""
    if out_of_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _gcj02_offset(lon, lat)
    return _invert(_gcj02_forward, lon, lat, (lon - d_lon, lat - d_lat))


def gcj02_to_bd09(lon: float, lat: float) -> Point:
    """GCJ-02 -> BD-09 by Baidu's published formula (exact to it)."""
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _bd09_to_gcj02_published(lon: float, lat: float) -> Point:
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def bd09_to_gcj02(lon: float, lat: float) -> Point:
    """BD-09 -> GCJ-02: published inverse refined by iteration to within 1e-9 degree."""
    return _invert(gcj02_to_bd09, lon, lat, _bd09_to_gcj02_published(lon, lat))


def wgs84_to_bd09(lon: float, lat: float) -> Point:
    """WGS84 -> BD-09 via GCJ-02 (exact to the published formulas)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> Point:
    """BD-09 -> WGS84 via GCJ-02, both steps iterated (within about 2e-9 degree)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _identity(lon: float, lat: float) -> Point:
    return lon, lat


_TO_WGS84: dict[str, Transform] = {
    "wgs84": _identity,
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84: dict[str, Transform] = {
    "wgs84": _identity,
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def to_wgs84(lon: float, lat: float, crs: str) -> Point:
    """Convert (lon, lat) given in crs to WGS84; raise UnknownCoordinateSystem for other names."""
    try:
        convert = _TO_WGS84[crs]
    except KeyError:
        raise UnknownCoordinateSystem(crs) from None
    return convert(lon, lat)


def from_wgs84(lon: float, lat: float, crs: str) -> Point:
    """Convert WGS84 (lon, lat) to crs; raise UnknownCoordinateSystem for other names."""
    try:
        convert = _FROM_WGS84[crs]
    except KeyError:
        raise UnknownCoordinateSystem(crs) from None
    return convert(lon, lat)

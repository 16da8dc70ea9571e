"""Plane geometry for the synthetic demo roads. Pure: no I/O.

Roads are laid out in a local metric plane (x east, y north, in metres) around the county centre:
gently jittered polylines, snapping a point onto the nearest road (the foot becomes a vertex of
that road, so the two meet at a real node), and noding: every crossing of the at-grade roads
becomes a node, and each piece between nodes keeps the class and name of the road it lies on.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import shapely

XY = tuple[float, float]
LonLat = tuple[float, float]
FloatArray = npt.NDArray[np.float64]

METRES_PER_DEGREE_LAT = 111_320.0
SNAP_EPS_M = 0.01  # a foot this close to a vertex is that vertex
FREE_ANGLE_DEG = 25.0  # a new road leaves a point at least this far from the roads there
ATTRIBUTE_EPS_M = 0.01  # a noded piece belongs to the roads within this distance of its middle


@dataclass(frozen=True)
class LocalProjection:
    """An equirectangular plane in metres around (lon0, lat0): within 0.5% over 60 km."""

    lon0: float
    lat0: float

    @property
    def metres_per_degree_lon(self) -> float:
        return METRES_PER_DEGREE_LAT * math.cos(math.radians(self.lat0))

    def to_xy(self, lon: float, lat: float) -> XY:
        """Plane coordinates (metres east, metres north) of a lon/lat point."""
        return (
            (lon - self.lon0) * self.metres_per_degree_lon,
            (lat - self.lat0) * METRES_PER_DEGREE_LAT,
        )

    def to_lonlat(self, p: XY) -> LonLat:
        """The lon/lat of a plane point, rounded to 7 decimals (about 1 cm)."""
        return (
            round(self.lon0 + p[0] / self.metres_per_degree_lon, 7),
            round(self.lat0 + p[1] / METRES_PER_DEGREE_LAT, 7),
        )


@dataclass
class Road:
    """A road being laid out: its vertices in the plane (they grow as other roads join it)."""

    pts: list[XY]
    road_class: str
    name: str
    owner: str = ""  # the place a village road was built for, if any


def wiggle(
    a: XY, b: XY, rng: random.Random, *, step: float, amp: float, min_inner: int = 1
) -> list[XY]:
    """A road from a to b with a vertex every ~step metres, each pushed sideways a little.

    The sideways push is at most ``amp`` metres and at most 4% of the length (and changes
    smoothly), so long plain roads stay nearly straight; a road under 150 m gets no inner vertex.
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length < 150.0:
        return [a, b]
    n = max(min_inner + 1, round(length / step))
    nx, ny = -dy / length, dx / length
    amp = min(amp, 0.04 * length)
    pts = [a]
    offset = 0.0
    for i in range(1, n):
        t = (i + rng.uniform(-0.2, 0.2)) / n
        offset = 0.5 * offset + 0.5 * rng.uniform(-amp, amp)
        pts.append((a[0] + t * dx + offset * nx, a[1] + t * dy + offset * ny))
    pts.append(b)
    return pts


def field_road(
    a: XY,
    b: XY,
    rng: random.Random,
    *,
    step: float,
    amp: float,
    taken_a: Sequence[float] = (),
    taken_b: Sequence[float] = (),
) -> list[XY]:
    """A village road from a to b along the field grid (north-south then east-west, or the
    other way round) when the straight line is well off both axes, else nearly straight.

    A shape whose first leg (at a) or last leg (at b) would run along a road already leaving
    that point (``taken_a``, ``taken_b``: bearings in degrees) is avoided where possible.
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    shapes: list[list[XY]] = []
    if length >= 400.0 and min(abs(dx), abs(dy)) > length * math.sin(math.radians(20.0)):
        corners = [(a[0], b[1]), (b[0], a[1])]
        rng.shuffle(corners)
        shapes.extend([a, corner, b] for corner in corners)
    shapes.append([a, b])

    def free(shape: list[XY]) -> bool:
        first, last = bearing(a, shape[1]), bearing(b, shape[-2])
        return all(angle_between(first, t) >= FREE_ANGLE_DEG for t in taken_a) and all(
            angle_between(last, t) >= FREE_ANGLE_DEG for t in taken_b
        )

    chosen = next((shape for shape in shapes if free(shape)), shapes[-1])
    return route(chosen, rng, step=step, amp=amp)


def route(waypoints: Sequence[XY], rng: random.Random, *, step: float, amp: float) -> list[XY]:
    """A road through the waypoints in order (each waypoint is kept as a vertex)."""
    pts: list[XY] = [waypoints[0]]
    for a, b in pairwise(waypoints):
        pts.extend(wiggle(a, b, rng, step=step, amp=amp)[1:])
    return pts


def offset_line(pts: Sequence[XY], distance: float) -> list[XY]:
    """The line moved ``distance`` metres to its right, keeping both end points in place."""
    out = [pts[0]]
    for prev, here, nxt in zip(pts, pts[1:], pts[2:], strict=False):
        dx, dy = nxt[0] - prev[0], nxt[1] - prev[1]
        norm = math.hypot(dx, dy) or 1.0
        out.append((here[0] + distance * dy / norm, here[1] - distance * dx / norm))
    out.append(pts[-1])
    return out


def bearing(a: XY, b: XY) -> float:
    """Direction from a to b in degrees, anticlockwise from east, in [0, 360)."""
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) % 360.0


def angle_between(b1: float, b2: float) -> float:
    """The smaller angle between two bearings, in degrees."""
    d = abs(b1 - b2) % 360.0
    return min(d, 360.0 - d)


def _foot(p: XY, a: XY, b: XY) -> tuple[XY, float]:
    """The nearest point to p on the segment a-b, and its distance."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    len2 = dx * dx + dy * dy
    t = 0.0 if len2 == 0.0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2))
    f = (a[0] + t * dx, a[1] + t * dy)
    return f, math.hypot(p[0] - f[0], p[1] - f[1])


def insert_vertex(road: Road, p: XY) -> XY:
    """Make the point p (on or next to the road) a vertex of it; returns the vertex used."""
    for v in road.pts:
        if math.hypot(v[0] - p[0], v[1] - p[1]) < SNAP_EPS_M:
            return v
    best_i, best_d = 0, math.inf
    for i in range(len(road.pts) - 1):
        _, d = _foot(p, road.pts[i], road.pts[i + 1])
        if d < best_d:
            best_i, best_d = i, d
    road.pts.insert(best_i + 1, p)
    return p


class EdgeIndex:
    """The straight pieces of some roads, for "nearest point on a road" (brute force in numpy:
    a few thousand pieces, so a query is a few vectorised passes)."""

    def __init__(self) -> None:
        self._cols = np.empty((6, 0), dtype=np.float64)  # ax, ay, dx, dy, 1/len², road id
        self._pending: list[tuple[float, float, float, float, float, float]] = []

    def add(self, road_id: int, pts: Sequence[XY]) -> None:
        """Index the pieces of road ``road_id``."""
        for a, b in pairwise(pts):
            dx, dy = b[0] - a[0], b[1] - a[1]
            len2 = dx * dx + dy * dy
            inv = 1.0 / len2 if len2 > 0.0 else 0.0
            self._pending.append((a[0], a[1], dx, dy, inv, float(road_id)))

    def _flush(self) -> None:
        if self._pending:
            self._cols = np.hstack([self._cols, np.array(self._pending, dtype=np.float64).T])
            self._pending = []

    def _gaps(self, p: XY, cols: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """For the pieces ``cols``: the nearest point (x, y) of each to p, and its distance."""
        ax, ay, dx, dy, inv = cols[0], cols[1], cols[2], cols[3], cols[4]
        t = np.clip(((p[0] - ax) * dx + (p[1] - ay) * dy) * inv, 0.0, 1.0)
        fx, fy = ax + t * dx, ay + t * dy
        return fx, fy, np.hypot(fx - p[0], fy - p[1])

    def nearest(self, p: XY) -> tuple[int, XY, float]:
        """The nearest indexed road to p: its id, the foot on it and the distance in metres."""
        self._flush()
        if self._cols.shape[1] == 0:
            raise ValueError("no roads indexed")
        fx, fy, gap = self._gaps(p, self._cols)
        i = int(np.argmin(gap))
        return int(self._cols[5, i]), (float(fx[i]), float(fy[i])), float(gap[i])

    def directions_at(self, p: XY) -> list[float]:
        """Bearings (degrees) of the indexed roads leaving the point p, which lies on them."""
        self._flush()
        ax, ay, dx, dy = self._cols[0], self._cols[1], self._cols[2], self._cols[3]
        box = (
            (np.minimum(ax, ax + dx) - SNAP_EPS_M <= p[0])
            & (p[0] <= np.maximum(ax, ax + dx) + SNAP_EPS_M)
            & (np.minimum(ay, ay + dy) - SNAP_EPS_M <= p[1])
            & (p[1] <= np.maximum(ay, ay + dy) + SNAP_EPS_M)
        )
        cols = self._cols[:, box]
        gap = self._gaps(p, cols)[2]
        found: list[float] = []
        for i in np.flatnonzero(gap < SNAP_EPS_M).tolist():
            a = (float(cols[0, i]), float(cols[1, i]))
            b = (a[0] + float(cols[2, i]), a[1] + float(cols[3, i]))
            found.extend(bearing(p, end) for end in (a, b) if math.dist(p, end) >= SNAP_EPS_M)
        return found


def node_roads(roads: Sequence[Road], rank: Mapping[str, int]) -> list[tuple[list[XY], int]]:
    """Split the roads at every crossing and shared point; each piece with the road it lies on.

    Where roads overlap, the piece goes to the highest-ranked class (then the earliest road).
    """
    lines = [shapely.LineString(r.pts) for r in roads]
    pieces = shapely.get_parts(shapely.unary_union(lines))
    middles = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    tree = shapely.STRtree(lines)
    piece_idx, line_idx = tree.query(middles, predicate="dwithin", distance=ATTRIBUTE_EPS_M)
    owner: dict[int, int] = {}
    for pi, li in zip(piece_idx.tolist(), line_idx.tolist(), strict=True):
        current = owner.get(pi)
        key = (rank[roads[li].road_class], li)
        if current is None or key < (rank[roads[current].road_class], current):
            owner[pi] = li
    result: list[tuple[list[XY], int]] = []
    for i, piece in enumerate(pieces):
        li = owner.get(i)
        if li is None:  # numerically off every road: take the nearest one
            li = int(tree.query_nearest(middles[i])[0])
        result.append(([(float(x), float(y)) for x, y in piece.coords], li))
    return result

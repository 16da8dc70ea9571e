"""Drive-time areas: the ground within N minutes of a set of facilities, as polygons. Pure.

The reachable parts of the road network (whole segments, and the reachable ends of segments
at the edge) are drawn onto a metric grid, widened by a margin (the fields and villages beside
the road), and traced into polygons with contourpy. This is for display and planning, not
for routing: routing always uses the graph.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import cast

import contourpy
import numpy as np
import numpy.typing as npt
import shapely
from scipy.ndimage import binary_dilation
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import substring

from geo.engine import TravelTimeEngine
from geo.road_arrays import FloatArray


def _covered(
    engine: TravelTimeEngine, times: FloatArray, minutes: float
) -> tuple[FloatArray, FloatArray]:
    """Per segment, the reachable share at its target end and at its source end.

    From a point at fraction f: via the target (1-f)m + T_t, via the source (two-way) fm + T_s,
    where T is the time where the segment's edge arrives (past a restricted junction's turns).
    """
    m = np.maximum(engine.arrays.seg_minutes, 1e-9)
    t_target, t_source = engine.segment_end_times(times, reverse=True)
    from_target = np.clip((minutes - t_target) / m, 0.0, 1.0)
    from_source = np.clip((minutes - t_source) / m, 0.0, 1.0)
    return from_target, from_source


def reachable_lines(
    engine: TravelTimeEngine, times: FloatArray, minutes: float
) -> list[shapely.LineString]:
    """Projected pieces of road from which the origin (of a reversed search) is within reach."""
    from_target, from_source = _covered(engine, times, minutes)
    whole = from_target + from_source >= 1.0
    pieces: list[shapely.LineString] = list(engine.lines_of(np.nonzero(whole)[0]))
    partly = np.nonzero(~whole & ((from_target > 0) | (from_source > 0)))[0]
    for i, line in zip(partly, engine.lines_of(partly), strict=True):
        if from_source[i] > 0:
            pieces.append(substring(line, 0.0, float(from_source[i]), normalized=True))
        if from_target[i] > 0:
            pieces.append(substring(line, 1.0 - float(from_target[i]), 1.0, normalized=True))
    return pieces


def reachable_points(
    engine: TravelTimeEngine, times: FloatArray, minutes: float, spacing_m: float
) -> FloatArray:
    """Projected points every ``spacing_m`` or less along the reachable parts of the roads.

    Vectorised: every touched segment is densified once, and each vertex is kept if its
    position along the segment is within the reachable part (from either end).
    """
    from_target, from_source = _covered(engine, times, minutes)
    touched = np.nonzero((from_target > 0) | (from_source > 0))[0]
    if len(touched) == 0:
        return np.zeros((0, 2))
    dense = shapely.segmentize(engine.lines_of(touched), max_segment_length=spacing_m)
    xy, owner = shapely.get_coordinates(dense, return_index=True)
    step = np.hypot(*np.diff(xy, axis=0, prepend=xy[:1]).T)
    step[np.r_[True, owner[1:] != owner[:-1]]] = 0.0  # each segment starts at 0 m
    along = np.cumsum(step)
    along -= np.maximum.accumulate(np.where(step == 0.0, along, 0.0))
    length = np.maximum(shapely.length(dense), 1e-9)[owner]
    position = along / length
    keep = (position <= from_source[touched][owner] + 1e-9) | (
        position >= 1.0 - from_target[touched][owner] - 1e-9
    )
    points: FloatArray = xy[keep]
    return points


def drive_time_area(
    engine: TravelTimeEngine,
    times: FloatArray,
    minutes: float,
    margin_m: float = 800.0,
    cell_m: float = 250.0,
) -> MultiPolygon:
    """The area (lon/lat) within ``minutes`` by road, with ``margin_m`` either side of the road."""
    xy = reachable_points(engine, times, minutes, cell_m / 2)
    if len(xy) == 0:
        return MultiPolygon()
    pad = margin_m + 2 * cell_m
    x0, y0 = xy.min(axis=0) - pad
    x1, y1 = xy.max(axis=0) + pad
    nx, ny = int((x1 - x0) / cell_m) + 1, int((y1 - y0) / cell_m) + 1
    grid = np.zeros((ny, nx), dtype=bool)
    grid[((xy[:, 1] - y0) / cell_m).astype(int), ((xy[:, 0] - x0) / cell_m).astype(int)] = True
    radius = max(1, round(margin_m / cell_m))
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    grid = binary_dilation(grid, structure=(xx**2 + yy**2) <= radius**2)
    xs = x0 + cell_m * (np.arange(nx) + 0.5)
    ys = y0 + cell_m * (np.arange(ny) + 0.5)
    generator = contourpy.contour_generator(
        xs, ys, grid.astype(np.float64), fill_type=contourpy.FillType.OuterOffset
    )
    filled = generator.filled(0.5, 1.5)
    points = cast(list[FloatArray], filled[0])
    offsets = cast(list[npt.NDArray[np.uint32]], filled[1])
    polygons = []
    for ring_points, ring_offsets in zip(points, offsets, strict=True):
        rings = [ring_points[a:b] for a, b in itertools.pairwise(ring_offsets)]
        lon_lat = [np.column_stack(engine.projection.inverse(r[:, 0], r[:, 1])) for r in rings]
        polygons.append(Polygon(lon_lat[0], lon_lat[1:]))
    return MultiPolygon(polygons)


def drive_time_areas(
    engine: TravelTimeEngine,
    origins: Sequence[tuple[float, float]],
    thresholds: Sequence[float],
    margin_m: float = 800.0,
) -> list[tuple[float, MultiPolygon]]:
    """For each threshold, the area from which the nearest origin is within reach by road."""
    snaps = [s for s in engine.snap_many([o[0] for o in origins], [o[1] for o in origins]) if s]
    if not snaps:
        return [(minutes, MultiPolygon()) for minutes in thresholds]
    times = engine.times_from(snaps, reverse=True, limit=max(thresholds))
    return [(m, drive_time_area(engine, times, m, margin_m)) for m in thresholds]

"""A generated province-scale road network as engine arrays (issue 15: "province scale"). Pure.

Deterministic for a size and seed: a grid of ``size`` × ``size`` junctions ~500 m apart, each
moved up to 100 m at random; every 20th row and column is an arterial one-way pair (that line
one way, the next line the other way, 60 km/h), the rest two-way minor roads (30 km/h) with a
bend halfway; 3% of the minor roads are missing (so a few islands exist) and about one junction
in a thousand has a "no left turn" restriction. Built with numpy only: 800 × 800 gives
~1.24 M segments, ~2.3 M directed edges, in a few seconds.
"""

from __future__ import annotations

import numpy as np

from geo.road_arrays import (
    BoolArray,
    FloatArray,
    IntArray,
    LocalProjection,
    RoadArrays,
    SegmentCoords,
)

CENTRE_LON, CENTRE_LAT = 113.5, 34.0
CELL_M = 500.0
JITTER_M = 100.0
BEND_M = 40.0
ARTERIAL_EVERY = 20
ARTERIAL_KMH, MINOR_KMH = 60.0, 30.0
MISSING_SHARE = 0.03
RESTRICTED_SHARE = 0.001


def province_arrays(
    size: int = 800, seed: int = 15, restricted_share: float = RESTRICTED_SHARE
) -> RoadArrays:
    """The generated network of ``size`` × ``size`` junctions (see the module docstring);
    ``restricted_share`` of the junctions get a "no left turn"."""
    if size < 4:
        raise ValueError("a province network needs at least 4 × 4 junctions")
    rng = np.random.default_rng(seed)
    projection = LocalProjection(CENTRE_LON, CENTRE_LAT)
    grid = (np.arange(size) - (size - 1) / 2) * CELL_M
    x = np.tile(grid, size) + rng.uniform(-JITTER_M, JITTER_M, size * size)
    y = np.repeat(grid, size) + rng.uniform(-JITTER_M, JITTER_M, size * size)
    index = np.arange(size * size, dtype=np.int64).reshape(size, size)  # [row, column]
    # Horizontal segments west → east, then vertical ones south → north.
    a = np.concatenate([index[:, :-1].ravel(), index[:-1, :].ravel()])
    b = np.concatenate([index[:, 1:].ravel(), index[1:, :].ravel()])
    horizontal_count = size * (size - 1)
    line = np.concatenate(
        [np.repeat(np.arange(size), size - 1), np.tile(np.arange(size), size - 1)]
    )  # the row of a horizontal segment, the column of a vertical one
    arterial = line % ARTERIAL_EVERY < 2
    reverse = line % ARTERIAL_EVERY == 1  # the pair's second line runs the other way
    source = np.where(reverse, b, a)
    target = np.where(reverse, a, b)
    kept = arterial | (rng.random(len(a)) >= MISSING_SHARE)
    turn_from, turn_via, turn_to = _no_left_turns(
        size, horizontal_count, kept, rng, restricted_share
    )
    new_id = np.cumsum(kept) - 1
    source, target, arterial = source[kept], target[kept], arterial[kept]
    horizontal = (np.arange(len(a)) < horizontal_count)[kept]
    points, offsets = _polylines(x, y, source, target, arterial, horizontal, rng)
    lon, lat = projection.inverse(points[:, 0], points[:, 1])
    node_lon, node_lat = projection.inverse(x, y)
    piece = np.hypot(np.diff(points[:, 0]), np.diff(points[:, 1]))
    ends = np.ones(len(points) - 1, dtype=np.bool_)
    ends[offsets[1:-1] - 1] = False  # the step from one segment's end to the next one's start
    cumulative = np.concatenate([[0.0], np.cumsum(np.where(ends, piece, 0.0))])
    length = cumulative[offsets[1:] - 1] - cumulative[offsets[:-1]]
    speed = np.where(arterial, ARTERIAL_KMH, MINOR_KMH)
    return RoadArrays(
        node_lon=node_lon,
        node_lat=node_lat,
        seg_source=source,
        seg_target=target,
        seg_minutes=length / (speed * 1000.0 / 60.0),
        seg_length_m=length,
        seg_oneway=arterial,
        seg_coords=SegmentCoords(np.column_stack([lon, lat]), offsets),
        version=seed,
        seg_snappable=np.ones(len(source), dtype=np.bool_),
        turn_from=new_id[turn_from],
        turn_via=turn_via,
        turn_to=new_id[turn_to],
        turn_only=np.zeros(len(turn_via), dtype=np.bool_),
    )


def _no_left_turns(
    size: int, horizontal_count: int, kept: BoolArray, rng: np.random.Generator, share: float
) -> tuple[IntArray, IntArray, IntArray]:
    """At random inner junctions: no turn from the road arriving from the west into the road
    leaving north (old segment ids; only where both roads are kept)."""
    count = max(1, int(size * size * share))
    row = rng.integers(1, size - 1, count)
    column = rng.integers(1, size - 1, count)
    west = row * (size - 1) + (column - 1)  # horizontal (row, column-1) → (row, column)
    north = horizontal_count + row * size + column  # vertical (row, column) → (row+1, column)
    via = row * size + column
    ok = kept[west] & kept[north]
    return west[ok], via[ok].astype(np.int64), north[ok]


def _polylines(
    x: FloatArray,
    y: FloatArray,
    source: IntArray,
    target: IntArray,
    arterial: BoolArray,
    horizontal: BoolArray,
    rng: np.random.Generator,
) -> tuple[FloatArray, IntArray]:
    """Flat metric coordinates of every segment (source, [bend,] target) and their offsets."""
    count = len(source)
    vertices = np.where(arterial, 2, 3)
    offsets = np.concatenate([[0], np.cumsum(vertices)]).astype(np.int64)
    points = np.empty((int(offsets[-1]), 2), dtype=np.float64)
    points[offsets[:-1], 0], points[offsets[:-1], 1] = x[source], y[source]
    points[offsets[1:] - 1, 0], points[offsets[1:] - 1, 1] = x[target], y[target]
    bent = np.nonzero(~arterial)[0]
    shift = rng.uniform(-BEND_M, BEND_M, count)[bent]
    middle = offsets[bent] + 1
    mx = (x[source[bent]] + x[target[bent]]) / 2
    my = (y[source[bent]] + y[target[bent]]) / 2
    points[middle, 0] = mx + np.where(horizontal[bent], 0.0, shift)
    points[middle, 1] = my + np.where(horizontal[bent], shift, 0.0)
    return points, offsets

"""A uniform grid over the road's pieces, for snapping without a shapely object per segment.
Pure (numpy; the queries compiled with numba).

Every piece (two consecutive vertices of a segment, in the local metric projection) is listed
in each grid cell its bounding box covers (``cell_ptr``/``cell_piece``, compressed rows). The
nearest allowed segment to a point is found ring by ring around the point's cell: after ring r,
any piece not yet seen is more than r cells away, so the search stops as soon as the best
distance is within r × cell size (issue 15: at province scale, 1.2 M shapely lines and their
STRtrees held ~600 MB in each server process; these arrays are memory-mapped and shared).
Ties go to a segment ending at the nearest point (a junction's own roads rather than one
passing over it), then to the lowest segment index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from geo.road_arrays import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class SegmentGrid:
    """The pieces of every segment and the grid cells listing them."""

    xy: FloatArray  # (m, 2) projected vertices, flat (``SegmentCoords`` order)
    piece_start: IntArray  # the first vertex of each piece (the second is the next one)
    piece_segment: IntArray
    cell_ptr: IntArray  # cell c lists cell_piece[cell_ptr[c]:cell_ptr[c + 1]]
    cell_piece: IntArray
    meta: FloatArray  # x0, y0, cell size, columns, rows

    def nearest(
        self, x: FloatArray, y: FloatArray, allowed: BoolArray, max_m: float
    ) -> tuple[IntArray, FloatArray]:
        """Each point's nearest allowed segment within ``max_m`` (-1 and infinity if none)."""
        segments = np.full(len(x), -1, dtype=np.int64)
        gaps = np.full(len(x), np.inf)
        _nearest_all(
            np.ascontiguousarray(x, dtype=np.float64),
            np.ascontiguousarray(y, dtype=np.float64),
            allowed, max_m, self.xy, self.piece_start, self.piece_segment, self.cell_ptr,
            self.cell_piece, self.meta, segments, gaps,
        )  # fmt: skip
        return segments, gaps


def build_grid(xy: FloatArray, offsets: IntArray) -> SegmentGrid:
    """The grid of projected vertices ``xy`` (segment j: ``xy[offsets[j]:offsets[j + 1]]``)."""
    is_start = np.ones(len(xy), dtype=np.bool_)
    is_start[offsets[1:] - 1] = False  # a segment's last vertex starts no piece
    piece_start = np.nonzero(is_start)[0].astype(np.int64)
    piece_segment = (np.searchsorted(offsets, piece_start, side="right") - 1).astype(np.int64)
    x0, y0 = float(xy[:, 0].min()), float(xy[:, 1].min())
    width = max(float(xy[:, 0].max()) - x0, 1.0)
    height = max(float(xy[:, 1].max()) - y0, 1.0)
    cell = min(max(2.0 * math.sqrt(width * height / max(len(piece_start), 1)), 25.0), 1_000.0)
    columns, rows = int(width // cell) + 1, int(height // cell) + 1
    ax, ay = xy[piece_start, 0], xy[piece_start, 1]
    bx, by = xy[piece_start + 1, 0], xy[piece_start + 1, 1]
    cx0 = ((np.minimum(ax, bx) - x0) // cell).astype(np.int64)
    cx1 = ((np.maximum(ax, bx) - x0) // cell).astype(np.int64)
    cy0 = ((np.minimum(ay, by) - y0) // cell).astype(np.int64)
    cy1 = ((np.maximum(ay, by) - y0) // cell).astype(np.int64)
    span_x = cx1 - cx0 + 1
    counts = span_x * (cy1 - cy0 + 1)
    piece = np.repeat(np.arange(len(piece_start), dtype=np.int64), counts)
    within = np.arange(len(piece)) - np.repeat(np.cumsum(counts) - counts, counts)
    cx = cx0[piece] + within % span_x[piece]
    cy = cy0[piece] + within // span_x[piece]
    cell_of = cy * columns + cx
    order = np.argsort(cell_of, kind="stable")
    cell_ptr = np.zeros(columns * rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell_of, minlength=columns * rows), out=cell_ptr[1:])
    return SegmentGrid(
        xy=np.ascontiguousarray(xy, dtype=np.float64),
        piece_start=piece_start,
        piece_segment=piece_segment,
        cell_ptr=cell_ptr,
        cell_piece=piece[order],
        meta=np.array([x0, y0, cell, columns, rows], dtype=np.float64),
    )


@njit(cache=True, nogil=True)
def _piece_distance(
    px: float, py: float, ax: float, ay: float, bx: float, by: float
) -> tuple[float, float]:
    """Distance from the point to the piece, and where along it (0..1) the nearest point is."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0.0 else ((px - ax) * dx + (py - ay) * dy) / length2
    t = min(max(t, 0.0), 1.0)
    ex, ey = ax + t * dx - px, ay + t * dy - py
    return math.sqrt(ex * ex + ey * ey), t


@njit(cache=True, nogil=True)
def _nearest_all(  # pragma: no cover - compiled
    xs: FloatArray,
    ys: FloatArray,
    allowed: npt.NDArray[np.bool_],
    max_m: float,
    xy: FloatArray,
    piece_start: IntArray,
    piece_segment: IntArray,
    cell_ptr: IntArray,
    cell_piece: IntArray,
    meta: FloatArray,
    segments: IntArray,
    gaps: FloatArray,
) -> None:
    x0, y0, cell = meta[0], meta[1], meta[2]
    columns, rows = int(meta[3]), int(meta[4])
    for i in range(len(xs)):
        px, py = xs[i], ys[i]
        cx, cy = int((px - x0) // cell), int((py - y0) // cell)
        best, best_segment, best_end = np.inf, -1, False
        # Rings beyond the grid hold nothing: stop there too.
        far = max(abs(cx), abs(cy), abs(cx - columns + 1), abs(cy - rows + 1))
        r = 0
        while True:
            for gy in range(cy - r, cy + r + 1):
                if gy < 0 or gy >= rows:
                    continue
                edge_row = gy == cy - r or gy == cy + r
                step = 1 if edge_row else 2 * r
                gx = cx - r
                while gx <= cx + r:
                    if 0 <= gx < columns:
                        c = gy * columns + gx
                        for k in range(cell_ptr[c], cell_ptr[c + 1]):
                            p = cell_piece[k]
                            segment = piece_segment[p]
                            if not allowed[segment]:
                                continue
                            a = piece_start[p]
                            d, t = _piece_distance(
                                px, py, xy[a, 0], xy[a, 1], xy[a + 1, 0], xy[a + 1, 1]
                            )
                            if d > best:
                                continue
                            # Ties: a segment that ends there (a junction's own roads, not
                            # one passing over it), then the lowest index.
                            end = (t == 0.0 and (p == 0 or piece_segment[p - 1] != segment)) or (
                                t == 1.0
                                and (p == len(piece_segment) - 1 or piece_segment[p + 1] != segment)
                            )
                            if d < best or (end, -segment) > (best_end, -best_segment):
                                best, best_segment, best_end = d, segment, end
                    gx += step if step > 0 else 1
            if best <= r * cell or r * cell > max_m or r > far:
                break
            r += 1
        if best <= max_m:
            segments[i], gaps[i] = best_segment, best

"""Nearest k by road for ``TravelTimeEngine.nearest``: the candidates' entries into a
reversed search from the target, the early-stop search (``geo.nearest_search``) and the metres
along its tree. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from geo.nearest_search import EarlyStopSearch, tree_meters
from geo.road_arrays import FloatArray, IntArray

if TYPE_CHECKING:
    from geo.engine import Ranked, Snap, TravelTimeEngine

# geo.engine imports this module, so its names are imported where they are used.


def nearest(
    engine: TravelTimeEngine,
    target: Snap,
    candidates: Sequence[tuple[str, float, float]],
    k: int,
    max_limit: float = 24 * 60.0,
) -> list[Ranked]:
    """The k candidates (key, lon, lat) with the shortest road time to the target.

    One reversed search from the target that stops once the k best are final
    (``geo.nearest_search``); candidates farther than ``max_limit`` minutes and unsnappable
    ones are left out."""
    from geo.engine import Ranked

    snaps = engine.snap_cached([(c[1], c[2]) for c in candidates])
    placed = [(c[0], s) for c, s in zip(candidates, snaps, strict=True) if s is not None]
    if not placed:
        return []
    points = [s for _, s in placed]
    table = np.array([(s.segment, s.fraction, s.distance_m) for s in points], dtype=np.float64)
    segment, fraction, gap = table[:, 0].astype(np.int64), table[:, 1], table[:, 2]
    direct = _direct_many(engine, segment, fraction, gap, target)
    best = direct.copy()
    with engine._early_lock:
        if engine._early is None:
            engine._early = EarlyStopSearch(engine._virtual + 1)
        early = engine._early
        base = engine._reverse
        try:
            early.run(
                (base.indptr, base.indices, base.data),
                engine._starts(target, True),
                engine._virtual,
                _entries(engine, segment, fraction, gap),
                best,
                min(k, len(placed)),
                max_limit,
            )
            ranked = []
            for i in [int(i) for i in np.argsort(best, kind="stable")[:k]]:
                if not best[i] <= max_limit:
                    break
                meters = (
                    _direct_meters(engine, points[i], target)
                    if direct[i] <= best[i]
                    else _meters_in_tree(engine, points[i], target, early)
                )
                ranked.append(Ranked(placed[i][0], float(best[i]), meters))
        finally:
            early.reset()
    return ranked


def _direct_many(
    engine: TravelTimeEngine, segment: IntArray, fraction: FloatArray, gap: FloatArray, target: Snap
) -> FloatArray:
    """``_direct_minutes`` of many points (segment, fraction, gap) to one target."""
    a = engine.arrays
    same = segment == target.segment
    allowed = same & ~(a.seg_oneway[segment] & (target.fraction < fraction))
    minutes = (
        np.abs(target.fraction - fraction) * a.seg_minutes[segment]
        + gap / engine.access_m_per_min
        + engine._access(target)
    )
    result: FloatArray = np.where(allowed, minutes, np.inf)
    return result


def _entries(
    engine: TravelTimeEngine, segment: IntArray, fraction: FloatArray, gap: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Where a reversed search reaches each point (segment, fraction, gap): (graph node,
    candidate, minutes from the node to the point), as ``at_points`` reads them (a junction
    point: the node and its copies)."""
    from geo.engine import JUNCTION_M

    a, turns = engine.arrays, engine._turns
    minutes, length = a.seg_minutes[segment], a.seg_length_m[segment]
    access = gap / engine.access_m_per_min
    at_source = fraction * length <= JUNCTION_M
    at_target = (1.0 - fraction) * length <= JUNCTION_M
    source_ok = at_source | ~a.seg_oneway[segment]
    candidate = np.arange(len(segment), dtype=np.int64)
    nodes = [
        np.where(at_target, a.seg_target[segment], turns.forward_head[segment]),
        np.where(at_source, a.seg_source[segment], turns.backward_head[segment])[source_ok],
    ]
    owners = [candidate, candidate[source_ok]]
    offsets = [(1.0 - fraction) * minutes + access, (fraction * minutes + access)[source_ok]]
    for junction, node_of in ((at_target, a.seg_target), (at_source, a.seg_source)):
        for i in np.nonzero(junction & turns.restricted[node_of[segment]])[0].tolist():
            copies = _copies_of(engine, int(node_of[segment[i]]))
            nodes.append(np.array(copies, dtype=np.int64))
            owners.append(np.full(len(copies), i, dtype=np.int64))
            offset = (1.0 - fraction[i] if junction is at_target else fraction[i]) * minutes[i]
            offsets.append(np.full(len(copies), offset + access[i]))
    return np.concatenate(nodes), np.concatenate(owners), np.concatenate(offsets)


def _copies_of(engine: TravelTimeEngine, node: int) -> list[int]:
    """The graph nodes of a restricted junction's copies."""
    if engine._copies is None:
        copies: dict[int, list[int]] = {}
        for i, real in enumerate(engine._turns.copy_node.tolist()):
            copies.setdefault(real, []).append(engine.node_count + i)
        engine._copies = copies
    return engine._copies.get(node, [])


def _direct_meters(engine: TravelTimeEngine, start: Snap, end: Snap) -> float:
    length = float(engine.arrays.seg_length_m[start.segment])
    return abs(end.fraction - start.fraction) * length + start.distance_m + end.distance_m


def _meters_in_tree(
    engine: TravelTimeEngine, origin: Snap, target: Snap, early: EarlyStopSearch
) -> float:
    """Metres from origin to target along the nearest search's shortest-path tree."""
    a = engine.arrays
    times = early.dist
    node, _ = min(engine._starts(origin, False), key=lambda nc: times[nc[0]] + nc[1])
    leave = 1.0 if engine._real(node) == a.seg_target[origin.segment] else 0.0
    meters = origin.distance_m + abs(leave - origin.fraction) * float(
        a.seg_length_m[origin.segment]
    )
    along, node = tree_meters(
        node, early.pred, early.pred_edge, engine._reverse_seg, a.seg_length_m, engine._virtual
    )
    enter = 0.0 if engine._real(node) == a.seg_source[target.segment] else 1.0
    length = float(a.seg_length_m[target.segment])
    return meters + along + abs(target.fraction - enter) * length + target.distance_m

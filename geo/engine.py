"""The travel-time engine: the road graph in memory as compressed sparse arrays, searched with
``scipy.sparse.csgraph.dijkstra``. Pure: it takes arrays and points, and returns minutes.

Points are snapped to the nearest segment (in a local metric projection); the part of that
segment to its ends is driven at the segment's speed, and the gap between the point and the road
(the access leg) at a slow access speed. A search starts from a virtual node joined to the
snapped segment's ends (one Dijkstra for any number of starts), so "the nearest ambulances to an
incident" is one search on the reversed graph from the incident, bounded by a time limit.

Turn restrictions: the graph is turn-expanded only at the restricted junctions (``geo.turns``),
so a search is still one Dijkstra; a node's time is the minimum over its copies, and routes map
the copies back to the node.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from geo import engine_nearest
from geo.engine_graph import START_SLOTS, EngineGraph, build_graph
from geo.exceptions import OutsideMappedArea
from geo.nearest_search import EarlyStopSearch
from geo.road_arrays import (
    FloatArray,
    IntArray,
    LocalProjection,
    RoadArrays,
    SegmentCoords,
)
from geo.turns import NO_EDGE

ENGINE_TINY = _TINY = 1e-9  # csgraph needs positive weights: a zero-length edge costs a nanominute
# A point this close (along its segment) to a segment's end is at that junction: it may leave or
# be reached through every road meeting there, whichever segment it snapped to (issue 15: a
# junction point snapped to a one-way segment had to loop round, or got no ambulance at all).
JUNCTION_M = 1.0
# An expressway carriageway takes the points on it: within this of its centre line (issue 15:
# points on an interstate were refused or placed on side roads up to 2 km away).
CARRIAGEWAY_SNAP_M = 30.0
SNAP_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class Snap:
    """Where a point meets the road: segment, fraction along it from its source, gap in metres."""

    segment: int
    fraction: float
    distance_m: float
    lon: float
    lat: float


@dataclass(frozen=True)
class Route:
    minutes: float
    meters: float
    coords: list[tuple[float, float]]
    start: Snap
    end: Snap


@dataclass(frozen=True)
class Ranked:
    key: str
    minutes: float
    meters: float


def _dijkstra(graph: csr_matrix, source: int, limit: float) -> tuple[FloatArray, IntArray]:
    """Times and predecessors of one bounded Dijkstra from ``source``."""
    times, predecessors = dijkstra(
        graph,
        directed=True,
        indices=np.array([source], dtype=np.int32),
        limit=limit,
        return_predecessors=True,
    )
    return times[0], predecessors[0].astype(np.int64)


class TravelTimeEngine:
    """Road travel times over one loaded network version."""

    def __init__(
        self,
        arrays: RoadArrays,
        access_speed_kmh: float = 10.0,
        max_snap_m: float = 2_000.0,
        graph: EngineGraph | None = None,
    ) -> None:
        """The engine over ``arrays``; ``graph`` is their search graph when it was built (or
        memory-mapped, ``geo.road_cache``) already."""
        if len(arrays.seg_source) == 0:
            raise ValueError("a road network needs at least one segment")
        self.arrays = arrays
        self.version = arrays.version
        self.access_m_per_min = access_speed_kmh * 1000.0 / 60.0
        self.max_snap_m = max_snap_m
        self.node_count = len(arrays.node_lon)
        self.segment_count = len(arrays.seg_source)
        self.projection = LocalProjection(
            float(np.mean(arrays.node_lon)), float(np.mean(arrays.node_lat))
        )
        self.graph = graph if graph is not None else build_graph(arrays, _TINY)
        self._turns = self.graph.turns
        self._virtual = self.graph.virtual  # the extra row a search starts from
        self._forward, self._forward_seg = self.graph.forward, self.graph.forward_seg
        self._reverse, self._reverse_seg = self.graph.reverse, self.graph.reverse_seg
        self._start_lock = threading.Lock()  # the start slots are written per search
        self._early_lock = threading.Lock()  # the nearest search's buffers, one search at a time
        self._early: EarlyStopSearch | None = None  # made on the first nearest search
        self._copies: dict[int, list[int]] | None = None
        self.grid = self.graph.grid
        self._flat = SegmentCoords.of(arrays.seg_coords)
        self._all_lines: npt.NDArray[np.object_] | None = None
        allowed = arrays.seg_snappable
        if allowed is None or not allowed.any():
            allowed = np.ones(self.segment_count, dtype=np.bool_)
        self._allowed = np.asarray(allowed, dtype=np.bool_)
        self._carriageways = ~self._allowed
        self._any_carriageway = bool(self._carriageways.any())
        self.in_main_component = self.graph.in_main_component
        main = self._allowed & self.in_main_component
        self._main_allowed = main if main.any() else self._allowed
        self._snap_cache: dict[tuple[float, float], Snap | None] = {}

    # -- building -------------------------------------------------------------------------

    def lines_of(self, segments: IntArray) -> npt.NDArray[np.object_]:
        """The given segments as shapely lines in the local projection, made on demand from the
        grid's flat projected vertices (one vectorised call)."""
        offsets = self._flat.offsets
        starts, counts = offsets[segments], offsets[segments + 1] - offsets[segments]
        firsts = np.cumsum(counts) - counts
        index = np.arange(int(counts.sum())) - np.repeat(firsts - starts, counts)
        owner = np.repeat(np.arange(len(segments)), counts)
        lines: npt.NDArray[np.object_] = shapely.linestrings(self.grid.xy[index], indices=owner)
        return lines

    @property
    def lines(self) -> npt.NDArray[np.object_]:
        """Every segment as a shapely line (made on first use, then kept: analysis and tests;
        the server's searches use ``lines_of``)."""
        if self._all_lines is None:
            self._all_lines = self.lines_of(np.arange(self.segment_count))
        return self._all_lines

    # -- snapping -------------------------------------------------------------------------

    def snap_many(self, lons: Sequence[float], lats: Sequence[float]) -> list[Snap | None]:
        """Each point's snap, or None where it is farther than the limit from every road."""
        if len(lons) == 0:
            return []
        x, y = self.projection.forward(np.asarray(lons, float), np.asarray(lats, float))
        segments, gaps = self.grid.nearest(x, y, self._allowed, self.max_snap_m)
        if self._any_carriageway:
            # Within CARRIAGEWAY_SNAP_M of an expressway carriageway and nearer to it than to
            # any ordinary road: the nearest carriageway. Beside a divided road that is the one
            # on the point's side, running its way (right-hand traffic).
            lanes, lane_gaps = self.grid.nearest(x, y, self._carriageways, CARRIAGEWAY_SNAP_M)
            onto = lane_gaps < gaps
            segments[onto], gaps[onto] = lanes[onto], lane_gaps[onto]
        # A point whose nearest road is on an island snaps to the main network instead (with
        # the longer access leg), when that is within reach: from an island nothing is reachable.
        island = (segments >= 0) & ~self.in_main_component[np.maximum(segments, 0)]
        if island.any():
            main_segments, main_gaps = self.grid.nearest(
                x[island], y[island], self._main_allowed, self.max_snap_m
            )
            reachable = main_segments >= 0
            chosen = np.nonzero(island)[0][reachable]
            segments[chosen] = main_segments[reachable]
            gaps[chosen] = main_gaps[reachable]
        found = np.nonzero((segments >= 0) & (gaps <= self.max_snap_m))[0]
        lines = self.lines_of(segments[found])
        points = shapely.points(x[found], y[found])
        fractions = shapely.line_locate_point(lines, points, normalized=True)
        on_road = shapely.line_interpolate_point(lines, fractions, normalized=True)
        lon, lat = self.projection.inverse(shapely.get_x(on_road), shapely.get_y(on_road))
        snaps: list[Snap | None] = [None] * len(x)
        for k, i in enumerate(found.tolist()):
            snaps[i] = Snap(
                int(segments[i]), float(fractions[k]), float(gaps[i]), float(lon[k]), float(lat[k])
            )
        return snaps

    def snap_cached(self, points: Sequence[tuple[float, float]]) -> list[Snap | None]:
        """Snaps of points seen before come from a cache (ambulances wait at their stations);
        only new points are searched. The cache is bounded and belongs to this network version."""
        missing = [p for p in dict.fromkeys(points) if p not in self._snap_cache]
        if missing:
            if len(self._snap_cache) + len(missing) > SNAP_CACHE_SIZE:
                self._snap_cache.clear()
            found = self.snap_many([p[0] for p in missing], [p[1] for p in missing])
            self._snap_cache.update(zip(missing, found, strict=True))
        return [self._snap_cache[p] for p in points]

    def snap(self, lon: float, lat: float) -> Snap:
        """The point's snap; OutsideMappedArea if it is too far from every road."""
        found = self.snap_many([lon], [lat])[0]
        if found is None:
            raise OutsideMappedArea(
                f"lon {lon} / lat {lat} is more than {self.max_snap_m:.0f} m from every mapped"
                " road: it is outside the mapped area"
            )
        return found

    def _access(self, snap: Snap) -> float:
        return snap.distance_m / self.access_m_per_min

    # -- searching ------------------------------------------------------------------------

    def _starts(self, snap: Snap, reverse: bool) -> list[tuple[int, float]]:
        """Graph nodes reachable from a snapped point (or, reversed, reaching it) and their cost.

        Along its segment the point reaches the graph node where the segment's edge ends (at a
        restricted junction: the in-copy that obeys the restrictions) and is reached from where
        it starts (the out-copy); a point at a junction is at the node itself.
        """
        a, turns, j = self.arrays, self._turns, snap.segment
        s, t = int(a.seg_source[j]), int(a.seg_target[j])
        m = float(a.seg_minutes[j])
        along, back = (1.0 - snap.fraction) * m, snap.fraction * m
        at_source, at_target = self._at_ends(j, snap.fraction)
        two_way = not a.seg_oneway[j]
        starts: list[tuple[int, float]] = []
        if not reverse:
            # Leave the point toward the target (always) or the source (two-way, or the point
            # is at the source junction).
            starts.append((t if at_target else int(turns.forward_head[j]), along))
            if at_source:
                starts.append((s, back))
            elif two_way:
                starts.append((int(turns.backward_head[j]), back))
        else:
            # Arrive at the point from the source (always) or the target (two-way, or the point
            # is at the target junction).
            source_side = s if at_source else int(turns.forward_tail[j])
            starts.extend((node, back) for node in self._arrive(source_side))
            if at_target:
                starts.extend((node, along) for node in self._arrive(t))
            elif two_way:
                starts.extend((node, along) for node in self._arrive(int(turns.backward_tail[j])))
        access = self._access(snap)
        return [(node, cost + access) for node, cost in starts]

    def _arrive(self, node: int) -> list[int]:
        """Where a trip ending at graph node ``node`` arrives: at a restricted junction, its
        in-copies (and the node itself, where only a trip starting there is)."""
        if node < self.node_count and self._turns.restricted[node]:
            return [node, *self._turns.arrivals.get(node, [])]
        return [node]

    def _node_view(self, times: FloatArray) -> FloatArray:
        """A search's times with each real node's time the minimum over it and its copies."""
        copies = self._turns.copy_node
        if len(copies) == 0:
            return times
        view = times.copy()
        np.minimum.at(view, copies, times[self.node_count : self.node_count + len(copies)])
        return view

    def _at_ends(self, segment: int, fraction: float) -> tuple[bool, bool]:
        """Whether a point at ``fraction`` of the segment is at its source / target junction."""
        length = float(self.arrays.seg_length_m[segment])
        return fraction * length <= JUNCTION_M, (1.0 - fraction) * length <= JUNCTION_M

    def _search(
        self, starts: Sequence[tuple[int, float]], reverse: bool, limit: float
    ) -> tuple[FloatArray, IntArray]:
        """Graph node times (and predecessors) from a virtual node joined to the starts."""
        base = self._reverse if reverse else self._forward
        virtual = self._virtual
        nodes = np.array([n for n, _ in starts], dtype=np.int32)
        costs = np.maximum(np.array([c for _, c in starts], dtype=np.float64), _TINY)
        if len(nodes) > START_SLOTS:  # many origins: a copy of the graph with a longer row
            indptr = base.indptr.copy()
            indptr[-1] += len(nodes)
            graph = csr_matrix(
                (np.concatenate([base.data, costs]), np.concatenate([base.indices, nodes]), indptr),
                shape=base.shape,
            )
            return _dijkstra(graph, virtual, limit)
        with self._start_lock:  # the slots are shared by the threads of this process
            base.indices[-START_SLOTS:] = virtual
            base.indices[-START_SLOTS:][: len(nodes)] = nodes
            base.data[-START_SLOTS:] = 1.0
            base.data[-START_SLOTS:][: len(nodes)] = costs
            return _dijkstra(base, virtual, limit)

    def node_times(self, node: int, reverse: bool = False, limit: float = np.inf) -> FloatArray:
        """Minutes from one node to every node (or, reversed, from every node to it)."""
        if reverse and self._turns.restricted[node]:
            times, _ = self._search([(n, 0.0) for n in self._arrive(node)], True, limit)
            times[node] = 0.0
        else:
            times, _ = _dijkstra(self._reverse if reverse else self._forward, node, limit)
        return self._node_view(times)[: self.node_count]

    def times_from(
        self, snaps: Sequence[Snap], reverse: bool = False, limit: float = np.inf
    ) -> FloatArray:
        """Minutes from the nearest of several points to every node (reversed: to them).

        Indexes 0..node_count-1 are the nodes; after them come the copies of the restricted
        junctions, which ``at_points`` and the coverage need."""
        starts = [start for snap in snaps for start in self._starts(snap, reverse)]
        times, _ = self._search(starts, reverse, limit)
        return self._node_view(times)[: self._virtual]

    def segment_end_times(
        self, times: FloatArray, reverse: bool, segments: IntArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Given ``times_from`` times, per segment (all, or those given) the times at the graph
        nodes a point on it leaves through (reversed; forward: is reached from) at its target and
        at its source; infinity through the source (forward: the target) of a one-way segment."""
        turns = self._turns
        if segments is None:
            segments = np.arange(self.segment_count, dtype=np.int64)
        one_way = self.arrays.seg_oneway[segments]
        if reverse:  # leaving the point: via the target always, via the source if two-way
            via_target = times[turns.forward_head[segments]]
            return via_target, np.where(one_way, np.inf, times[turns.backward_head[segments]])
        # arriving at the point: from the source always, from the target if two-way
        via_source = times[turns.forward_tail[segments]]
        return np.where(one_way, np.inf, times[turns.backward_tail[segments]]), via_source

    def at_points(self, times: FloatArray, snaps: Sequence[Snap], reverse: bool) -> FloatArray:
        """Given the times of ``times_from``, the minutes at snapped points (access leg included).

        A forward search reaches a point through its segment's ends; a reversed search (times to
        the origin) leaves a point through them. A point at a junction is at the node.
        """
        if not snaps:
            return np.zeros(0)
        a = self.arrays
        segment = np.fromiter((s.segment for s in snaps), dtype=np.int64, count=len(snaps))
        fraction = np.fromiter((s.fraction for s in snaps), dtype=np.float64, count=len(snaps))
        gap = np.fromiter((s.distance_m for s in snaps), dtype=np.float64, count=len(snaps))
        minutes = a.seg_minutes[segment]
        length = a.seg_length_m[segment]
        via_target, via_source = self.segment_end_times(times, reverse, segment)
        at_source = fraction * length <= JUNCTION_M
        at_target = (1.0 - fraction) * length <= JUNCTION_M
        source = np.where(at_source, times[a.seg_source[segment]], via_source)
        target = np.where(at_target, times[a.seg_target[segment]], via_target)
        best = np.minimum(source + fraction * minutes, target + (1.0 - fraction) * minutes)
        result: FloatArray = best + gap / self.access_m_per_min
        return result

    # -- answers --------------------------------------------------------------------------

    def route(self, start: Snap, end: Snap) -> Route | None:
        """The fastest route between two snapped points, or None if no road connects them."""
        times, predecessors = self._search(self._starts(start, False), False, np.inf)
        best, via = math.inf, -1
        for node, cost in self._starts(end, True):
            if times[node] + cost < best:
                best, via = float(times[node] + cost), node
        same = self._same_segment(start, end)
        if same is not None and same <= best:
            coords = self._piece(start.segment, start.fraction, end.fraction)
            meters = abs(end.fraction - start.fraction) * float(
                self.arrays.seg_length_m[start.segment]
            )
            return Route(same, meters + start.distance_m + end.distance_m, coords, start, end)
        if not math.isfinite(best):
            return None
        return self._assemble(best, predecessors, via, start, end)

    def route_between(self, start: tuple[float, float], end: tuple[float, float]) -> Route | None:
        """The route between two (lon, lat) points; None if either is off the map or no road
        connects them."""
        snaps = self.snap_many([start[0], end[0]], [start[1], end[1]])
        if snaps[0] is None or snaps[1] is None:
            return None
        return self.route(snaps[0], snaps[1])

    def _same_segment(self, start: Snap, end: Snap) -> float | None:
        if start.segment != end.segment:
            return None
        if end.fraction < start.fraction and self.arrays.seg_oneway[start.segment]:
            return None
        m = float(self.arrays.seg_minutes[start.segment])
        return abs(end.fraction - start.fraction) * m + self._access(start) + self._access(end)

    def _direct_minutes(self, start: Snap, end: Snap) -> float:
        """Minutes along their shared segment (0.0 for the same point), else infinity."""
        same = self._same_segment(start, end)
        return math.inf if same is None else same

    def _edge_segment(self, tail: int, head: int) -> int:
        """The segment of the graph edge tail → head; NO_EDGE for a turn at a junction."""
        row = slice(self._forward.indptr[tail], self._forward.indptr[tail + 1])
        where = np.nonzero(self._forward.indices[row] == head)[0]
        return int(self._forward_seg[row][where[0]])

    def _real(self, node: int) -> int:
        """The real node of a graph node (a copy's junction)."""
        if node < self.node_count:
            return node
        return int(self._turns.copy_node[node - self.node_count])

    def _assemble(
        self, minutes: float, predecessors: IntArray, last: int, start: Snap, end: Snap
    ) -> Route:
        a = self.arrays
        path = [last]
        while predecessors[path[-1]] != self._virtual and predecessors[path[-1]] >= 0:
            path.append(int(predecessors[path[-1]]))
        path.reverse()
        first = self._real(path[0])
        # The start's own segment up to the first node, then whole segments, then the end's.
        leave_fraction = 1.0 if first == a.seg_target[start.segment] else 0.0
        coords = self._piece(start.segment, start.fraction, leave_fraction)
        meters = abs(leave_fraction - start.fraction) * float(a.seg_length_m[start.segment])
        for tail, head in itertools.pairwise(path):
            segment = self._edge_segment(tail, head)
            if segment == NO_EDGE:
                continue  # a turn at a restricted junction
            forward = a.seg_source[segment] == self._real(tail)
            piece = a.seg_coords[segment] if forward else a.seg_coords[segment][::-1]
            coords.extend((float(x), float(y)) for x, y in piece[1:])
            meters += float(a.seg_length_m[segment])
        enter_fraction = 0.0 if self._real(last) == a.seg_source[end.segment] else 1.0
        coords.extend(self._piece(end.segment, enter_fraction, end.fraction)[1:])
        meters += abs(end.fraction - enter_fraction) * float(a.seg_length_m[end.segment])
        return Route(minutes, meters + start.distance_m + end.distance_m, coords, start, end)

    def _piece(self, segment: int, f0: float, f1: float) -> list[tuple[float, float]]:
        """The lon/lat polyline along a segment from fraction f0 to f1 (either direction).

        Fractions are of the segment's length in metres (as snapping measures them), so the line
        is cut in the metric projection: cut in degrees, a bent road's cut drifted from the
        snapped point (issue 15: up to 188 m).
        """
        lo, hi = sorted((f0, f1))
        line = self.lines_of(np.array([segment]))[0]
        part = shapely.get_coordinates(substring(line, lo, hi, normalized=True))
        if len(part) == 0:
            return [(float(c[0]), float(c[1])) for c in self.arrays.seg_coords[segment][:1]]
        lon, lat = self.projection.inverse(part[:, 0], part[:, 1])
        coords = [(float(x), float(y)) for x, y in zip(lon, lat, strict=True)]
        if f0 > f1:
            coords.reverse()
        return coords

    def nearest(
        self,
        target: Snap,
        candidates: Sequence[tuple[str, float, float]],
        k: int,
        max_limit: float = 24 * 60.0,
    ) -> list[Ranked]:
        """The k candidates (key, lon, lat) with the shortest road time to the target: one
        reversed search that stops once the k best are final (``geo.engine_nearest``);
        candidates farther than ``max_limit`` minutes and unsnappable ones are left out."""
        return engine_nearest.nearest(self, target, candidates, k, max_limit)

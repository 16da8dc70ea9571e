"""Turn restrictions in the travel-time engine, against an independent oracle: networkx over a
turn-expanded line graph built here from the network's own data (not the engine's arrays)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import coverage
from geo.engine import JUNCTION_M, Snap, TravelTimeEngine
from geo.network import (
    DEFAULT_SPEEDS_KMH,
    FORBIDDING_TURNS,
    ONLY_TURNS,
    RoadNetwork,
    Segment,
    TurnRestriction,
    line_length_m,
    minutes_for,
    speed_for,
)
from geo.road_arrays import RoadArrays

STEP = 0.003  # degrees between grid nodes (~300 m)
LON0, LAT0 = 104.06, 30.66
ACCESS_M_PER_MIN = 10_000 / 60
KINDS = sorted(FORBIDDING_TURNS | ONLY_TURNS)
Edge = tuple[int, int, int, float]  # segment, tail, head, minutes


@st.composite
def restricted_networks(draw: st.DrawFn) -> RoadNetwork:
    """A jittered grid of streets: two-way, one-way either way, or divided (a one-way
    carriageway each way, drawn apart), with random turn restrictions at the junctions."""
    side = draw(st.integers(2, 4))
    jitter = st.floats(-0.0008, 0.0008)
    nodes = [
        (LON0 + i * STEP + draw(jitter), LAT0 + j * STEP + draw(jitter))
        for j in range(side)
        for i in range(side)
    ]
    network = RoadNetwork(nodes=nodes)
    pairs = [(j * side + i, j * side + i + 1) for j in range(side) for i in range(side - 1)]
    pairs += [(j * side + i, (j + 1) * side + i) for j in range(side - 1) for i in range(side)]
    for a, b in pairs:
        kind = draw(st.sampled_from(["two_way", "one_way", "reverse", "divided", "none"]))
        road_class = draw(st.sampled_from(["village", "county", "national"]))
        if kind == "two_way":
            _add(network, a, b, road_class, oneway=False)
        elif kind in ("one_way", "reverse"):
            _add(network, *((a, b) if kind == "one_way" else (b, a)), road_class, oneway=True)
        elif kind == "divided":
            _add(network, a, b, road_class, oneway=True, offset=0.0001)
            _add(network, b, a, road_class, oneway=True, offset=0.0001)
    touching: dict[int, list[int]] = defaultdict(list)
    for j, s in enumerate(network.segments):
        touching[s.source].append(j)
        touching[s.target].append(j)
    junctions = sorted(v for v, segments in touching.items() if len(segments) >= 2)
    if junctions:
        for _ in range(draw(st.integers(0, 10))):
            via = draw(st.sampled_from(junctions))
            came = draw(st.sampled_from(touching[via]))
            went = draw(st.sampled_from(touching[via]))
            network.restrictions.append(
                TurnRestriction(came, via, went, draw(st.sampled_from(KINDS)))
            )
    return network


def _add(
    network: RoadNetwork, a: int, b: int, road_class: str, oneway: bool, offset: float = 0.0
) -> None:
    (x0, y0), (x1, y1) = network.nodes[a], network.nodes[b]
    length = math.hypot(x1 - x0, y1 - y0)
    # The carriageway's middle is drawn to its right: the two of a divided road lie apart.
    middle = (
        (x0 + x1) / 2 + offset * (y1 - y0) / length,
        (y0 + y1) / 2 - offset * (x1 - x0) / length,
    )
    coords = ((x0, y0), middle, (x1, y1)) if offset else ((x0, y0), (x1, y1))
    network.segments.append(Segment(a, b, coords, road_class, oneway=oneway))


class Oracle:
    """A line graph: ("at", v) is a trip starting at v, ("edge", k) having just driven directed
    edge k (so at its head), ("end", v) any arrival at v. Turns from edge to edge follow the
    restrictions; a point is joined to the edges of its segment (or, at a junction, to the node)."""

    def __init__(self, network: RoadNetwork) -> None:
        self.network = network
        self.edges: list[Edge] = []
        self.forward: dict[int, int] = {}
        self.backward: dict[int, int] = {}
        self.minutes = [
            minutes_for(line_length_m(s.coords), speed_for(s, DEFAULT_SPEEDS_KMH))
            for s in network.segments
        ]
        for j, s in enumerate(network.segments):
            if s.source == s.target:
                continue
            self.forward[j] = len(self.edges)
            self.edges.append((j, s.source, s.target, self.minutes[j]))
            if not s.oneway:
                self.backward[j] = len(self.edges)
                self.edges.append((j, s.target, s.source, self.minutes[j]))
        forbidden = {
            (r.from_segment, r.via_node, r.to_segment)
            for r in network.restrictions
            if r.kind.startswith("no_")
        }
        only: dict[tuple[int, int], set[int]] = defaultdict(set)
        for r in network.restrictions:
            if r.kind.startswith("only_"):
                only[(r.from_segment, r.via_node)].add(r.to_segment)
        graph = nx.DiGraph()
        leaving: dict[int, list[int]] = defaultdict(list)
        for v in range(len(network.nodes)):
            graph.add_edge(("at", v), ("end", v), w=0.0)
        for k, (_, tail, head, minutes) in enumerate(self.edges):
            graph.add_edge(("at", tail), ("edge", k), w=minutes)
            graph.add_edge(("edge", k), ("end", head), w=0.0)
            leaving[tail].append(k)
        for k, (came, _, via, _) in enumerate(self.edges):
            allowed = only.get((came, via))
            for out in leaving[via]:
                went = self.edges[out][0]
                if (came, via, went) in forbidden or (allowed is not None and went not in allowed):
                    continue
                graph.add_edge(("edge", k), ("edge", out), w=self.edges[out][3])
        self.base = graph

    def _ends(self, snap: Snap) -> tuple[bool, bool]:
        length = line_length_m(self.network.segments[snap.segment].coords)
        return snap.fraction * length <= JUNCTION_M, (1 - snap.fraction) * length <= JUNCTION_M

    def with_points(self, snaps: list[Snap], direct: bool) -> nx.DiGraph:
        """The line graph with ("out", i) leaving point i and ("in", i) arriving at it."""
        graph = self.base.copy()
        for i, snap in enumerate(snaps):
            j, f = snap.segment, snap.fraction
            s, m = self.network.segments[j], self.minutes[j]
            access = snap.distance_m / ACCESS_M_PER_MIN
            at_source, at_target = self._ends(snap)
            out: list[tuple[Hashable, float]] = []
            out.append((("at", s.target) if at_target else ("edge", self.forward[j]), (1 - f) * m))
            if at_source:
                out.append((("at", s.source), f * m))
            elif j in self.backward:
                out.append((("edge", self.backward[j]), f * m))
            for node, cost in out:
                graph.add_edge(("out", i), node, w=cost + access)
            into: list[tuple[Hashable, float]] = []
            if at_source:
                into.append((("end", s.source), f * m))
            else:
                into += [(p, f * m) for p in self.base.predecessors(("edge", self.forward[j]))]
            if at_target:
                into.append((("end", s.target), (1 - f) * m))
            elif j in self.backward:
                before = self.base.predecessors(("edge", self.backward[j]))
                into += [(p, (1 - f) * m) for p in before]
            for node, cost in into:
                _add_cheapest(graph, node, ("in", i), cost + access)
        if direct:
            for i, a in enumerate(snaps):
                for k, b in enumerate(snaps):
                    if a.segment == b.segment and (
                        b.fraction >= a.fraction or not self.network.segments[a.segment].oneway
                    ):
                        cost = abs(b.fraction - a.fraction) * self.minutes[a.segment]
                        access = (a.distance_m + b.distance_m) / ACCESS_M_PER_MIN
                        _add_cheapest(graph, ("out", i), ("in", k), cost + access)
        return graph

    def node_times(self, origin: int, reverse: bool) -> dict[int, float]:
        if reverse:
            times = nx.single_source_dijkstra_path_length(
                self.base.reverse(), ("end", origin), weight="w"
            )
            return {key[1]: t for key, t in times.items() if key[0] == "at"}
        times = nx.single_source_dijkstra_path_length(self.base, ("at", origin), weight="w")
        return {key[1]: t for key, t in times.items() if key[0] == "end"}


def _add_cheapest(graph: nx.DiGraph, a: Hashable, b: Hashable, w: float) -> None:
    if not graph.has_edge(a, b) or graph[a][b]["w"] > w:
        graph.add_edge(a, b, w=w)


def _points(network: RoadNetwork, data: st.DataObject) -> list[tuple[float, float]]:
    """Points beside random roads (up to ~40 m off), and some nodes' own coordinates."""
    points = []
    for _ in range(data.draw(st.integers(2, 6))):
        segment = network.segments[data.draw(st.integers(0, len(network.segments) - 1))]
        (x0, y0), (x1, y1) = segment.coords[0], segment.coords[-1]
        f = data.draw(st.floats(0.0, 1.0))
        dx, dy = data.draw(st.floats(-0.0004, 0.0004)), data.draw(st.floats(-0.0004, 0.0004))
        points.append((x0 + f * (x1 - x0) + dx, y0 + f * (y1 - y0) + dy))
    for _ in range(data.draw(st.integers(0, 2))):
        points.append(network.nodes[data.draw(st.integers(0, len(network.nodes) - 1))])
    return points


def _check_junction_points(
    engine: TravelTimeEngine, network: RoadNetwork, snaps: list[Snap]
) -> None:
    """A point at a junction has exactly its node's times, restricted or not."""
    n = len(network.nodes)
    for snap in snaps:
        segment = network.segments[snap.segment]
        for node, fraction in ((segment.source, 0.0), (segment.target, 1.0)):
            if snap.fraction != fraction or snap.distance_m > 0.01:
                continue
            for reverse in (False, True):
                from_point = engine.times_from([snap], reverse=reverse)[:n]
                from_node = engine.node_times(node, reverse=reverse)
                assert all(_close(a, b) for a, b in zip(from_node, from_point, strict=True))


def _check_coverage(engine: TravelTimeEngine, snaps: list[Snap], data: st.DataObject) -> None:
    """The drive-time area's reachable share of each road agrees with the times at points on
    it (points off junctions, the access leg left out as the coverage leaves it out)."""
    on_road = [Snap(s.segment, s.fraction, 0.0, s.lon, s.lat) for s in snaps]
    times = engine.times_from(on_road[:1], reverse=True)
    minutes = data.draw(st.floats(0.1, 3.0))
    from_target, from_source = coverage._covered(engine, times, minutes)
    at = engine.at_points(times, on_road, reverse=True)
    for snap, time in zip(on_road, at, strict=True):
        length = float(engine.arrays.seg_length_m[snap.segment])
        near_end = min(snap.fraction, 1 - snap.fraction) * length <= 2 * JUNCTION_M
        if near_end or abs(time - minutes) < 1e-6:
            continue
        covered = (
            snap.fraction >= 1 - from_target[snap.segment] - 1e-9
            or snap.fraction <= from_source[snap.segment] + 1e-9
        )
        assert covered == (time <= minutes)


def _close(expected: float, actual: float) -> bool:
    if math.isinf(expected) or math.isinf(actual):
        return math.isinf(expected) and math.isinf(actual)
    return abs(expected - actual) <= 1e-6


@settings(max_examples=120, deadline=None)
@given(restricted_networks(), st.data())
def test_times_with_turn_restrictions_equal_a_turn_expanded_oracle(
    network: RoadNetwork, data: st.DataObject
) -> None:
    """Node-to-node, point-to-point (times_from/at_points both ways), route and nearest minutes
    equal networkx over a turn-expanded line graph, on grids with divided roads and random
    no_*/only_* restrictions."""
    if not network.segments:
        return
    engine = TravelTimeEngine(RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH), max_snap_m=1e6)
    oracle = Oracle(network)
    origin = data.draw(st.integers(0, len(network.nodes) - 1))
    for reverse in (False, True):
        expected = oracle.node_times(origin, reverse)
        times = engine.node_times(origin, reverse=reverse)
        for node in range(len(network.nodes)):
            assert _close(expected.get(node, math.inf), float(times[node])), (reverse, node)
    points = _points(network, data)
    snaps = [engine.snap(*point) for point in points]
    _check_junction_points(engine, network, snaps)
    plain = oracle.with_points(snaps, direct=False)
    full = oracle.with_points(snaps, direct=True)
    _check_coverage(engine, snaps, data)
    for i, start in enumerate(snaps):
        reached = nx.single_source_dijkstra_path_length(plain, ("out", i), weight="w")
        best = nx.single_source_dijkstra_path_length(full, ("out", i), weight="w")
        forward = engine.at_points(engine.times_from([start]), snaps, reverse=False)
        for k, end in enumerate(snaps):
            assert _close(reached.get(("in", k), math.inf), float(forward[k])), (i, k)
            route = engine.route(start, end)
            minutes = math.inf if route is None else route.minutes
            assert _close(best.get(("in", k), math.inf), minutes), (i, k)
        into = engine.at_points(engine.times_from([start], reverse=True), snaps, reverse=True)
        for k in range(len(snaps)):
            came = nx.single_source_dijkstra_path_length(plain, ("out", k), weight="w")
            assert _close(came.get(("in", i), math.inf), float(into[k])), (k, i)
        candidates = [(str(k), lon, lat) for k, (lon, lat) in enumerate(points)]
        ranked = engine.nearest(start, candidates, k=len(snaps))
        expected_to = {
            str(k): nx.single_source_dijkstra_path_length(full, ("out", k), weight="w").get(
                ("in", i), math.inf
            )
            for k in range(len(snaps))
        }
        assert sorted(r.key for r in ranked) == sorted(
            key for key, t in expected_to.items() if math.isfinite(t)
        )
        for r in ranked:
            assert r.minutes == pytest.approx(expected_to[r.key], abs=1e-6)


def test_a_forbidden_left_turn_is_driven_round_and_drawn_through_the_junction_twice() -> None:
    """A 1 km grid: west road A into junction 1, north road B, east road C to a junction 2 with
    roads on. No left turn from A into B: from the middle of A to the middle of B the route goes
    on to junction 2, turns back, and turns from C into B (3 km instead of 1 km), drawn through
    junction 1 twice; the reversed search (nearest) gives the same minutes and metres."""
    dlat = 1000 / 111_195.0
    dlon = dlat / math.cos(math.radians(LAT0))
    place = [(0, 0), (1, 0), (2, 0), (1, 1), (2, 1)]
    network = RoadNetwork(nodes=[(LON0 + x * dlon, LAT0 + y * dlat) for x, y in place])
    for a, b in ((0, 1), (1, 2), (1, 3), (2, 4), (4, 3)):
        network.segments.append(
            Segment(a, b, (network.nodes[a], network.nodes[b]), "county", oneway=False)
        )
    start_point = (LON0 + 0.5 * dlon, LAT0)
    end_point = (LON0 + dlon, LAT0 + 0.5 * dlat)
    free = TravelTimeEngine(RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH))
    network.restrictions.append(TurnRestriction(0, 1, 2, "no_left_turn"))
    engine = TravelTimeEngine(RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH))
    before = free.route_between(start_point, end_point)
    route = engine.route_between(start_point, end_point)
    assert before is not None
    assert route is not None
    assert before.minutes == pytest.approx(1.2, abs=0.01)  # 1 km at 50 km/h
    assert route.minutes == pytest.approx(3.6, abs=0.01)
    assert route.meters == pytest.approx(3000, rel=0.01)
    junction = network.nodes[1]
    passes = [c for c in route.coords if math.dist(c, junction) < 1e-7]
    assert len(passes) == 2
    assert any(math.dist(c, network.nodes[2]) < 1e-7 for c in route.coords)
    target = engine.snap(*end_point)
    ranked = engine.nearest(target, [("a", *start_point)], k=1)
    assert [r.key for r in ranked] == ["a"]
    assert ranked[0].minutes == pytest.approx(3.6, abs=0.01)
    assert ranked[0].meters == pytest.approx(3000, rel=0.01)
    # Turning right from B into A is not restricted.
    back = engine.route_between(end_point, start_point)
    assert back is not None
    assert back.minutes == pytest.approx(1.2, abs=0.01)

"""The road import's report, without a database: the ways kept and dropped and why, the
network's fragments (against networkx and the engine), the points it cannot serve, and how the
network lies against the service area."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely

from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork, Segment, line_length_m
from geo.osm import read_osm
from geo.road_area import area_fit, refusal, warning
from geo.road_arrays import RoadArrays
from geo.road_report import KEPT, WayCounter, WayLine, fragments, reach
from tests.conftest import CHENGDU_PBF
from tests.unit.test_osm_reader import POINTS, WAYS, osm_xml

PARIS = (2.35, 48.85)


def test_each_way_is_kept_or_dropped_with_its_reason(tmp_path: Path) -> None:
    """The tally hears of every highway way once: kept, or the first reason it is dropped."""
    ways = dict(WAYS)
    ways[19] = ([12, 13, 4], {"highway": "pedestrian", "area": "yes"})
    ways[20] = ([3, 11], {"highway": "primary", "area": "yes"})
    ways[21] = ([13, 3], {"highway": "service", "service": "driveway", "access": "no"})
    ways[22] = ([4, 99, 5], {"highway": "residential"})  # node 99 is not in the file
    path = tmp_path / "town.osm"
    path.write_text(osm_xml(POINTS, ways), encoding="utf-8")
    counter = WayCounter()
    read_osm(path, tally=counter)

    def metres(*nodes: int) -> float:
        return line_length_m([POINTS[n] for n in nodes])

    expected = [
        ("motorway", KEPT, 1, metres(9, 11)),
        ("primary", KEPT, 1, metres(3, 6)),
        ("residential", KEPT, 2, metres(1, 2, 3)),  # way 22 has no located pair
        ("secondary", KEPT, 1, metres(5, 7, 6)),
        ("tertiary", KEPT, 1, metres(4, 2, 5)),
        ("unclassified", KEPT, 1, metres(6, 8, 9, 6)),
        ("primary", "area", 1, metres(3, 11)),
        ("residential", "closed_to_cars", 1, metres(4, 13)),
        ("footway", "not_drivable_class", 1, metres(1, 12)),
        ("pedestrian", "not_drivable_class", 1, metres(12, 13, 4)),
        ("service", "parking_aisle_or_driveway", 2, metres(13, 12) + metres(13, 3)),
    ]
    lines = counter.lines()
    assert sorted(e[:3] for e in expected) == sorted((w.tag, w.outcome, w.ways) for w in lines)
    by_key = {(w.tag, w.outcome): w.length_m for w in lines}
    for tag, outcome, _, length in expected:
        assert length == pytest.approx(by_key[(tag, outcome)], rel=1e-9)
    assert lines[0] == WayLine("unclassified", KEPT, 1, by_key[("unclassified", KEPT)])


@pytest.fixture(scope="module")
def chengdu() -> tuple[RoadNetwork, RoadArrays, TravelTimeEngine]:
    """The Chengdu extract's network, its arrays and an engine over them."""
    network = read_osm(CHENGDU_PBF)
    arrays = RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH)
    return network, arrays, TravelTimeEngine(arrays)


def test_fragments_agree_with_networkx_and_the_engine(
    chengdu: tuple[RoadNetwork, RoadArrays, TravelTimeEngine],
) -> None:
    """Component counts equal networkx's; the islands are the engine's non-main segments."""
    network, arrays, engine = chengdu
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(network.nodes)))
    for s in network.segments:
        graph.add_edge(s.source, s.target)
        if not s.oneway:
            graph.add_edge(s.target, s.source)
    found = fragments(arrays)
    assert nx.number_weakly_connected_components(graph) == found.weak
    assert nx.number_strongly_connected_components(graph) == found.strong
    lengths = [line_length_m(s.coords) for s in network.segments]

    def length_within(nodes: set[int]) -> float:
        return sum(
            length
            for s, length in zip(network.segments, lengths, strict=True)
            if s.source in nodes and s.target in nodes
        )

    largest_weak = max(nx.weakly_connected_components(graph), key=len)
    largest_strong = max(nx.strongly_connected_components(graph), key=len)
    assert length_within(largest_weak) == pytest.approx(found.largest_weak_m, rel=1e-9)
    assert length_within(largest_strong) == pytest.approx(found.largest_strong_m, rel=1e-9)
    islands = ~engine.in_main_component
    assert int(islands.sum()) == found.island_segments
    assert float(arrays.seg_length_m[islands].sum()) == pytest.approx(found.island_m, rel=1e-12)
    assert found.length_m == pytest.approx(found.largest_strong_m + found.island_m, rel=1e-12)
    assert 0 < found.island_m < found.length_m


def island_points(engine: TravelTimeEngine, away_m: float) -> dict[tuple[float, float], float]:
    """A vertex of each ordinary island segment lying farther than ``away_m`` from every
    ordinary segment of the main network, and its distance to that network (metres)."""
    a = engine.arrays
    assert a.seg_snappable is not None
    main = engine.lines[np.nonzero(engine.in_main_component & a.seg_snappable)[0]]
    points = {}
    for j in np.nonzero(~engine.in_main_component & a.seg_snappable)[0]:
        coords = a.seg_coords[int(j)]
        lon, lat = coords[len(coords) // 2]
        x, y = engine.projection.forward(np.array([lon]), np.array([lat]))
        gap = float(shapely.distance(main, shapely.points(x, y)[0]).min())
        if gap > away_m:
            points[(float(lon), float(lat))] = gap
    return points


def test_reach_counts_points_on_islands_and_off_the_map(
    chengdu: tuple[RoadNetwork, RoadArrays, TravelTimeEngine],
) -> None:
    """An island vertex farther than the snap limit from every main road counts as on an
    island; a point far from every road as too far; a main road's vertex as neither."""
    _, arrays, engine = chengdu
    stranded = island_points(engine, away_m=100.0)
    main_segments = np.nonzero(engine.in_main_component)[0][::300]
    main = [
        (float(arrays.seg_coords[j][0][0]), float(arrays.seg_coords[j][0][1]))
        for j in main_segments
    ]
    points = [*stranded, *main, PARIS]
    near = TravelTimeEngine(arrays, max_snap_m=50.0)
    found = reach(near, "places", points)
    assert ("places", len(points), len(stranded), 1) == (
        found.what,
        found.total,
        found.on_island,
        found.beyond_snap,
    )
    assert len(stranded) + 1 == found.unreachable
    # With the default limit (2 km) the engine takes island points within it to the main network.
    far = sum(gap > engine.max_snap_m for gap in stranded.values())
    assert 0 < far < len(stranded) / 2
    default = reach(engine, "places", points)
    assert (far, 1) == (default.on_island, default.beyond_snap)


def test_a_network_partly_outside_the_area_is_measured() -> None:
    """Nodes outside, and stretches whose midpoint is outside, count as outside."""
    network = RoadNetwork(
        nodes=[(114.80, 33.40), (114.81, 33.40), (114.82, 33.40), (114.81, 33.39)],
        segments=[
            Segment(0, 1, ((114.80, 33.40), (114.81, 33.40)), "county"),
            Segment(1, 2, ((114.81, 33.40), (114.82, 33.40)), "county"),
            Segment(3, 1, ((114.81, 33.39), (114.81, 33.40)), "village"),
        ],
    )
    area = (114.0, 33.0, 114.812, 34.0)
    fit = area_fit(network, area)
    east = line_length_m([(114.81, 33.40), (114.82, 33.40)])
    total = sum(line_length_m(s.coords) for s in network.segments)
    assert (4, 1, (114.80, 33.39, 114.82, 33.40)) == (fit.nodes, fit.nodes_outside, fit.bbox)
    assert east == pytest.approx(fit.length_outside_m)
    assert total == pytest.approx(fit.length_m)
    assert (False, True) == (fit.wholly_outside, fit.partly_outside)
    text = warning(fit)
    assert f"25.0% of the nodes (1 of 4) and {east / total:.1%} of the road length" in text
    assert "lon 114..114.812, lat 33..34" in text
    assert "INFOFIRST_SERVICE_AREA" in text
    inside = area_fit(network, (114.0, 33.0, 115.0, 34.0))
    assert (False, False, 0.0) == (
        inside.wholly_outside,
        inside.partly_outside,
        inside.length_outside_m,
    )


def test_a_network_wholly_outside_the_area_is_refused_with_the_boxes() -> None:
    """No road vertex in the area: the refusal names both boxes and the setting to change."""
    network = RoadNetwork(nodes=[(2.35, 48.85), (2.371, 48.862)], segments=[])
    network.segments.append(Segment(0, 1, ((2.35, 48.85), (2.36, 48.85), (2.371, 48.862)), "x"))
    fit = area_fit(network, (73.0, 3.0, 136.0, 54.0))
    assert (True, False, 2) == (fit.wholly_outside, fit.partly_outside, fit.nodes_outside)
    assert math.isclose(fit.length_m, fit.length_outside_m)
    text = refusal(fit)
    assert "the network (lon 2.35..2.371, lat 48.85..48.862)" in text
    assert "outside the service area (lon 73..136, lat 3..54)" in text
    assert "Set INFOFIRST_SERVICE_AREA" in text
    assert "[2.35,48.85,2.38,48.87]" in text  # the network's box rounded outward

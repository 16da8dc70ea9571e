"""Unit tests for the synthetic road network of the demo county (no I/O)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import numpy.typing as npt
import pytest
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from dispatch.demo.county import CENTRE_LAT, CENTRE_LON, DemoCounty, build_demo_county
from dispatch.demo.roads import INTERCHANGES_KM, ROAD_CLASSES, SOURCE, build_demo_roads
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork, haversine_m, line_length_m

MAJOR = {"national", "provincial"}
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(CENTRE_LAT))


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    """The demo county."""
    return build_demo_county()


@pytest.fixture(scope="module")
def network(county: DemoCounty) -> RoadNetwork:
    """The demo county's roads, default seed."""
    return build_demo_roads(county)


def project(lonlat: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Local plane coordinates in metres (east, north) around the county centre."""
    a = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
    return np.column_stack(
        [(a[:, 0] - CENTRE_LON) * M_PER_DEG_LON, (a[:, 1] - CENTRE_LAT) * M_PER_DEG_LAT]
    )


def minutes_graph(network: RoadNetwork) -> csr_matrix:
    """Directed graph of driving minutes (the fastest of parallel segments)."""
    best: dict[tuple[int, int], float] = {}
    for s in network.segments:
        minutes = line_length_m(s.coords) / (DEFAULT_SPEEDS_KMH[s.road_class] * 1000.0 / 60.0)
        arcs = [(s.source, s.target)] + ([] if s.oneway else [(s.target, s.source)])
        for arc in arcs:
            best[arc] = min(best.get(arc, math.inf), max(minutes, 1e-9))
    n = len(network.nodes)
    rows = [a for a, _ in best]
    cols = [b for _, b in best]
    return csr_matrix((list(best.values()), (rows, cols)), shape=(n, n))


def node_at(network: RoadNetwork, lon: float, lat: float) -> tuple[int, float]:
    """The node nearest to (lon, lat) and its distance in metres."""
    gaps = np.hypot(*(project(network.nodes) - project((lon, lat))).T)
    i = int(np.argmin(gaps))
    return i, haversine_m(lon, lat, *network.nodes[i])


def facility_node(network: RoadNetwork, county: DemoCounty, facility_id: str) -> int:
    """The node at a facility."""
    facility = next(f for f in county.facilities if f.id == facility_id)
    return node_at(network, facility.lon, facility.lat)[0]


def test_same_seed_gives_identical_network(county: DemoCounty, network: RoadNetwork) -> None:
    """Building twice with the same seed gives an identical network; another seed differs."""
    again = build_demo_roads(county)
    assert network.nodes == again.nodes
    assert network.segments == again.segments
    assert network.nodes != build_demo_roads(county, seed=7).nodes


def test_network_is_labelled_synthetic(network: RoadNetwork) -> None:
    """The network says it is synthetic, in its source and its flag."""
    assert (SOURCE, True) == (network.source, network.synthetic)
    assert "synthetic" in network.source


def test_road_classes_are_the_six_and_all_present(network: RoadNetwork) -> None:
    """Every segment has one of the six Chinese road classes, and each class is present."""
    assert set(ROAD_CLASSES) == {s.road_class for s in network.segments}
    assert set(ROAD_CLASSES) <= set(DEFAULT_SPEEDS_KMH)


def test_size_is_a_county_network(network: RoadNetwork) -> None:
    """A county of ~1,000 km² gets between 1,500 and 5,000 segments."""
    assert 1_500 <= len(network.segments) <= 5_000
    assert len(network.nodes) < len(network.segments)


def test_segment_ends_are_their_nodes_exactly(network: RoadNetwork) -> None:
    """Each segment starts at its source node and ends at its target node, exactly."""
    off = [
        i
        for i, s in enumerate(network.segments)
        if s.coords[0] != network.nodes[s.source] or s.coords[-1] != network.nodes[s.target]
    ]
    assert [] == off
    assert all(s.source != s.target and len(s.coords) >= 2 for s in network.segments)
    assert len(network.nodes) == len(set(network.nodes))


def test_coordinates_are_rounded_to_seven_decimals(network: RoadNetwork) -> None:
    """Every coordinate is rounded to 7 decimals (about a centimetre)."""
    coords = [c for s in network.segments for p in s.coords for c in p]
    assert [] == [c for c in coords if round(c, 7) != c]


def test_roads_are_polylines_not_straight_lines(network: RoadNetwork) -> None:
    """Most segments longer than 1 km bend a little: they have intermediate vertices."""
    long = [s for s in network.segments if line_length_m(s.coords) > 1_000.0]
    bent = [s for s in long if len(s.coords) >= 3]
    assert len(bent) >= 0.7 * len(long)


def test_network_is_strongly_connected(network: RoadNetwork) -> None:
    """Every node can reach every other node by driving (one-way rules respected)."""
    count, _ = connected_components(minutes_graph(network), connection="strong")
    assert 1 == count


def test_every_village_and_facility_is_on_the_network(
    county: DemoCounty, network: RoadNetwork
) -> None:
    """Every village, township centre and facility has a node within 50 m (in fact at it)."""
    points = [(p.id, p.lon, p.lat) for p in county.places]
    points += [(f.id, f.lon, f.lat) for f in county.facilities]
    far = {pid: gap for pid, lon, lat in points if (gap := node_at(network, lon, lat)[1]) > 50.0}
    assert {} == far
    worst = max(node_at(network, lon, lat)[1] for _, lon, lat in points)
    assert worst < 0.05


def test_only_the_expressway_is_one_way(network: RoadNetwork) -> None:
    """The expressway's segments, and only they, are one-way."""
    oneway = Counter(s.road_class for s in network.segments if s.oneway)
    assert {"expressway"} == set(oneway)
    assert all(s.oneway for s in network.segments if s.road_class == "expressway")


def test_expressway_runs_both_ways(network: RoadNetwork) -> None:
    """Its two carriageways together let you drive from any point on it to any other."""
    arcs = [(s.source, s.target) for s in network.segments if s.road_class == "expressway"]
    on_it = sorted({n for arc in arcs for n in arc})
    local = {n: i for i, n in enumerate(on_it)}
    graph = csr_matrix(
        ([1.0] * len(arcs), ([local[a] for a, _ in arcs], [local[b] for _, b in arcs])),
        shape=(len(on_it), len(on_it)),
    )
    assert 1 == connected_components(graph, connection="strong")[0]


def test_expressway_is_entered_only_at_interchanges(network: RoadNetwork) -> None:
    """Other roads meet the expressway only at its interchanges (3 in the county, 1 at the
    city); elsewhere its nodes have one carriageway in and one out, and nothing else."""
    classes: defaultdict[int, Counter[str]] = defaultdict(Counter)
    ins: Counter[int] = Counter()
    outs: Counter[int] = Counter()
    for s in network.segments:
        classes[s.source][s.road_class] += 1
        classes[s.target][s.road_class] += 1
        if s.road_class == "expressway":
            outs[s.source] += 1
            ins[s.target] += 1
    on_it = set(ins) | set(outs)
    junctions = sorted(n for n in on_it if set(classes[n]) != {"expressway"})
    assert len(INTERCHANGES_KM) + 1 == len(junctions)
    assert all(ins[n] == outs[n] >= 1 for n in junctions)
    plain = [n for n in on_it if n not in junctions]
    assert [] == [n for n in plain if (ins[n], outs[n]) != (1, 1)]
    in_county = [
        n for n in junctions if haversine_m(CENTRE_LON, CENTRE_LAT, *network.nodes[n]) < 30e3
    ]
    assert len(INTERCHANGES_KM) == len(in_county)
    assert all(set(classes[n]) - {"expressway"} <= MAJOR for n in in_county)


def test_expressway_passes_5_to_10_km_from_the_county_town(network: RoadNetwork) -> None:
    """The expressway's closest approach to the county centre is 5 to 10 km."""
    pts = project([p for s in network.segments if s.road_class == "expressway" for p in s.coords])
    closest = float(np.hypot(pts[:, 0], pts[:, 1]).min())
    assert 5_000.0 <= closest <= 10_000.0


def test_at_grade_roads_meet_only_at_nodes(network: RoadNetwork) -> None:
    """Apart from the grade-separated expressway, two segments touch only at a shared node."""
    segments = [s for s in network.segments if s.road_class != "expressway"]
    lines = np.array([shapely.LineString(project(s.coords)) for s in segments])
    left, right = shapely.STRtree(lines).query(lines, predicate="intersects")
    bad = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        a, b = segments[i], segments[j]
        shared = {a.source, a.target} & {b.source, b.target}
        allowed = shapely.MultiPoint(project([network.nodes[n] for n in shared]))
        meet = shapely.intersection(lines[i], lines[j])
        if not shared or not shapely.equals(meet, allowed.intersection(meet)):
            bad.append((i, j, meet.wkt[:60]))
    assert [] == bad


def test_county_to_city_hospital_takes_35_to_60_minutes_by_expressway(
    county: DemoCounty, network: RoadNetwork
) -> None:
    """From the county hospital to the city hospital takes 35–60 min, fastest by expressway."""
    graph = minutes_graph(network)
    start = facility_node(network, county, "county-hospital")
    goal = facility_node(network, county, "city-hospital")
    minutes, previous = dijkstra(graph, indices=[start], return_predecessors=True)
    assert 35.0 <= minutes[0, goal] <= 60.0
    arcs: set[tuple[int, int]] = set()
    node = goal
    while node != start:
        arcs.add((int(previous[0, node]), node))
        node = int(previous[0, node])
    used = {
        s.road_class
        for s in network.segments
        if (s.source, s.target) in arcs or (not s.oneway and (s.target, s.source) in arcs)
    }
    assert "expressway" in used


def test_every_village_reaches_the_county_hospital_within_an_hour(
    county: DemoCounty, network: RoadNetwork
) -> None:
    """From every village the county hospital is under 60 minutes' drive."""
    graph = minutes_graph(network)
    hospital = facility_node(network, county, "county-hospital")
    to_hospital = dijkstra(graph.T.tocsr(), indices=[hospital])[0]  # reversed: village → hospital
    villages = {
        v.id: node_at(network, v.lon, v.lat)[0] for v in county.places if v.kind == "village"
    }
    slow = {vid: float(to_hospital[n]) for vid, n in villages.items() if to_hospital[n] >= 60.0}
    assert {} == slow
    assert 300 < len(villages)


@pytest.mark.parametrize("seed", [1, 99])
def test_other_seeds_give_a_sound_network(county: DemoCounty, seed: int) -> None:
    """Other seeds also give a strongly connected network reaching every village and facility."""
    network = build_demo_roads(county, seed=seed)
    assert 1 == connected_components(minutes_graph(network), connection="strong")[0]
    points = [(p.lon, p.lat) for p in county.places] + [(f.lon, f.lat) for f in county.facilities]
    assert max(node_at(network, lon, lat)[1] for lon, lat in points) <= 50.0

"""The travel-time engine against networkx and hand-worked small networks (no I/O)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.engine import JUNCTION_M, TravelTimeEngine
from geo.exceptions import OutsideMappedArea
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork, Segment
from geo.road_arrays import RoadArrays

# A 1 km grid step near the demo county, in degrees.
DLAT = 1000 / 111_195.0
DLON = DLAT / math.cos(math.radians(33.44))
LON0, LAT0 = 114.88, 33.44


def grid_node(i: int, j: int) -> tuple[float, float]:
    return (LON0 + i * DLON, LAT0 + j * DLAT)


def straight(network: RoadNetwork, a: int, b: int, road_class: str, oneway: bool = False) -> None:
    network.segments.append(
        Segment(a, b, (network.nodes[a], network.nodes[b]), road_class, oneway=oneway)
    )


def line_network() -> RoadNetwork:
    """Three nodes on a 2 km east-west county road (50 km/h: 1.2 min per km)."""
    network = RoadNetwork(nodes=[grid_node(0, 0), grid_node(1, 0), grid_node(2, 0)])
    straight(network, 0, 1, "county")
    straight(network, 1, 2, "county")
    return network


def engine_of(network: RoadNetwork, **options: float) -> TravelTimeEngine:
    return TravelTimeEngine(RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH), **options)


@st.composite
def random_networks(draw: st.DrawFn) -> RoadNetwork:
    """Random directed road networks: one-way and two-way, parallel segments, self-loops."""
    n = draw(st.integers(min_value=2, max_value=25))
    nodes = [(LON0 + draw(st.floats(0, 0.2)), LAT0 + draw(st.floats(0, 0.2))) for _ in range(n)]
    network = RoadNetwork(nodes=nodes)
    pairs = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, n - 1),
                st.sampled_from(["village", "county", "national", "expressway"]),
                st.booleans(),
            ),
            min_size=1,
            max_size=60,
        )
    )
    for a, b, road_class, oneway in pairs:
        straight(network, a, b, road_class, oneway)
    return network


@settings(max_examples=150, deadline=None)
@given(random_networks(), st.data())
def test_node_times_equal_networkx(network: RoadNetwork, data: st.DataObject) -> None:
    """Node-to-node minutes equal networkx's Dijkstra on random networks (forward and reversed)."""
    arrays = RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH)
    engine = TravelTimeEngine(arrays)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(network.nodes)))
    for i, segment in enumerate(network.segments):
        minutes = float(arrays.seg_minutes[i])
        directions = [(segment.source, segment.target)]
        if not segment.oneway:
            directions.append((segment.target, segment.source))
        for a, b in directions:
            if a != b and (not graph.has_edge(a, b) or graph[a][b]["w"] > minutes):
                graph.add_edge(a, b, w=minutes)
    origin = data.draw(st.integers(0, len(network.nodes) - 1))
    expected = nx.single_source_dijkstra_path_length(graph, origin, weight="w")
    forward = engine.node_times(origin)
    for node in range(len(network.nodes)):
        assert expected.get(node, math.inf) == pytest.approx(forward[node], abs=1e-6)
    into = nx.single_source_dijkstra_path_length(graph.reverse(), origin, weight="w")
    backward = engine.node_times(origin, reverse=True)
    for node in range(len(network.nodes)):
        assert into.get(node, math.inf) == pytest.approx(backward[node], abs=1e-6)


def test_route_between_points_on_the_road() -> None:
    """From 0.5 km to 1.5 km along a 50 km/h road is 1 km: 1.2 min and 1,000 m."""
    engine = engine_of(line_network())
    start = engine.snap(LON0 + 0.5 * DLON, LAT0)
    end = engine.snap(LON0 + 1.5 * DLON, LAT0)
    route = engine.route(start, end)
    assert route is not None
    assert 1.2 == pytest.approx(route.minutes, abs=0.01)
    assert 1000 == pytest.approx(route.meters, rel=0.01)
    assert pytest.approx(LON0 + 0.5 * DLON, abs=1e-6) == route.coords[0][0]
    assert pytest.approx(LON0 + 1.5 * DLON, abs=1e-6) == route.coords[-1][0]


def test_route_between_lon_lat_points_or_none_off_the_map() -> None:
    """route_between snaps both points itself; a point far from every road gives None."""
    engine = engine_of(line_network())
    route = engine.route_between((LON0 + 0.5 * DLON, LAT0), (LON0 + 1.5 * DLON, LAT0))
    assert route is not None
    assert 1.2 == pytest.approx(route.minutes, abs=0.01)
    far_away = (LON0 + 0.5 * DLON, LAT0 + 50 * DLAT)
    assert engine.route_between((LON0 + 0.5 * DLON, LAT0), far_away) is None
    assert engine.route_between(far_away, (LON0 + 0.5 * DLON, LAT0)) is None


def test_access_leg_is_driven_at_the_access_speed() -> None:
    """A point 100 m off the road adds 100 m at 10 km/h (0.6 min) to the trip."""
    engine = engine_of(line_network(), access_speed_kmh=10.0)
    off_road = engine.snap(LON0 + 0.5 * DLON, LAT0 + 0.1 * DLAT)
    on_road = engine.snap(LON0 + 1.5 * DLON, LAT0)
    route = engine.route(off_road, on_road)
    assert route is not None
    assert 100 == pytest.approx(off_road.distance_m, rel=0.01)
    assert 1.2 + 0.6 == pytest.approx(route.minutes, abs=0.01)


def test_one_way_road_is_not_driven_backwards() -> None:
    """On a one-way road the way back takes the detour (a one-way road back over a hill)."""
    network = line_network()
    network.segments[1] = Segment(1, 2, (network.nodes[1], network.nodes[2]), "county", True)
    hill = (network.nodes[2], grid_node(1, 1), network.nodes[0])
    network.segments.append(Segment(2, 0, hill, "county", oneway=True))
    engine = engine_of(network)
    east = engine.snap(LON0 + 1.5 * DLON, LAT0)
    west = engine.snap(LON0 + 0.5 * DLON, LAT0)
    there = engine.route(west, east)
    back = engine.route(east, west)
    assert there is not None
    assert back is not None
    assert 1.2 == pytest.approx(there.minutes, abs=0.01)
    assert (0.5 + 2 * math.sqrt(2) + 0.5) * 1.2 == pytest.approx(back.minutes, rel=0.01)


def test_point_far_from_every_road_is_outside_the_mapped_area() -> None:
    """A point 5 km from the only road is outside the mapped area."""
    engine = engine_of(line_network(), max_snap_m=2000.0)
    with pytest.raises(OutsideMappedArea, match="outside the mapped area"):
        engine.snap(LON0, LAT0 + 5 * DLAT)


def test_nearest_ranks_by_road_time_not_distance() -> None:
    """A unit across a river without a bridge is close in a straight line but last by road."""
    # Two parallel roads 1 km apart joined only at the far west end (x=0), 5 km long.
    nodes = [grid_node(i, 0) for i in range(6)] + [grid_node(i, 1) for i in range(6)]
    network = RoadNetwork(nodes=nodes)
    for i in range(5):
        straight(network, i, i + 1, "county")
        straight(network, 6 + i, 7 + i, "county")
    straight(network, 0, 6, "county")
    engine = engine_of(network)
    incident = engine.snap(*grid_node(5, 0))
    candidates = [("across", *grid_node(5, 1)), ("behind", *grid_node(2, 0))]
    ranked = engine.nearest(incident, candidates, k=2)
    assert ["behind", "across"] == [r.key for r in ranked]
    assert 3 * 1.2 == pytest.approx(ranked[0].minutes, abs=0.01)
    assert 11 * 1.2 == pytest.approx(ranked[1].minutes, abs=0.01)
    assert 11_000 == pytest.approx(ranked[1].meters, rel=0.01)


@settings(max_examples=40, deadline=None)
@given(random_networks(), st.data())
def test_nearest_agrees_with_point_to_point_routes(
    network: RoadNetwork, data: st.DataObject
) -> None:
    """Each ranked time equals the route time from that candidate to the incident."""
    engine = engine_of(network, max_snap_m=1e7)
    lon = st.floats(LON0, LON0 + 0.2)
    lat = st.floats(LAT0, LAT0 + 0.2)
    target = engine.snap(data.draw(lon), data.draw(lat))
    candidates = [(f"u{i}", data.draw(lon), data.draw(lat)) for i in range(5)]
    for ranked in engine.nearest(target, candidates, k=5):
        origin = next(c for c in candidates if c[0] == ranked.key)
        route = engine.route(engine.snap(origin[1], origin[2]), target)
        assert route is not None
        assert route.minutes == pytest.approx(ranked.minutes, abs=1e-6)
        assert route.meters == pytest.approx(ranked.meters, rel=1e-6, abs=1e-3)
    assert np.all(np.diff([r.minutes for r in engine.nearest(target, candidates, 5)]) >= 0)


def test_points_are_not_snapped_onto_an_expressway() -> None:
    """A point beside an expressway lane snaps to the village road 300 m away instead."""
    nodes = [grid_node(0, 0), grid_node(2, 0), grid_node(0, 0.4), grid_node(2, 0.4)]
    network = RoadNetwork(nodes=nodes)
    straight(network, 0, 1, "expressway", oneway=True)
    straight(network, 2, 3, "village")
    engine = engine_of(network)
    snap = engine.snap(LON0 + DLON, LAT0 + 0.1 * DLAT)
    assert (1, 300) == (snap.segment, pytest.approx(snap.distance_m, rel=0.01))


def test_an_ambulance_exactly_at_the_incident_is_first_at_zero_minutes() -> None:
    """Issue 15 (engine.py: ``_same_segment(...) or math.inf``): a true 0.0 read as "not on the
    same segment" dropped an ambulance standing at the incident on a one-way road."""
    network = RoadNetwork(nodes=[grid_node(0, 0), grid_node(2, 0)])
    straight(network, 0, 1, "county", oneway=True)
    engine = engine_of(network)
    incident = engine.snap(*grid_node(1, 0))
    assert 0.0 == pytest.approx(incident.distance_m, abs=1e-6)
    upstream = (LON0 + 0.9 * DLON, LAT0)
    ranked = engine.nearest(incident, [("far", *upstream), ("here", *grid_node(1, 0))], k=2)
    assert ["here", "far"] == [r.key for r in ranked]
    assert 0.0 == pytest.approx(ranked[0].minutes, abs=1e-6)
    assert 0.1 * 1.2 == pytest.approx(ranked[1].minutes, abs=0.01)


@pytest.mark.parametrize("one_way_first", [True, False])
def test_a_junction_point_snapped_to_a_one_way_road_reaches_every_road_there(
    one_way_first: bool,
) -> None:
    """Issue 15: a point at a junction snapped to the one-way road ending there was treated as
    a point on that road only: reaching it meant driving the whole one-way road first."""
    network = RoadNetwork(nodes=[grid_node(0, 0), grid_node(1, 0), grid_node(2, 0)])
    if one_way_first:
        straight(network, 0, 1, "county", oneway=True)
        straight(network, 1, 2, "county")
    else:
        straight(network, 1, 2, "county")
        straight(network, 0, 1, "county", oneway=True)
    engine = engine_of(network)
    junction = engine.snap(*grid_node(1, 0))
    ranked = engine.nearest(junction, [("east", *grid_node(2, 0))], k=1)
    assert 1.2 == pytest.approx(ranked[0].minutes, abs=0.01)
    route = engine.route(engine.snap(*grid_node(2, 0)), junction)
    assert route is not None
    assert 1.2 == pytest.approx(route.minutes, abs=0.01)
    leaving = engine.route(junction, engine.snap(*grid_node(2, 0)))
    assert leaving is not None
    assert 1.2 == pytest.approx(leaving.minutes, abs=0.01)


@settings(max_examples=80, deadline=None)
@given(random_networks())
def test_a_point_at_a_junction_has_the_junction_node_s_times(network: RoadNetwork) -> None:
    """Issue 15: for every junction node's own coordinate, the engine's times from and to the
    point equal the node's, whichever of the roads meeting there the point snapped to."""
    engine = engine_of(network, max_snap_m=1e7)
    a = engine.arrays
    x, y = engine.projection.forward(a.node_lon, a.node_lat)
    for node, (lon, lat) in enumerate(network.nodes):
        snap = engine.snap(lon, lat)
        if node not in (int(a.seg_source[snap.segment]), int(a.seg_target[snap.segment])):
            continue  # the coordinate lies on another road crossing there without a junction
        if np.count_nonzero(np.hypot(x - x[node], y - y[node]) <= 2 * JUNCTION_M) > 1:
            continue  # another node at the same place: the point is at both
        for reverse in (False, True):
            from_point = engine.times_from([snap], reverse=reverse)
            from_node = engine.node_times(node, reverse=reverse)
            finite = np.isfinite(from_node)
            assert np.array_equal(finite, np.isfinite(from_point))
            assert np.allclose(from_point[finite], from_node[finite], atol=1e-4)


def test_a_drawn_route_ends_at_the_snapped_point_on_a_bent_road() -> None:
    """Issue 15: the snap's fraction is measured in metres; cutting the lon/lat line with it
    ended a drawn route up to 188 m from the point. A road 1 km east then 1 km north: a point
    beside the bend is reached at the bend."""
    corner = grid_node(1, 0)
    network = RoadNetwork(nodes=[grid_node(0, 0), grid_node(1, 1)])
    network.segments.append(
        Segment(0, 1, (grid_node(0, 0), corner, grid_node(1, 1)), "county", oneway=False)
    )
    engine = engine_of(network)
    beside = (
        corner[0] + 20 / 111_195.0 / math.cos(math.radians(LAT0)),
        corner[1] - 20 * DLAT / 1000,
    )
    end = engine.snap(*beside)
    route = engine.route(engine.snap(*grid_node(0, 0)), end)
    assert route is not None
    last = route.coords[-1]
    metres = math.hypot(
        (last[0] - corner[0]) * 111_195.0 * math.cos(math.radians(LAT0)),
        (last[1] - corner[1]) * 111_195.0,
    )
    assert metres < 1.0
    assert (end.lon, end.lat) == pytest.approx(last, abs=1e-7)


def island_network() -> RoadNetwork:
    """A 2 km county road, and 300 m north of it a 500 m service piece joined to nothing (its
    link, a private road, was dropped at import)."""
    network = line_network()
    island = len(network.nodes)
    network.nodes += [grid_node(0.5, 0.3), grid_node(1.0, 0.3)]
    straight(network, island, island + 1, "village")
    return network


def test_a_point_by_an_island_road_snaps_to_the_main_network() -> None:
    """Issue 15: building locations snapped onto road fragments cut off from the network got
    "unreachable" and no ambulance. A point 5 m from the island road snaps to the main road
    (its access leg 295 m longer) and gets its ambulance."""
    engine = engine_of(island_network())
    assert [True, True, False] == engine.in_main_component.tolist()
    point = (grid_node(0.75, 0.3)[0], grid_node(0.75, 0.3)[1] + 5 * DLAT / 1000)
    snap = engine.snap(*point)
    assert (0, 305) == (snap.segment, pytest.approx(snap.distance_m, rel=0.01))
    ranked = engine.nearest(snap, [("amb", *grid_node(2, 0))], k=1)
    assert ["amb"] == [r.key for r in ranked]
    assert 1.25 * 1.2 + 305 / (10_000 / 60) == pytest.approx(ranked[0].minutes, abs=0.01)


def test_an_island_beyond_the_snap_limit_keeps_its_own_road() -> None:
    """When the main network is farther than the snap limit, the point stays on its island
    (nothing better is in reach) rather than being refused."""
    engine = engine_of(island_network(), max_snap_m=200.0)
    point = grid_node(0.75, 0.3)
    assert 2 == engine.snap(*point).segment


def divided_road() -> RoadNetwork:
    """An east-west expressway, 2 km, as two one-way carriageways 24 m apart (eastbound to the
    south, westbound to the north: right-hand traffic), and a village road 300 m north."""
    offset = 12 * DLAT / 1000  # 12 m in degrees of latitude
    nodes = [
        (LON0, LAT0 - offset),
        (LON0 + 2 * DLON, LAT0 - offset),
        (LON0 + 2 * DLON, LAT0 + offset),
        (LON0, LAT0 + offset),
        grid_node(0, 0.3),
        grid_node(2, 0.3),
    ]
    network = RoadNetwork(nodes=nodes)
    straight(network, 0, 1, "expressway", oneway=True)  # eastbound
    straight(network, 2, 3, "expressway", oneway=True)  # westbound
    straight(network, 4, 5, "village")
    straight(network, 1, 2, "village")  # turning places at both ends, so all is connected
    straight(network, 3, 0, "village")
    straight(network, 5, 2, "village")
    return network


def north_of_centre(metres: float) -> tuple[float, float]:
    return (LON0 + DLON, LAT0 + metres * DLAT / 1000)


def test_a_point_on_an_expressway_snaps_to_its_carriageway() -> None:
    """Issue 15: points on an interstate were refused (422) or placed on side roads up to 2 km
    away. A crash on the westbound carriageway (2 m off its line, toward the median) snaps to
    it; on the eastbound one, to that one."""
    engine = engine_of(divided_road())
    assert 1 == engine.snap(*north_of_centre(10)).segment
    assert 0 == engine.snap(*north_of_centre(-14)).segment


def test_a_point_beside_a_divided_road_belongs_to_the_lane_on_its_side() -> None:
    """A point 20 m north of the road (8 m beyond the westbound line) snaps to the westbound
    carriageway, which runs its way (right-hand traffic); 20 m south, to the eastbound one."""
    engine = engine_of(divided_road())
    north = engine.snap(*north_of_centre(20))
    south = engine.snap(*north_of_centre(-20))
    assert (1, 0) == (north.segment, south.segment)
    assert 8 == pytest.approx(north.distance_m, abs=0.5)


def test_a_point_in_a_wide_median_goes_to_the_nearer_carriageway() -> None:
    """Carriageways 36 m apart: a point in the median, 9 m from the eastbound line and 27 m
    from the westbound one, goes to the nearer."""
    offset = 12 * DLAT / 1000
    network = divided_road()
    network.nodes[2] = (LON0 + 2 * DLON, LAT0 + 2 * offset)
    network.nodes[3] = (LON0, LAT0 + 2 * offset)
    network.segments[1] = Segment(2, 3, (network.nodes[2], network.nodes[3]), "expressway", True)
    engine = engine_of(network)
    snap = engine.snap(*north_of_centre(-3))
    assert (0, 9) == (snap.segment, pytest.approx(snap.distance_m, abs=0.5))


def test_a_point_far_beside_an_expressway_keeps_the_ordinary_road() -> None:
    """A house 60 m from the fenced expressway is reached by the ordinary road, even 240 m away."""
    engine = engine_of(divided_road())
    snap = engine.snap(*north_of_centre(72))
    assert (2, 228) == (snap.segment, pytest.approx(snap.distance_m, abs=1))

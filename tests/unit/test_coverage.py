"""Drive-time areas on a hand-made grid of county roads (no I/O)."""

from __future__ import annotations

from shapely.geometry import Point

from geo.coverage import drive_time_areas
from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork, Segment
from geo.road_arrays import RoadArrays
from tests.unit.test_engine import grid_node


def grid_network(size: int = 11) -> RoadNetwork:
    """A size × size grid of 1 km county roads (50 km/h: 1.2 min per km)."""
    nodes = [grid_node(i, j) for j in range(size) for i in range(size)]
    network = RoadNetwork(nodes=nodes)
    for j in range(size):
        for i in range(size):
            here = j * size + i
            for there in ([here + 1] if i + 1 < size else []) + (
                [here + size] if j + 1 < size else []
            ):
                network.segments.append(Segment(here, there, (nodes[here], nodes[there]), "county"))
    return network


def test_areas_grow_with_minutes_and_follow_road_distance() -> None:
    """6 min (5 km by road) covers a node 4 km away, not one 8 km by road; 12 min covers both."""
    engine = TravelTimeEngine(RoadArrays.from_network(grid_network(), DEFAULT_SPEEDS_KMH))
    centre = grid_node(5, 5)
    areas = dict(drive_time_areas(engine, [centre], [6.0, 12.0], margin_m=300.0))
    near, far = Point(grid_node(9, 5)), Point(grid_node(9, 9))
    assert (True, False) == (areas[6.0].contains(near), areas[6.0].contains(far))
    assert (True, True) == (areas[12.0].contains(near), areas[12.0].contains(far))
    assert (True, True) == (areas[6.0].is_valid, areas[12.0].is_valid)
    assert areas[6.0].area < areas[12.0].area


def test_no_origin_on_the_map_gives_empty_areas() -> None:
    """Origins far from every road give empty areas, not an error."""
    engine = TravelTimeEngine(RoadArrays.from_network(grid_network(3), DEFAULT_SPEEDS_KMH))
    areas = drive_time_areas(engine, [(100.0, 20.0)], [30.0])
    assert [(30.0, True)] == [(m, area.is_empty) for m, area in areas]

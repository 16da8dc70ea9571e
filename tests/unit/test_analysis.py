"""Coverage shares and station siting on a hand-made grid of county roads (no I/O)."""

from __future__ import annotations

import numpy as np
import pytest

from geo.analysis import Site, shares, site_stations, times_from_nearest, times_to_nearest
from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH
from geo.road_arrays import RoadArrays
from tests.unit.test_coverage import grid_network
from tests.unit.test_engine import grid_node


def engine() -> TravelTimeEngine:
    """An 11 × 11 km grid of 50 km/h county roads (1.2 min per km)."""
    return TravelTimeEngine(RoadArrays.from_network(grid_network(), DEFAULT_SPEEDS_KMH))


def village(name: str, i: int, j: int, population: int = 1000) -> Site:
    return Site(name, *grid_node(i, j), population)


def test_times_from_nearest_station_and_to_nearest_centre() -> None:
    """Each village's time is to (or from) the nearest of several points, by road."""
    roads = engine()
    villages = [village("a", 0, 0), village("b", 10, 10)]
    stations = [village("s1", 0, 2), village("s2", 10, 5)]
    assert [2.4, 6.0] == pytest.approx(
        list(times_from_nearest(roads, stations, villages)), abs=0.01
    )
    to_pci = times_to_nearest(roads, [village("pci", 10, 10)], villages)
    assert [24.0, 0.0] == pytest.approx(list(to_pci), abs=0.05)


def test_shares_count_villages_and_population() -> None:
    """Shares within each threshold are by village count and by population."""
    result = shares(np.array([5.0, 20.0, 200.0]), [100, 300, 600], thresholds=(15.0, 30.0))
    assert [(15.0, 1 / 3, 0.1), (30.0, 2 / 3, 0.4)] == [
        (s.minutes, pytest.approx(s.villages), pytest.approx(s.population)) for s in result
    ]


def test_mclp_puts_the_new_station_where_the_uncovered_people_are() -> None:
    """With one station in the west, the new one goes to the big eastern villages (10 min)."""
    roads = engine()
    villages = [
        village("west", 0, 5, 500),
        village("east-1", 10, 4, 3000),
        village("east-2", 10, 6, 3000),
        village("south", 5, 0, 200),
    ]
    existing = [village("station-west", 0, 5)]
    candidates = [village("site-east", 10, 5), village("site-south", 5, 0)]
    siting = site_stations(roads, villages, existing, candidates, k=1, radius=10.0)
    assert ["site-east"] == [site.key for site in siting.chosen]
    assert pytest.approx(500 / 6700) == siting.covered_before
    assert pytest.approx(6500 / 6700) == siting.covered_after

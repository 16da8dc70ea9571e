"""Issue 15 on real maps: for every junction node's own coordinate, the engine's time equals the
node's (tests/data/chengdu.osm.pbf and tests/data/helsinki.osm.pbf, ODbL; see
tests/data/README.md). The same check on generated graphs is in ``test_engine.py``.

A node whose roads all lie outside the largest strongly connected part (an island) is, by the
island rule, placed on the main network instead; two nodes within 2 m of each other are both "at"
the point. Both are counted and asserted, not silently passed over.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from geo.engine import JUNCTION_M, TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH
from geo.osm import read_osm
from geo.road_arrays import RoadArrays
from tests.conftest import TEST_DATA

LIMIT_MIN = 3.0  # each search bounded: the neighbourhood where a wrong snap shows first
# (the extract's node count, nodes checked, nodes with a twin within 2 m, island nodes, those
# of them placed on the main network: the others are more than the snap limit, 2 km, from it)
EXPECTED = {"chengdu": (3249, 3007, 3, 239, 228), "helsinki": (869, 775, 2, 92, 92)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_junction_coordinate_has_its_node_s_times_on_a_real_map(name: str) -> None:
    """Every node of the main network: the times from and to its own coordinate equal the node's
    within 3 min (1e-4 min), whichever road meeting there the point snapped to; island nodes
    within the snap limit of the main network are placed on it."""
    path: Path = TEST_DATA / f"{name}.osm.pbf"
    network = read_osm(path)
    engine = TravelTimeEngine(RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH))
    a = engine.arrays
    x, y = engine.projection.forward(a.node_lon, a.node_lat)
    ends = np.concatenate([a.seg_source, a.seg_target])
    main_node = np.zeros(engine.node_count, dtype=bool)
    main_node[ends[np.concatenate([engine.in_main_component] * 2)]] = True
    tally: Counter[str] = Counter()
    wrong: list[tuple[int, bool, float]] = []
    for node, (lon, lat) in enumerate(network.nodes):
        snap = engine.snap(lon, lat)
        if not main_node[node]:
            tally["island"] += 1
            tally["island, placed on the main network"] += int(
                engine.in_main_component[snap.segment]
            )
            continue
        assert node in (int(a.seg_source[snap.segment]), int(a.seg_target[snap.segment]))
        if np.count_nonzero(np.hypot(x - x[node], y - y[node]) <= 2 * JUNCTION_M) > 1:
            tally["twin"] += 1
            continue
        for reverse in (False, True):
            at_point = engine.times_from([snap], reverse=reverse, limit=LIMIT_MIN)
            at_node = engine.node_times(node, reverse=reverse, limit=LIMIT_MIN)
            near = (at_node <= LIMIT_MIN - 0.01) | (
                at_point[: engine.node_count] <= LIMIT_MIN - 0.01
            )
            gap = np.abs(at_point[: engine.node_count][near] - at_node[near])
            if gap.size and float(gap.max()) > 1e-4:
                wrong.append((node, reverse, float(gap.max())))
        tally["checked"] += 1
    assert [] == wrong
    assert EXPECTED[name] == (
        len(network.nodes),
        tally["checked"],
        tally["twin"],
        tally["island"],
        tally["island, placed on the main network"],
    )

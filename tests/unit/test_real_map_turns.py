"""Turn restrictions on real maps: the engine against an independent oracle on two OpenStreetMap
extracts (tests/data/chengdu.osm.pbf and tests/data/helsinki.osm.pbf, ODbL; see
tests/data/README.md).

The oracle shares no code with ``geo``: its own pyosmium parse of the file (the drivable ways,
one-way and speed rules as the README and ``geo/osm.py``'s notes state them), a graph with a
node at every OSM vertex, and networkx over its turn-expanded line graph: a state is a directed
vertex-to-vertex edge just driven; a turn from one edge into the next obeys the restriction
relations (via a node, from/to ways that arrive at / leave it by exactly one edge), and a U-turn
is possible only where the road meets another or ends.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import osmium
import pytest

from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH
from geo.osm import read_osm
from geo.road_arrays import RoadArrays
from tests.conftest import TEST_DATA

RADIUS_M = 6_371_008.8
SPEEDS = {  # km/h, the OSM half of the README's speed table
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 70.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 35.0,
    "secondary": 40.0,
    "secondary_link": 30.0,
    "tertiary": 35.0,
    "tertiary_link": 25.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 25.0,
}
TURNS = {
    "no_left_turn",
    "no_right_turn",
    "no_straight_on",
    "no_u_turn",
    "no_entry",
    "no_exit",
    "only_left_turn",
    "only_right_turn",
    "only_straight_on",
}
PAIRS, SOURCES = 200, 20
Arc = tuple[int, int, int]  # way, from vertex, to vertex


def _km_h(tags: dict[str, str]) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*", tags.get("maxspeed", ""))
    if match and float(match.group(1)) > 0:
        speed = float(match.group(1))
        return speed * 1.609344 if (match.group(2) or "").lower() == "mph" else speed
    return SPEEDS[tags["highway"]]


def _kept(tags: dict[str, str]) -> bool:
    if tags.get("highway") not in SPEEDS or tags.get("area") == "yes":
        return False
    if tags.get("service") in ("parking_aisle", "driveway"):
        return False
    keys = ("motorcar", "motor_vehicle", "vehicle", "access")
    access = next((tags[k] for k in keys if k in tags), None)
    return access not in ("no", "private")


def _direction(tags: dict[str, str]) -> int:
    """1 along the way, -1 against it, 0 both ways."""
    value = tags.get("oneway", "").strip().lower()
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value in ("no", "false", "0"):
        return 0
    implied = tags.get("highway") == "motorway" or tags.get("junction") in (
        "roundabout",
        "circular",
    )
    return 1 if implied else 0


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2
    )
    return 2 * RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Oracle:
    minutes: dict[Arc, float] = field(default_factory=dict)
    restrictions: list[tuple[str, tuple[int, ...], int, tuple[int, ...]]] = field(
        default_factory=list
    )
    junctions: set[int] = field(default_factory=set)
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)

    @classmethod
    def read(cls, path: Path) -> Oracle:
        oracle = cls()
        uses: Counter[int] = Counter()
        for way in osmium.FileProcessor(str(path)).with_locations():
            tags = {t.k: t.v for t in way.tags}
            if isinstance(way, osmium.osm.Relation) and tags.get("type") == "restriction":
                oracle._restriction(way, tags)
            if not isinstance(way, osmium.osm.Way) or not _kept(tags):
                continue
            speed, direction = _km_h(tags), _direction(tags)
            for run in _runs(way):
                ids = [ref for ref, _ in run]
                uses.update(ids)
                oracle.junctions.update((ids[0], ids[-1]))
                for (a, pa), (b, pb) in itertools.pairwise(run):
                    minutes = _metres(pa, pb) / (speed * 1000 / 60)
                    if direction >= 0:
                        oracle.minutes[(way.id * 2, a, b)] = minutes
                    if direction <= 0:
                        oracle.minutes[(way.id * 2 + 1, b, a)] = minutes
        oracle.junctions.update(v for v, n in uses.items() if n >= 2)
        oracle._build()
        return oracle

    def _restriction(self, relation: osmium.osm.Relation, tags: dict[str, str]) -> None:
        if "motorcar" in [v.strip() for v in tags.get("except", "").split(";")]:
            return
        kind = tags.get("restriction:motorcar") or tags.get("restriction")
        members = [(m.type, m.ref, m.role) for m in relation.members]
        vias = [(t, ref) for t, ref, role in members if role == "via"]
        if kind not in TURNS or len(vias) != 1 or vias[0][0] != "n":
            return
        froms = tuple(ref for t, ref, role in members if role == "from" and t == "w")
        tos = tuple(ref for t, ref, role in members if role == "to" and t == "w")
        self.restrictions.append((kind, froms, vias[0][1], tos))

    def _build(self) -> None:
        leaving: dict[int, list[Arc]] = defaultdict(list)
        arriving: dict[int, list[Arc]] = defaultdict(list)
        for arc, minutes in self.minutes.items():
            leaving[arc[1]].append(arc)
            arriving[arc[2]].append(arc)
            self.graph.add_edge(("at", arc[1]), arc, w=minutes)
            self.graph.add_edge(arc, ("end", arc[2]), w=0.0)
        forbidden: set[tuple[Arc, Arc]] = set()
        only: dict[Arc, set[Arc]] = {}
        for kind, froms, via, tos in self.restrictions:
            came = [arc for way in froms if (arc := _one(arriving[via], way))]
            went = [arc for way in tos if (arc := _one(leaving[via], way))]
            if len(came) < len(froms) or len(went) < len(tos):
                continue  # not a restriction a vehicle can be held to: left out
            for a in came:
                for b in went:
                    if kind.startswith("no_"):
                        forbidden.add((a, b))
                    else:
                        only.setdefault(a, set()).add(b)
        for arc in self.minutes:
            for out in leaving[arc[2]]:
                u_turn = out[0] // 2 == arc[0] // 2 and out[2] == arc[1]
                if u_turn and arc[2] not in self.junctions:
                    continue
                if (arc, out) in forbidden or (arc in only and out not in only[arc]):
                    continue
                self.graph.add_edge(arc, out, w=self.minutes[out])

    def times(self, origin: int) -> dict[int, float]:
        if ("at", origin) not in self.graph:
            return {origin: 0.0}
        found = nx.single_source_dijkstra_path_length(self.graph, ("at", origin), weight="w")
        times = {k[1]: t for k, t in found.items() if isinstance(k, tuple) and k[0] == "end"}
        times[origin] = 0.0
        return times


def _runs(way: osmium.osm.Way) -> list[list[tuple[int, tuple[float, float]]]]:
    """The way's runs of located vertices, consecutive repeats dropped (two or more each)."""
    runs: list[list[tuple[int, tuple[float, float]]]] = [[]]
    for node in way.nodes:
        if not node.location.valid():
            runs.append([])
        elif not runs[-1] or runs[-1][-1][0] != node.ref:
            runs[-1].append((node.ref, (node.location.lon, node.location.lat)))
    return [run for run in runs if len(run) >= 2]


def _one(arcs: list[Arc], way: int) -> Arc | None:
    mine = [arc for arc in arcs if arc[0] // 2 == way]
    return mine[0] if len(mine) == 1 else None


@pytest.fixture(scope="module", params=["chengdu", "helsinki"])
def city(request: pytest.FixtureRequest) -> tuple[str, Path]:
    path = TEST_DATA / f"{request.param}.osm.pbf"
    assert path.is_file(), f"the extract is missing: {path}"
    return request.param, path


def test_engine_times_equal_an_independent_turn_expanded_oracle(city: tuple[str, Path]) -> None:
    """200 random node pairs on each real map: the engine (with the restrictions it read) and
    the oracle agree to 0.01 min, reachable or not."""
    name, path = city
    network = read_osm(path)
    engine = TravelTimeEngine(RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH))
    oracle = Oracle.read(path)
    rng = random.Random(15)
    sources = rng.sample(range(len(network.nodes)), SOURCES)
    checked = 0
    for source in sources:
        expected = oracle.times(_osm(network.node_osm_ids, source))
        times = engine.node_times(source)
        for target in rng.sample(range(len(network.nodes)), PAIRS // SOURCES):
            want = expected.get(_osm(network.node_osm_ids, target), math.inf)
            got = float(times[target])
            assert (math.isinf(want) and math.isinf(got)) or abs(want - got) <= 0.01, (
                name,
                source,
                target,
                want,
                got,
            )
            checked += 1
    assert checked == PAIRS


def _osm(ids: list[int | None], node: int) -> int:
    osm_id = ids[node]
    assert osm_id is not None
    return osm_id


def test_each_restriction_s_own_turn_agrees_with_the_oracle_and_one_changes_a_route() -> None:
    """Helsinki: for every restriction read, the trip from the far end of its from segment to
    the far end of its to segment agrees with the oracle; the no_left_turn from way 231995535
    into way 122869887 at node 1371624234 (OSM) turns a 0.03 min trip into a detour."""
    path = TEST_DATA / "helsinki.osm.pbf"
    network = read_osm(path)
    assert network.restriction_counts["relations"] == 45
    assert network.restriction_counts["mapped"] == 38
    arrays = RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH)
    engine = TravelTimeEngine(arrays)
    unrestricted = TravelTimeEngine(arrays.with_turns([]))
    oracle = Oracle.read(path)
    changed: dict[tuple[int | None, int | None, int | None], tuple[float, float]] = {}
    for r in network.restrictions:
        came, went = network.segments[r.from_segment], network.segments[r.to_segment]
        start = came.source if came.target == r.via_node else came.target
        end = went.target if went.source == r.via_node else went.source
        got = float(engine.node_times(start)[end])
        want = oracle.times(_osm(network.node_osm_ids, start)).get(
            _osm(network.node_osm_ids, end), math.inf
        )
        assert (math.isinf(want) and math.isinf(got)) or abs(want - got) <= 0.01
        before = float(unrestricted.node_times(start)[end])
        if got > before + 1e-6:
            changed[(came.osm_id, network.node_osm_ids[r.via_node], went.osm_id)] = (before, got)
    before, after = changed[(231995535, 1371624234, 122869887)]
    assert before < 0.05
    assert after > 0.5
    assert len(changed) >= 10

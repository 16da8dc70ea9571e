"""What a road import kept and dropped, the network's fragments, and the points it cannot serve.
Pure: counts and lengths from the reader's tally, the arrays and the engine; no I/O.

- **Ways** per highway tag (or road class of a line layer) and per reason dropped
  (``geo.osm.drop_reason``): the count of ways and their length (between located nodes).
- **Fragments**: the weakly and strongly connected components of the directed graph. The
  largest is the one with the most nodes (as ``TravelTimeEngine.in_main_component`` takes it);
  an island is a segment outside the largest strongly connected component: from it an ambulance
  cannot reach the rest, or the rest cannot reach it.
- **Reach**: of some points (the facilities, the places), how many snap onto an island (the
  engine snaps a point near an island to the main network only within the snap limit) and how
  many are farther than the snap limit from every road.
- **The service area** (``geo.road_area``): how much of the network lies outside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from geo.engine import TravelTimeEngine
from geo.network import RoadNetwork
from geo.road_area import AreaFit
from geo.road_arrays import BoolArray, RoadArrays

KEPT = "kept"


@dataclass(frozen=True)
class WayLine:
    """The ways of one tag kept, or dropped for one reason: how many, and their length."""

    tag: str
    outcome: str  # KEPT, or the reason dropped (geo.osm.DROP_*)
    ways: int
    length_m: float


class WayCounter:
    """A reader's tally (``geo.osm.WayTally``): call it with each way's tag, reason, length."""

    def __init__(self) -> None:
        self._ways: dict[tuple[str, str], int] = defaultdict(int)
        self._length: dict[tuple[str, str], float] = defaultdict(float)

    def __call__(self, tag: str, reason: str | None, length_m: float) -> None:
        key = (tag, reason or KEPT)
        self._ways[key] += 1
        self._length[key] += length_m

    def lines(self) -> list[WayLine]:
        """Kept tags first, then the dropped by reason; longest first within each."""
        lines = [WayLine(t, o, self._ways[(t, o)], self._length[(t, o)]) for t, o in self._ways]
        return sorted(lines, key=lambda w: (w.outcome != KEPT, w.outcome, -w.length_m, w.tag))


@dataclass(frozen=True)
class Fragments:
    """The connected components of the network and the length on them (metres)."""

    weak: int
    strong: int
    length_m: float
    largest_weak_m: float
    largest_strong_m: float
    island_m: float
    island_segments: int


def _components(arrays: RoadArrays, connection: Literal["weak", "strong"]) -> tuple[int, BoolArray]:
    n = len(arrays.node_lon)
    two_way = ~arrays.seg_oneway
    tails = np.concatenate([arrays.seg_source, arrays.seg_target[two_way]])
    heads = np.concatenate([arrays.seg_target, arrays.seg_source[two_way]])
    graph = csr_matrix((np.ones(len(tails)), (tails, heads)), shape=(n, n))
    count, labels = connected_components(graph, directed=True, connection=connection)
    largest = labels == int(np.bincount(labels).argmax())
    in_main: BoolArray = largest[arrays.seg_source] & largest[arrays.seg_target]
    return int(count), in_main


def fragments(arrays: RoadArrays) -> Fragments:
    """The network's weak and strong components, the largest's length and the islands'."""
    weak, in_weak = _components(arrays, "weak")
    strong, in_strong = _components(arrays, "strong")
    lengths = arrays.seg_length_m
    return Fragments(
        weak=weak,
        strong=strong,
        length_m=float(lengths.sum()),
        largest_weak_m=float(lengths[in_weak].sum()),
        largest_strong_m=float(lengths[in_strong].sum()),
        island_m=float(lengths[~in_strong].sum()),
        island_segments=int(np.count_nonzero(~in_strong)),
    )


@dataclass(frozen=True)
class Reach:
    """Of ``total`` points (``what``: facilities, places), how many the network cannot serve."""

    what: str
    total: int
    on_island: int
    beyond_snap: int

    @property
    def unreachable(self) -> int:
        return self.on_island + self.beyond_snap


def reach(engine: TravelTimeEngine, what: str, points: Sequence[tuple[float, float]]) -> Reach:
    """How many of the (lon, lat) points snap onto an island or onto no road at all."""
    snaps = engine.snap_many([p[0] for p in points], [p[1] for p in points])
    beyond = sum(snap is None for snap in snaps)
    island = sum(snap is not None and not engine.in_main_component[snap.segment] for snap in snaps)
    return Reach(what, len(points), island, beyond)


@dataclass(frozen=True)
class ImportReport:
    """Everything the import says after writing: ways, fragments, reach, the service area."""

    source: str
    ways: list[WayLine]
    fragments: Fragments
    reach: list[Reach]
    max_snap_m: float
    area: AreaFit

    def as_dict(self) -> dict[str, object]:
        """The report as plain JSON-ready data."""
        return {
            "source": self.source,
            "ways": [asdict(line) for line in self.ways],
            "fragments": asdict(self.fragments),
            "reach": [asdict(r) | {"unreachable": r.unreachable} for r in self.reach],
            "max_snap_m": self.max_snap_m,
            "service_area": asdict(self.area),
        }


def import_report(
    network: RoadNetwork,
    counter: WayCounter,
    speeds: dict[str, float],
    points: Mapping[str, Sequence[tuple[float, float]]],
    area: AreaFit,
    access_speed_kmh: float,
    max_snap_m: float,
) -> ImportReport:
    """The report on an imported network: ``points`` by what they are (facilities, places).
    Builds the engine (CPU work: run it in a thread where that matters)."""
    arrays = RoadArrays.from_network(network, speeds)
    engine = TravelTimeEngine(arrays, access_speed_kmh=access_speed_kmh, max_snap_m=max_snap_m)
    return ImportReport(
        source=network.source,
        ways=counter.lines(),
        fragments=fragments(arrays),
        reach=[reach(engine, what, found) for what, found in points.items()],
        max_snap_m=max_snap_m,
        area=area,
    )

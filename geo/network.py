"""A road network as plain data, between the readers (OSM, GeoJSON, the demo generator), the
database and the travel-time engine. Pure: no I/O.

Nodes are numbered 0..n-1; each segment runs from ``source`` to ``target`` along ``coords``
(WGS84 lon/lat, first point at the source node, last at the target node). A one-way segment may
only be driven from source to target. Lengths are in metres, computed on the sphere.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

EARTH_RADIUS_M = 6_371_008.8

# Speeds (km/h) per road class: the Chinese administrative classes and OSM highway tags.
DEFAULT_SPEEDS_KMH: dict[str, float] = {
    # Chinese road classes (国道/省道/县道/乡道/村道) and expressways (高速).
    "expressway": 100.0,
    "national": 70.0,
    "provincial": 60.0,
    "county": 50.0,
    "township": 40.0,
    "village": 25.0,
    # OpenStreetMap highway=* values used for driving.
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


@dataclass(frozen=True)
class Segment:
    source: int
    target: int
    coords: tuple[tuple[float, float], ...]
    road_class: str
    oneway: bool = False
    name: str = ""
    osm_id: int | None = None
    speed_kmh: float | None = None  # an explicit speed (e.g. OSM maxspeed) beats the class table


# OSM turn restriction values: ``no_*`` forbids the one turn from a segment into another at a
# node; ``only_*`` forbids every other way out of the node from that segment.
FORBIDDING_TURNS = frozenset(
    {"no_left_turn", "no_right_turn", "no_straight_on", "no_u_turn", "no_entry", "no_exit"}
)
ONLY_TURNS = frozenset({"only_left_turn", "only_right_turn", "only_straight_on"})


@dataclass(frozen=True)
class TurnRestriction:
    """A turn at ``via_node`` from segment ``from_segment`` (arriving at the node) into
    ``to_segment`` (leaving it); ``kind`` is the OSM value (``no_left_turn``, ``only_straight_on``
    ...)."""

    from_segment: int
    via_node: int
    to_segment: int
    kind: str

    @property
    def only(self) -> bool:
        """Whether it is an ``only_*`` restriction (every other exit is forbidden)."""
        return self.kind in ONLY_TURNS


@dataclass
class RoadNetwork:
    """Nodes (lon/lat), the segments between them, and the turn restrictions at nodes."""

    nodes: list[tuple[float, float]] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    node_osm_ids: list[int | None] = field(default_factory=list)
    restrictions: list[TurnRestriction] = field(default_factory=list)
    # What a reader made of the file's restrictions: relations, mapped, skipped by why.
    restriction_counts: dict[str, int] = field(default_factory=dict)
    source: str = ""
    synthetic: bool = False


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def line_length_m(coords: Sequence[tuple[float, float]]) -> float:
    """Length of a lon/lat polyline in metres."""
    return sum(haversine_m(*a, *b) for a, b in itertools.pairwise(coords))


def speed_for(segment: Segment, speeds: Mapping[str, float]) -> float:
    """The segment's speed: its own, else its class's, else the slowest configured speed."""
    if segment.speed_kmh is not None and segment.speed_kmh > 0:
        return segment.speed_kmh
    return speeds.get(segment.road_class, min(speeds.values()))


def minutes_for(length_m: float, speed_kmh: float) -> float:
    """Minutes to drive ``length_m`` at ``speed_kmh``."""
    return length_m / (speed_kmh * 1000.0 / 60.0)

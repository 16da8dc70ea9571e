"""Reading an OpenStreetMap file (``.osm.pbf`` or ``.osm`` XML) into a drivable ``RoadNetwork``.

Which ways are kept: ``highway`` is one of the OSM tags of ``DEFAULT_SPEEDS_KMH`` (motorway,
trunk, primary, secondary, tertiary and their ``*_link``, unclassified, residential,
living_street, service, road). Skipped: ``area=yes``; ways closed to cars, judged by the most
specific of ``motorcar``, ``motor_vehicle``, ``vehicle`` and ``access`` that is present (``no``
or ``private`` closes, ``destination`` and anything else keeps); service roads tagged
``service=parking_aisle`` or ``service=driveway`` (car-park lanes and private drives are not
how an ambulance crosses a city, and they double the graph).

One-way: ``oneway=yes/true/1`` runs along the way, ``oneway=-1/reverse`` against it (the
segment is then stored reversed so it always runs source → target), and ``highway=motorway``
and ``junction=roundabout/circular`` are one-way unless ``oneway=no``. Any other value
(``reversible``, ``alternating``) is taken as two-way. ``maxspeed`` "60", "60 km/h", "40 mph"
gives the segment's own speed; "none", "walk", zone codes and ranges are ignored (the class
speed applies).

Ways are split into segments at every node that two or more kept ways share (or that a way
passes twice) and at way ends; a way running off the edge of an extract (nodes without a
location) is split into the pieces that have one. ``build_network`` does this splitting for any
list of ``WayPiece`` (the GeoJSON/GeoPackage reader uses it too, keyed by rounded coordinates).

Turn restrictions (``type=restriction`` relations) are read by ``geo.osm_turns``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import osmium
import osmium.filter
import osmium.osm

from geo.exceptions import ImportRejected, RowProblem
from geo.network import RoadNetwork, Segment, haversine_m
from geo.osm_turns import read_restrictions

# The drivable OSM highway tags: the OSM half of the speed table.
OSM_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    }
)

SKIPPED_SERVICES = frozenset({"parking_aisle", "driveway"})
CLOSED_ACCESS = frozenset({"no", "private"})
ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")  # most specific first
ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
ONEWAY_NO = frozenset({"no", "false", "0"})
IMPLIED_ONEWAY_JUNCTIONS = frozenset({"roundabout", "circular"})
MPH_TO_KMH = 1.609344
PROGRESS_EVERY = 1_000
# Why a highway way is dropped (the import report counts them): the first that applies.
DROP_CLASS, DROP_AREA = "not_drivable_class", "area"
DROP_SERVICE, DROP_ACCESS = "parking_aisle_or_driveway", "closed_to_cars"
# Told of every highway way read: its tag, why it was dropped (None: kept), its located length.
WayTally = Callable[[str, str | None, float], None]

_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class WayPiece:
    """A run of a way: one key per vertex (equal keys are the same node), its lon/lat points,
    and what each of its segments carries. ``reverse`` flips it before splitting."""

    keys: Sequence[Hashable]
    coords: Sequence[tuple[float, float]]
    road_class: str
    oneway: bool = False
    reverse: bool = False
    name: str = ""
    osm_id: int | None = None
    speed_kmh: float | None = None


def parse_maxspeed(value: str | None) -> float | None:
    """Km/h from an OSM ``maxspeed`` ("60", "60 km/h", "40 mph"); None when not a plain number."""
    if value is None:
        return None
    match = _SPEED.match(value)
    if match is None:
        return None
    speed = float(match.group(1))
    if (match.group(2) or "").lower() == "mph":
        speed *= MPH_TO_KMH
    return speed if speed > 0 else None


def drop_reason(tags: Mapping[str, str]) -> str | None:
    """Why a way with these tags is not a road a car (an ambulance) may drive; None if it is."""
    if tags.get("highway") not in OSM_HIGHWAYS:
        return DROP_CLASS
    if tags.get("area") == "yes":
        return DROP_AREA
    if tags.get("service") in SKIPPED_SERVICES:
        return DROP_SERVICE
    access = next((tags[key] for key in ACCESS_KEYS if key in tags), None)
    return DROP_ACCESS if access in CLOSED_ACCESS else None


def is_drivable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these tags is a road a car (an ambulance) may drive."""
    return drop_reason(tags) is None


def oneway_of(tags: Mapping[str, str]) -> tuple[bool, bool]:
    """(one-way, reversed) for a way's tags."""
    value = (tags.get("oneway") or "").strip().lower()
    if value in ONEWAY_FORWARD:
        return True, False
    if value in ONEWAY_BACKWARD:
        return True, True
    if value in ONEWAY_NO:
        return False, False
    implied = tags.get("highway") == "motorway" or tags.get("junction") in IMPLIED_ONEWAY_JUNCTIONS
    return implied, False


def build_network(pieces: Sequence[WayPiece], source: str = "") -> RoadNetwork:
    """Split the pieces at their ends and at every shared vertex, numbering nodes 0..n-1 in
    order of first use; a vertex key that is an int is kept as the node's OSM id."""
    cleaned = [_without_repeats(piece) for piece in pieces]
    cleaned = [piece for piece in cleaned if len(piece.keys) >= 2]
    uses: Counter[Hashable] = Counter()
    for piece in cleaned:
        uses.update(piece.keys)
    network = RoadNetwork(source=source)
    index: dict[Hashable, int] = {}

    def node(key: Hashable, point: tuple[float, float]) -> int:
        number = index.get(key)
        if number is None:
            number = index[key] = len(network.nodes)
            network.nodes.append(point)
            network.node_osm_ids.append(key if isinstance(key, int) else None)
        return number

    for piece in cleaned:
        start = 0
        for at in range(1, len(piece.keys)):
            if at < len(piece.keys) - 1 and uses[piece.keys[at]] < 2:
                continue
            network.segments.append(
                Segment(
                    source=node(piece.keys[start], piece.coords[start]),
                    target=node(piece.keys[at], piece.coords[at]),
                    coords=tuple(piece.coords[start : at + 1]),
                    road_class=piece.road_class,
                    oneway=piece.oneway,
                    name=piece.name,
                    osm_id=piece.osm_id,
                    speed_kmh=piece.speed_kmh,
                )
            )
            start = at
    return network


def _without_repeats(piece: WayPiece) -> WayPiece:
    """The piece oriented source → target, with consecutive repeated vertices dropped."""
    keys, coords = list(piece.keys), list(piece.coords)
    if piece.reverse:
        keys.reverse()
        coords.reverse()
    kept = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    return WayPiece(
        keys=[keys[i] for i in kept],
        coords=[coords[i] for i in kept],
        road_class=piece.road_class,
        oneway=piece.oneway,
        name=piece.name,
        osm_id=piece.osm_id,
        speed_kmh=piece.speed_kmh,
    )


def _pieces_of(way: osmium.osm.Way, tags: Mapping[str, str]) -> list[WayPiece]:
    """The way's runs of located nodes as pieces (one piece for a complete way)."""
    oneway, reverse = oneway_of(tags)
    name = tags.get("name:zh") or tags.get("name") or ""
    speed = parse_maxspeed(tags.get("maxspeed"))
    runs: list[tuple[list[int], list[tuple[float, float]]]] = [([], [])]
    for ref in way.nodes:
        if ref.location.valid():
            runs[-1][0].append(ref.ref)
            runs[-1][1].append((ref.location.lon, ref.location.lat))
        elif runs[-1][0]:
            runs.append(([], []))
    return [
        WayPiece(keys, coords, tags["highway"], oneway, reverse, name, way.id, speed)
        for keys, coords in runs
        if len(keys) >= 2
    ]


def _located_length_m(way: osmium.osm.Way) -> float:
    """Metres along the way between consecutive nodes that both have a location."""
    points = [(r.location.lon, r.location.lat) if r.location.valid() else None for r in way.nodes]
    pairs = itertools.pairwise(points)
    return sum(haversine_m(*a, *b) for a, b in pairs if a is not None and b is not None)


def read_osm(
    path: Path, progress: Callable[[int], None] | None = None, tally: WayTally | None = None
) -> RoadNetwork:
    """The drivable road network of an OSM file; ``progress`` gets the count of highway ways read
    so far, ``tally`` every highway way. ImportRejected if unreadable or with no drivable road."""
    pieces: list[WayPiece] = []
    ways = 0
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            ways += 1
            if progress is not None and ways % PROGRESS_EVERY == 0:
                progress(ways)
            if not isinstance(way, osmium.osm.Way):
                continue
            tags = {tag.k: tag.v for tag in way.tags}
            reason = drop_reason(tags)
            if tally is not None:
                tally(tags["highway"], reason, _located_length_m(way))
            if reason is None:
                pieces.extend(_pieces_of(way, tags))
    except (OSError, RuntimeError, ValueError) as exc:
        raise ImportRejected([RowProblem(0, f"cannot read {path.name}: {exc}")]) from exc
    if progress is not None:
        progress(ways)
    network = build_network(pieces, source=path.name)
    if not network.segments:
        raise ImportRejected([RowProblem(0, f"{path.name} has no drivable road")])
    try:
        read_restrictions(path, network)
    except (OSError, RuntimeError, ValueError) as exc:
        raise ImportRejected([RowProblem(0, f"cannot read {path.name}: {exc}")]) from exc
    return network

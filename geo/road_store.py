"""The road network in PostGIS: replacing it in one transaction, and reading it back as arrays.

``replace_network`` runs in the caller's transaction and never commits: it deletes every node
and segment, inserts the new network, bumps ``road_network.version`` and sends
``NOTIFY road_network, '<version>'``. Rows go by binary COPY (through the session's own asyncpg
connection, so inside its transaction) into temporary staging tables, lines as WKB ``bytea``;
one ``INSERT ... SELECT`` per table then builds the geometries in PostGIS. No geometry is ever a
query parameter, so asyncpg's typed-parameter trap does not arise.

Until the caller commits, readers keep seeing the old network (plain DELETE, no TRUNCATE, so
they are not blocked either); at commit they see the new one whole, and the notification goes
out. The version row is locked first, so two imports run one after the other.

Turn restrictions go into ``road_turn_restrictions`` (from segment, via node, to segment by
their stored ids, and the OSM kind), deleted and written in the same transaction.

Ids: pgRouting wants positive ids, so the network's node index ``i`` (0..n-1) is stored as node
id ``i + 1`` and its segment index ``j`` as segment id ``j + 1``. ``load_network_arrays`` returns
the ids and, for the engine, each segment's source and target as indexes into the node arrays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import shapely
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from geo.network import ONLY_TURNS, RoadNetwork, line_length_m, minutes_for, speed_for

BATCH_ROWS = 5_000  # rows per COPY (the progress bar moves once per batch)
NOTIFY_CHANNEL = "road_network"
NODE_COLUMNS = ("id", "lon", "lat", "osm_id")
SEGMENT_COLUMNS = (
    "id",
    "source",
    "target",
    "wkb",
    "length_m",
    "road_class",
    "speed_kmh",
    "minutes",
    "oneway",
    "name",
    "osm_id",
)
STAGING = """
DROP TABLE IF EXISTS pg_temp.road_nodes_in, pg_temp.road_segments_in;
CREATE TEMPORARY TABLE road_nodes_in (
    id bigint, lon double precision, lat double precision, osm_id bigint
) ON COMMIT DROP;
CREATE TEMPORARY TABLE road_segments_in (
    id bigint, source bigint, target bigint, wkb bytea, length_m double precision,
    road_class text, speed_kmh double precision, minutes double precision, oneway boolean,
    name text, osm_id bigint
) ON COMMIT DROP;
"""
FROM_STAGING = """
INSERT INTO road_nodes (id, location, osm_id)
    SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326), osm_id FROM pg_temp.road_nodes_in;
INSERT INTO road_segments (id, source, target, geometry, length_m, road_class, speed_kmh,
        minutes, oneway, name, osm_id)
    SELECT id, source, target, ST_GeomFromWKB(wkb, 4326), length_m, road_class, speed_kmh,
        minutes, oneway, name, osm_id FROM pg_temp.road_segments_in;
DROP TABLE pg_temp.road_nodes_in, pg_temp.road_segments_in;
"""
TURN_COLUMNS = ("from_segment", "via_node", "to_segment", "kind")
T = TypeVar("T")


@dataclass(frozen=True)
class RoadNetworkStats:
    """What an import wrote: the new version, the counts and the total length."""

    version: int
    nodes: int
    segments: int
    length_km: float
    source: str
    synthetic: bool


@dataclass(frozen=True)
class NetworkArrays:
    """The stored network as arrays for the travel-time engine; segment ``j`` runs from node
    index ``seg_source_index[j]`` to ``seg_target_index[j]`` along ``seg_coords[j]``."""

    version: int
    node_ids: npt.NDArray[np.int64]
    node_lon: npt.NDArray[np.float64]
    node_lat: npt.NDArray[np.float64]
    seg_ids: npt.NDArray[np.int64]
    seg_source_index: npt.NDArray[np.int64]
    seg_target_index: npt.NDArray[np.int64]
    seg_minutes: npt.NDArray[np.float64]
    seg_length_m: npt.NDArray[np.float64]
    seg_oneway: npt.NDArray[np.bool_]
    seg_coords: list[npt.NDArray[np.float64]]
    seg_road_class: list[str]
    # Turn restrictions: segment indexes, node index, and whether each is an ``only_*`` one.
    turn_from: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    turn_via: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    turn_to: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    turn_only: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))


def _batches(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _check(network: RoadNetwork) -> None:
    """Refuse a network whose segments name missing nodes or have no line (a reader's bug)."""
    count = len(network.nodes)
    for number, segment in enumerate(network.segments):
        if not (0 <= segment.source < count and 0 <= segment.target < count):
            raise ValueError(f"segment {number} joins nodes outside 0..{count - 1}")
        if len(segment.coords) < 2:
            raise ValueError(f"segment {number} has fewer than two points")
    if network.node_osm_ids and len(network.node_osm_ids) != count:
        raise ValueError("node_osm_ids must be empty or one per node")
    segments = len(network.segments)
    for r in network.restrictions:
        if not (0 <= r.from_segment < segments and 0 <= r.to_segment < segments):
            raise ValueError(f"a turn restriction names a segment outside 0..{segments - 1}")
        if not 0 <= r.via_node < count:
            raise ValueError(f"a turn restriction names a node outside 0..{count - 1}")


async def replace_network(
    db: AsyncSession,
    network: RoadNetwork,
    speeds: Mapping[str, float],
    progress: Callable[[int], None] | None = None,
) -> RoadNetworkStats:
    """Replace the stored network with ``network`` in the caller's transaction (no commit);
    ``progress`` gets the number of rows (nodes, then segments) written so far."""
    _check(network)
    if not speeds or min(speeds.values()) <= 0:
        raise ValueError("the speed table must give every class a positive speed")
    version = await _bump_version(db, network)
    await db.execute(text("DELETE FROM road_turn_restrictions"))
    await db.execute(text("DELETE FROM road_segments"))
    await db.execute(text("DELETE FROM road_nodes"))
    osm_ids = network.node_osm_ids or [None] * len(network.nodes)
    nodes = [(i + 1, lon, lat, osm_ids[i]) for i, (lon, lat) in enumerate(network.nodes)]
    segments, total_m = _segment_records(network, speeds)
    driver = await _asyncpg_connection(db)
    await driver.execute(STAGING)
    written = 0
    for table, columns, records in (
        ("road_nodes_in", NODE_COLUMNS, nodes),
        ("road_segments_in", SEGMENT_COLUMNS, segments),
    ):
        for batch in _batches(records, BATCH_ROWS):
            await driver.copy_records_to_table(
                table, records=batch, columns=columns, schema_name="pg_temp"
            )
            written += len(batch)
            if progress is not None:
                progress(written)
    await driver.execute(FROM_STAGING)
    turns = [
        (r.from_segment + 1, r.via_node + 1, r.to_segment + 1, r.kind) for r in network.restrictions
    ]
    for batch in _batches(turns, BATCH_ROWS):
        await driver.copy_records_to_table(
            "road_turn_restrictions", records=batch, columns=TURN_COLUMNS
        )
    await db.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": NOTIFY_CHANNEL, "payload": str(version)},
    )
    return RoadNetworkStats(
        version=version,
        nodes=len(network.nodes),
        segments=len(network.segments),
        length_km=total_m / 1000.0,
        source=network.source,
        synthetic=network.synthetic,
    )


async def _asyncpg_connection(db: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside the session's transaction."""
    driver = (await (await db.connection()).get_raw_connection()).driver_connection
    if driver is None:
        raise RuntimeError("the session has no asyncpg connection")
    return driver


def _segment_records(
    network: RoadNetwork, speeds: Mapping[str, float]
) -> tuple[list[tuple[Any, ...]], float]:
    """The segments as staging rows (line as WKB), and their total length in metres."""
    if not network.segments:
        return [], 0.0
    lengths = [len(segment.coords) for segment in network.segments]
    points = np.array([point for s in network.segments for point in s.coords], dtype=np.float64)
    owner = np.repeat(np.arange(len(lengths)), lengths)
    wkbs = shapely.to_wkb(shapely.linestrings(points, indices=owner))
    records: list[tuple[Any, ...]] = []
    total_m = 0.0
    for j, (segment, wkb) in enumerate(zip(network.segments, wkbs, strict=True)):
        length = line_length_m(segment.coords)
        speed = speed_for(segment, speeds)
        total_m += length
        records.append(
            (
                j + 1,
                segment.source + 1,
                segment.target + 1,
                wkb,
                length,
                segment.road_class,
                speed,
                minutes_for(length, speed),
                segment.oneway,
                segment.name,
                segment.osm_id,
            )
        )
    return records, total_m


async def _bump_version(db: AsyncSession, network: RoadNetwork) -> int:
    """Lock the version row (creating it if missing) and describe the new network in it."""
    result = await db.execute(
        text(
            "INSERT INTO road_network (id, version, source, synthetic, nodes, segments,"
            " imported_at) VALUES (1, 1, :source, :synthetic, :nodes, :segments, now())"
            " ON CONFLICT (id) DO UPDATE SET version = road_network.version + 1,"
            " source = excluded.source, synthetic = excluded.synthetic,"
            " nodes = excluded.nodes, segments = excluded.segments,"
            " imported_at = excluded.imported_at RETURNING version"
        ),
        {
            "source": network.source,
            "synthetic": network.synthetic,
            "nodes": len(network.nodes),
            "segments": len(network.segments),
        },
    )
    return int(result.scalar_one())


async def network_version(db: AsyncSession) -> int:
    """The stored network's version: 0 before the first import."""
    version = await db.scalar(text("SELECT version FROM road_network WHERE id = 1"))
    return int(version or 0)


async def network_key(db: AsyncSession) -> str:
    """A name for the stored network that no other network has: its version, a hash of the
    database's name and one of the import's time and size (two test databases both at version 3
    get different keys). The engine's array files are kept under it (``geo.road_cache``, which
    prunes a database's older networks by the middle part)."""
    row = (
        await db.execute(
            text(
                "SELECT version, current_database(), imported_at, nodes, segments"
                " FROM road_network WHERE id = 1"
            )
        )
    ).one_or_none()
    if row is None:
        return "0"
    database = hashlib.sha256(str(row[1]).encode()).hexdigest()[:12]
    network = hashlib.sha256(repr(tuple(row[2:])).encode()).hexdigest()[:12]
    return f"{int(row[0])}-{database}-{network}"


async def load_network_arrays(db: AsyncSession) -> NetworkArrays:
    """The stored network as arrays (one query for the nodes, one for the segments, read through
    the session's asyncpg connection: plain records are much faster to take apart than rows)."""
    # The version first: if an import commits between these reads (READ COMMITTED), the arrays
    # are newer than their version, and the next check reloads; never the reverse (stale forever).
    version = await network_version(db)
    driver = await _asyncpg_connection(db)
    node_rows = await driver.fetch(
        "SELECT id, ST_X(location), ST_Y(location) FROM road_nodes ORDER BY id"
    )
    segment_rows = await driver.fetch(
        "SELECT id, source, target, minutes, length_m, oneway, ST_AsBinary(geometry), road_class"
        " FROM road_segments ORDER BY id"
    )
    turn_rows = await driver.fetch(
        "SELECT from_segment, via_node, to_segment, kind FROM road_turn_restrictions ORDER BY id"
    )
    node_ids = np.array([row[0] for row in node_rows], dtype=np.int64)
    seg_ids = np.array([row[0] for row in segment_rows], dtype=np.int64)
    sources = np.array([row[1] for row in segment_rows], dtype=np.int64)
    targets = np.array([row[2] for row in segment_rows], dtype=np.int64)
    return NetworkArrays(
        version=version,
        node_ids=node_ids,
        node_lon=np.array([row[1] for row in node_rows], dtype=np.float64),
        node_lat=np.array([row[2] for row in node_rows], dtype=np.float64),
        seg_ids=seg_ids,
        seg_source_index=_node_index(node_ids, sources),
        seg_target_index=_node_index(node_ids, targets),
        seg_minutes=np.array([row[3] for row in segment_rows], dtype=np.float64),
        seg_length_m=np.array([row[4] for row in segment_rows], dtype=np.float64),
        seg_oneway=np.array([row[5] for row in segment_rows], dtype=np.bool_),
        seg_coords=_coords([row[6] for row in segment_rows]),
        seg_road_class=[row[7] for row in segment_rows],
        turn_from=_index(seg_ids, np.array([r[0] for r in turn_rows], dtype=np.int64)),
        turn_via=_node_index(node_ids, np.array([r[1] for r in turn_rows], dtype=np.int64)),
        turn_to=_index(seg_ids, np.array([r[2] for r in turn_rows], dtype=np.int64)),
        turn_only=np.array([r[3] in ONLY_TURNS for r in turn_rows], dtype=np.bool_),
    )


def _node_index(
    node_ids: npt.NDArray[np.int64], ids: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Positions of ``ids`` in the sorted ``node_ids``; ValueError for an id with no node."""
    return _index(node_ids, ids, "a road segment names a node that is not stored")


def _index(
    stored: npt.NDArray[np.int64],
    ids: npt.NDArray[np.int64],
    problem: str = "a turn restriction names a segment that is not stored",
) -> npt.NDArray[np.int64]:
    """Positions of ``ids`` in the sorted ``stored`` ids; ValueError (``problem``) for a missing
    one."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    index = np.searchsorted(stored, ids)
    clipped = np.minimum(index, max(len(stored) - 1, 0))
    if not len(stored) or not np.array_equal(stored[clipped], ids):
        raise ValueError(problem)
    return index.astype(np.int64)


def _coords(wkbs: list[bytes]) -> list[npt.NDArray[np.float64]]:
    """Each line's (k, 2) lon/lat array (views into one array), decoded in one vectorised pass."""
    if not wkbs:
        return []
    lines = shapely.from_wkb(np.array(wkbs, dtype=object))
    points, owner = shapely.get_coordinates(lines, return_index=True)
    counts = np.bincount(owner, minlength=len(wkbs))
    ends = np.cumsum(counts)
    starts = ends - counts
    return [points[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]

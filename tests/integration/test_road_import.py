"""Importing road networks into the real PostGIS: the Chengdu OpenStreetMap extract, pgRouting on
the stored edges, versions, atomic replacement, the arrays for the engine, and the CLI.

The Chengdu extract is ``tests/data/chengdu.osm.pbf`` (OpenStreetMap, ODbL; see
``tests/data/README.md``); a missing file fails the tests. Its README counts about 8,200 nodes
and 9,500 edges for the graph with a node at every OSM vertex (and no service roads); the
importer keeps service roads and makes nodes only at intersections and ends, so it stores about
3,200 nodes and 4,600 segments whose polylines hold those ~9,000 vertices and ~10,000
vertex-to-vertex edges.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import random
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork
from geo.osm import read_osm
from geo.road_store import NetworkArrays, load_network_arrays, network_version, replace_network
from tests.conftest import CHENGDU_PBF, TEST_DATABASE_URL
from tests.integration.road_import_helpers import run_cli, write_lines

CHENGDU = CHENGDU_PBF
PGR_COST = (
    "SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCost("
    "'SELECT id, source, target, cost, reverse_cost FROM road_edges',"
    " CAST(:sources AS bigint[]), CAST(:targets AS bigint[]), directed => true)"
)


@pytest.fixture(scope="session")
async def pgrouting(engine: AsyncEngine) -> AsyncEngine:
    """The test database with pgRouting (not yet created by the project's migration)."""
    async with engine.begin() as connection:
        await connection.execute(text("CREATE EXTENSION IF NOT EXISTS pgrouting"))
    return engine


@pytest.fixture(scope="module")
def chengdu() -> RoadNetwork:
    """The Chengdu extract's drivable network, read once for the module."""
    assert CHENGDU.is_file(), f"the Chengdu extract is missing: {CHENGDU}"
    return read_osm(CHENGDU)


def dijkstra(arrays: NetworkArrays, start: int) -> dict[int, float]:
    """Minutes from node index ``start`` to every reachable node index (a plain reference)."""
    out: dict[int, list[tuple[int, float]]] = {}
    for source, target, minutes, oneway in zip(
        arrays.seg_source_index.tolist(),
        arrays.seg_target_index.tolist(),
        arrays.seg_minutes.tolist(),
        arrays.seg_oneway.tolist(),
        strict=True,
    ):
        out.setdefault(source, []).append((target, minutes))
        if not oneway:
            out.setdefault(target, []).append((source, minutes))
    best = {start: 0.0}
    queue = [(0.0, start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if cost > best[node]:
            continue
        for neighbour, minutes in out.get(node, []):
            if cost + minutes < best.get(neighbour, math.inf):
                best[neighbour] = cost + minutes
                heapq.heappush(queue, (cost + minutes, neighbour))
    return best


async def count(db: AsyncSession, sql: str) -> int:
    """One integer from a query."""
    return int(await db.scalar(text(sql)) or 0)


async def test_chengdu_import_stores_every_node_and_segment(
    db: AsyncSession, chengdu: RoadNetwork
) -> None:
    """The Chengdu import stores its intersections and segments, carrying the README's graph."""
    stats = await replace_network(db, chengdu, DEFAULT_SPEEDS_KMH)
    assert (len(chengdu.nodes), len(chengdu.segments)) == (stats.nodes, stats.segments)
    assert stats.nodes == await count(db, "SELECT count(*) FROM road_nodes")
    assert stats.segments == await count(db, "SELECT count(*) FROM road_segments")
    assert 2_500 <= stats.nodes <= 4_500
    assert 3_500 <= stats.segments <= 6_000
    vertices = "SELECT count(DISTINCT d.geom) FROM road_segments, ST_DumpPoints(geometry) d"
    assert 6_000 <= await count(db, vertices) <= 12_000
    edges = "SELECT sum(ST_NPoints(geometry) - 1) FROM road_segments"
    assert 6_000 <= await count(db, edges) <= 12_000
    assert 300 <= stats.length_km <= 1_500
    assert 0 == await count(db, "SELECT count(*) FROM road_segments WHERE NOT minutes > 0")


async def test_segments_start_and_end_at_their_nodes(
    db: AsyncSession, chengdu: RoadNetwork
) -> None:
    """Every stored segment's line begins at its source node and ends at its target node."""
    await replace_network(db, chengdu, DEFAULT_SPEEDS_KMH)
    loose = (
        "SELECT count(*) FROM road_segments s JOIN road_nodes a ON a.id = s.source"
        " JOIN road_nodes b ON b.id = s.target WHERE NOT ST_Equals(ST_StartPoint(s.geometry),"
        " a.location) OR NOT ST_Equals(ST_EndPoint(s.geometry), b.location)"
    )
    assert 0 == await count(db, loose)
    assert 0 == await count(db, "SELECT count(*) FROM road_nodes WHERE id < 1")


async def test_pgrouting_costs_equal_a_dijkstra_on_the_loaded_arrays(
    db: AsyncSession, chengdu: RoadNetwork, pgrouting: AsyncEngine
) -> None:
    """pgr_dijkstraCost on ``road_edges`` gives the same finite minutes as the loaded arrays."""
    await replace_network(db, chengdu, DEFAULT_SPEEDS_KMH)
    arrays = await load_network_arrays(db)
    start = int(arrays.seg_source_index[0])
    reached = dijkstra(arrays, start)
    assert len(reached) > len(arrays.node_ids) // 2  # the start is in the city's main component
    targets = random.Random(3).sample(sorted(reached), 5)
    expected = {int(arrays.node_ids[t]): reached[t] for t in targets}
    rows = (
        await db.execute(
            text(PGR_COST),
            {"sources": [int(arrays.node_ids[start])], "targets": list(expected)},
        )
    ).all()
    actual = {int(row.end_vid): float(row.agg_cost) for row in rows}
    assert expected.keys() - {int(arrays.node_ids[start])} == actual.keys()
    for node_id, minutes in actual.items():
        assert expected[node_id] == pytest.approx(minutes, abs=0.01)
    assert all(math.isfinite(minutes) and minutes > 0 for minutes in actual.values())


async def test_one_way_segments_are_one_way_in_pgrouting(
    db: AsyncSession, chengdu: RoadNetwork, pgrouting: AsyncEngine
) -> None:
    """A one-way segment has reverse_cost -1, and pgRouting's trips both ways along it match."""
    await replace_network(db, chengdu, DEFAULT_SPEEDS_KMH)
    arrays = await load_network_arrays(db)
    for j in map(int, arrays.seg_oneway.nonzero()[0]):
        source, target = int(arrays.seg_source_index[j]), int(arrays.seg_target_index[j])
        back = dijkstra(arrays, target).get(source, math.inf)
        if back > arrays.seg_minutes[j] + 0.1:  # driving it backwards would be a shortcut
            break
    else:
        pytest.fail("no one-way segment whose way back is longer than the segment")
    reverse = await db.scalar(
        text("SELECT reverse_cost FROM road_edges WHERE id = :id"), {"id": int(arrays.seg_ids[j])}
    )
    assert -1 == reverse
    ids = (int(arrays.node_ids[source]), int(arrays.node_ids[target]))
    expected = {
        ids: dijkstra(arrays, source)[target],
        ids[::-1]: back,
    }
    rows = (await db.execute(text(PGR_COST), {"sources": list(ids), "targets": list(ids)})).all()
    actual = {(int(row.start_vid), int(row.end_vid)): float(row.agg_cost) for row in rows}
    assert {k for k, v in expected.items() if math.isfinite(v)} == actual.keys()
    for pair, minutes in actual.items():
        assert expected[pair] == pytest.approx(minutes, abs=0.01)


async def test_each_import_bumps_the_version_and_replaces_the_network(
    db: AsyncSession, chengdu: RoadNetwork
) -> None:
    """Importing twice bumps the version by one each time and leaves one copy of the network."""
    before = await network_version(db)
    first = await replace_network(db, chengdu, DEFAULT_SPEEDS_KMH)
    second = await replace_network(db, chengdu, DEFAULT_SPEEDS_KMH)
    assert (before + 1, before + 2) == (first.version, second.version)
    assert before + 2 == await network_version(db)
    assert len(chengdu.segments) == await count(db, "SELECT count(*) FROM road_segments")
    assert len(chengdu.nodes) == await count(db, "SELECT count(*) FROM road_nodes")
    row = (await db.execute(text("SELECT * FROM road_network"))).one()
    assert ("chengdu.osm.pbf", False, len(chengdu.nodes)) == (row.source, row.synthetic, row.nodes)


async def test_other_sessions_see_the_old_network_until_commit(
    db: AsyncSession, chengdu: RoadNetwork, engine: AsyncEngine
) -> None:
    """While an import is uncommitted, another connection still reads the previous version."""
    async with engine.connect() as other:
        committed = await other.scalar(text("SELECT version FROM road_network"))
        await replace_network(db, chengdu, DEFAULT_SPEEDS_KMH)
        assert committed == await other.scalar(text("SELECT version FROM road_network"))
    assert committed + 1 == await network_version(db)


async def test_loaded_arrays_match_the_import(db: AsyncSession, chengdu: RoadNetwork) -> None:
    """The engine's arrays hold every node and segment, with lines that end at their nodes."""
    stats = await replace_network(db, chengdu, DEFAULT_SPEEDS_KMH)
    arrays = await load_network_arrays(db)
    assert stats.version == arrays.version
    assert stats.nodes == len(arrays.node_ids) == len(arrays.node_lon) == len(arrays.node_lat)
    assert stats.segments == len(arrays.seg_ids) == len(arrays.seg_coords)
    assert list(range(1, stats.nodes + 1)) == arrays.node_ids.tolist()
    assert sum(s.oneway for s in chengdu.segments) == int(arrays.seg_oneway.sum())
    assert stats.length_km * 1000 == pytest.approx(float(arrays.seg_length_m.sum()))
    for j in (0, stats.segments // 2, stats.segments - 1):
        segment, coords = chengdu.segments[j], arrays.seg_coords[j]
        assert (len(segment.coords), 2) == coords.shape
        source = arrays.seg_source_index[j]
        assert (arrays.node_lon[source], arrays.node_lat[source]) == tuple(coords[0])
        assert segment.source == source


async def test_cli_imports_a_file_commits_it_and_rings_the_doorbell(
    saved_roads: AsyncEngine, tmp_path: Path
) -> None:
    """``import roads`` commits the network, prints its counts and NOTIFYs the new version."""
    path = write_lines(
        tmp_path / "roads.geojson",
        [
            ([[114.80, 33.40], [114.81, 33.40], [114.82, 33.40]], {"road_class": "county"}),
            ([[114.81, 33.39], [114.81, 33.40]], {"road_class": "village", "oneway": "yes"}),
        ],
    )
    listener = await asyncpg.connect(
        make_url(TEST_DATABASE_URL).set(drivername="postgresql").render_as_string(False)
    )
    heard: asyncio.Queue[str] = asyncio.Queue()
    try:
        await listener.add_listener("road_network", lambda *args: heard.put_nowait(args[3]))
        async with saved_roads.connect() as connection:
            before = int(await connection.scalar(text("SELECT version FROM road_network")) or 0)
        result = await asyncio.to_thread(run_cli, "import", "roads", str(path), "--synthetic")
        assert 0 == result.exit_code, result.output
        assert str(before + 1) == await asyncio.wait_for(heard.get(), timeout=5)
    finally:
        await listener.close()
    output = " ".join(result.output.split())
    assert "4 nodes and 3 segments, 3.0 km of road (synthetic)" in output
    assert f"version {before + 1}" in output
    async with saved_roads.connect() as connection:
        row = (await connection.execute(text("SELECT * FROM road_network"))).one()
        stored = await connection.scalar(text("SELECT count(*) FROM road_segments"))
    assert (before + 1, "roads.geojson", True, 4, 3, 3) == (
        row.version,
        row.source,
        row.synthetic,
        row.nodes,
        row.segments,
        stored,
    )


async def test_cli_rejects_a_bad_file_and_changes_nothing(
    saved_roads: AsyncEngine, tmp_path: Path
) -> None:
    """A file with bad rows prints each row's problem, exits 1 and leaves the network as it was."""
    path = write_lines(
        tmp_path / "bad.geojson",
        [
            ([[114.80, 33.40], [114.81, 33.40]], {"road_class": "county"}),
            (None, {"road_class": "county"}),
            ([[114.80, 33.40], [114.81, 33.41]], {"road_class": "motorway_of_dreams"}),
        ],
    )
    async with saved_roads.connect() as connection:
        before = await connection.scalar(text("SELECT version FROM road_network"))
    result = await asyncio.to_thread(run_cli, "import", "roads", str(path))
    output = " ".join(result.output.split())
    assert 1 == result.exit_code, result.output
    assert "row 2: the row has no geometry" in output
    assert "row 3: unknown road class 'motorway_of_dreams'" in output
    async with saved_roads.connect() as connection:
        assert before == await connection.scalar(text("SELECT version FROM road_network"))

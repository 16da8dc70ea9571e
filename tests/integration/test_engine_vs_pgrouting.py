"""The travel-time engine equals pgRouting's pgr_dijkstraCost on the same stored graph
(tolerance 0.01 min): on the real Chengdu OpenStreetMap extract and on the demo county."""

from __future__ import annotations

import math
import random

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH
from geo.osm import read_osm
from geo.road_store import load_network_arrays, replace_network
from geo.runtime import engine_from_store
from tests.conftest import CHENGDU_PBF

CHENGDU = CHENGDU_PBF
PGR_COST = (
    "SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCost("
    "'SELECT id, source, target, cost, reverse_cost FROM road_edges',"
    " CAST(:sources AS bigint[]), CAST(:targets AS bigint[]), directed => true)"
)


async def stored_engine(db: AsyncSession) -> TravelTimeEngine:
    """The engine over the network stored in the test's transaction."""
    return engine_from_store(await load_network_arrays(db), 10.0, 2000.0)


async def assert_engine_equals_pgrouting(db: AsyncSession, seed: int, pairs: int) -> int:
    """Random node pairs: every finite pgRouting cost equals the engine's, and vice versa."""
    engine = await stored_engine(db)
    rng = random.Random(seed)
    sources = rng.sample(range(engine.node_count), 8)
    targets = rng.sample(range(engine.node_count), pairs)
    rows = await db.execute(
        text(PGR_COST),
        {"sources": [s + 1 for s in sources], "targets": [t + 1 for t in targets]},
    )
    pgr = {(int(r.start_vid) - 1, int(r.end_vid) - 1): float(r.agg_cost) for r in rows}
    compared = 0
    for source in sources:
        times = engine.node_times(source)
        for target in targets:
            if source == target:
                continue
            expected = pgr.get((source, target), math.inf)
            assert expected == pytest.approx(float(times[target]), abs=0.01), (source, target)
            compared += 1
    return compared


async def test_chengdu_times_equal_pgrouting(db: AsyncSession) -> None:
    """On the real Chengdu network, 8 × 40 node pairs agree with pgr_dijkstraCost to 0.01 min."""
    assert CHENGDU.is_file(), f"the Chengdu extract is missing: {CHENGDU}"
    await replace_network(db, read_osm(CHENGDU), DEFAULT_SPEEDS_KMH)
    assert 8 * 40 - 8 <= await assert_engine_equals_pgrouting(db, seed=1, pairs=40)


async def test_demo_county_times_equal_pgrouting(db: AsyncSession) -> None:
    """On the demo county's synthetic roads, 8 × 40 node pairs agree with pgr_dijkstraCost."""
    assert 8 * 40 - 8 <= await assert_engine_equals_pgrouting(db, seed=2, pairs=40)


async def test_demo_county_is_connected_for_pgrouting_and_engine(db: AsyncSession) -> None:
    """Every demo node reaches the county hospital's node in both (a strongly connected county)."""
    engine = await stored_engine(db)
    hospital = engine.snap(114.8806, 33.4412)
    node = int(engine.arrays.seg_source[hospital.segment])
    assert math.isfinite(float(engine.node_times(node, reverse=True).max()))

"""Turn restrictions stored with the road network (issue 15): written and replaced in the
import's transaction, read back as the engine's arrays, and the engine from the store routes
with them (Helsinki extract, ODbL; see tests/data/README.md)."""

from __future__ import annotations

import asyncio
import random

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork, TurnRestriction
from geo.osm import read_osm
from geo.road_arrays import RoadArrays
from geo.road_store import load_network_arrays, replace_network
from geo.runtime import engine_from_store
from tests.conftest import TEST_DATA
from tests.integration.road_import_helpers import run_cli


@pytest.fixture(scope="module")
def helsinki() -> RoadNetwork:
    return read_osm(TEST_DATA / "helsinki.osm.pbf")


async def test_restrictions_are_stored_loaded_and_routed_with(
    db: AsyncSession, helsinki: RoadNetwork
) -> None:
    """Every restriction is one row naming the stored segments and node; the arrays loaded back
    hold them by index, and the engine built from the store gives the same times as the engine
    built from the network read (and other times than one without the restrictions)."""
    assert len(helsinki.restrictions) == 38
    await replace_network(db, helsinki, DEFAULT_SPEEDS_KMH)
    rows = (
        await db.execute(
            text(
                "SELECT r.from_segment, r.via_node, r.to_segment, r.kind"
                " FROM road_turn_restrictions r"
                " JOIN road_segments f ON f.id = r.from_segment"
                " JOIN road_segments t ON t.id = r.to_segment"
                " JOIN road_nodes n ON n.id = r.via_node ORDER BY r.id"
            )
        )
    ).all()
    assert [
        (r.from_segment + 1, r.via_node + 1, r.to_segment + 1, r.kind)
        for r in helsinki.restrictions
    ] == [tuple(row) for row in rows]
    arrays = await load_network_arrays(db)
    assert arrays.turn_from.tolist() == [r.from_segment for r in helsinki.restrictions]
    assert arrays.turn_via.tolist() == [r.via_node for r in helsinki.restrictions]
    assert arrays.turn_to.tolist() == [r.to_segment for r in helsinki.restrictions]
    assert arrays.turn_only.tolist() == [r.only for r in helsinki.restrictions]
    stored = engine_from_store(arrays, access_speed_kmh=10.0, max_snap_m=2_000.0)
    read = TravelTimeEngine(RoadArrays.from_network(helsinki, DEFAULT_SPEEDS_KMH))
    plain = TravelTimeEngine(RoadArrays.from_network(helsinki, DEFAULT_SPEEDS_KMH).with_turns([]))
    differs = 0
    for source in random.Random(15).sample(range(len(helsinki.nodes)), 30):
        times = stored.node_times(source)
        assert np.allclose(times, read.node_times(source), atol=1e-6, equal_nan=True)
        differs += int(not np.allclose(times, plain.node_times(source), atol=1e-6))
    assert differs > 0


async def test_a_new_import_replaces_the_restrictions(
    db: AsyncSession, helsinki: RoadNetwork
) -> None:
    """A network without restrictions imported over one with them leaves none behind."""
    await replace_network(db, helsinki, DEFAULT_SPEEDS_KMH)
    bare = RoadNetwork(
        nodes=helsinki.nodes,
        segments=helsinki.segments,
        node_osm_ids=helsinki.node_osm_ids,
        source="bare",
    )
    await replace_network(db, bare, DEFAULT_SPEEDS_KMH)
    assert 0 == await db.scalar(text("SELECT count(*) FROM road_turn_restrictions"))
    assert 0 == len((await load_network_arrays(db)).turn_from)


async def test_a_restriction_naming_a_missing_segment_is_refused(
    db: AsyncSession, helsinki: RoadNetwork
) -> None:
    """A reader's bug (a restriction outside the network) is refused before anything is written."""
    broken = RoadNetwork(
        nodes=helsinki.nodes,
        segments=helsinki.segments,
        restrictions=[TurnRestriction(len(helsinki.segments), 0, 0, "no_u_turn")],
    )
    with pytest.raises(ValueError, match="turn restriction"):
        await replace_network(db, broken, DEFAULT_SPEEDS_KMH)


async def test_the_import_command_says_what_it_made_of_the_restrictions(
    saved_roads: AsyncEngine,
) -> None:
    """infofirst import roads on Helsinki prints the restriction relations applied and skipped,
    and stores the turns."""
    area = {"INFOFIRST_SERVICE_AREA": "[24.8, 60.1, 25.1, 60.3]"}
    path = TEST_DATA / "helsinki.osm.pbf"
    result = await asyncio.to_thread(run_cli, "import", "roads", str(path), env=area)
    output = " ".join(result.output.split())
    assert 0 == result.exit_code, result.output
    assert (
        "turn restrictions: 38 of 45 restriction relations applied (38 turns); skipped: 3 a way"
        " not in the network, 4 the via node not in the network"
    ) in output
    async with saved_roads.connect() as connection:
        stored = await connection.scalar(text("SELECT count(*) FROM road_turn_restrictions"))
    assert 38 == stored

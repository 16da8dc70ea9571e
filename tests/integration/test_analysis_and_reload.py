"""The coverage analysis on the demo county in PostGIS, and the engine reloading on import."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib.image
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.cli import coverage_report
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork, Segment
from geo.road_store import replace_network
from geo.runtime import RoadRuntime


async def test_coverage_analysis_of_the_demo_county(db: AsyncSession, tmp_path: Path) -> None:
    """Every village gets its times; shares grow with minutes; MCLP raises coverage; files open."""
    engine = await coverage_report.load_engine(db, 10.0, 2000.0)
    inputs = await coverage_report.read_inputs(db)
    report = coverage_report.analyse(engine, inputs, k=2, radius=15.0)
    assert len(inputs.villages) == len(report.to_pci) >= 300
    assert all(minutes < 120 for minutes in report.to_pci)  # the demo county is connected
    for shares in report.shares.values():
        population = [s.population for s in shares]
        assert population == sorted(population)
        assert 1.0 == pytest.approx(population[-1])
    assert 2 == len(report.siting.chosen)
    assert report.siting.covered_after > report.siting.covered_before
    paths = coverage_report.write_outputs(report, engine, tmp_path, "test")
    assert ["village_access.csv", "coverage_summary.json", "coverage_map.png"] == [
        p.name for p in paths
    ]
    summary = json.loads(paths[1].read_text(encoding="utf-8"))
    assert len(inputs.villages) == summary["villages"]
    assert (1100, 1100) == matplotlib.image.imread(paths[2]).shape[:2]
    rows = paths[0].read_text(encoding="utf-8-sig").splitlines()
    assert len(inputs.villages) + 1 == len(rows)


async def test_runtime_reloads_when_the_network_version_changes(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """A new import bumps the version; the next check reloads; an unchanged version does not."""
    runtime = RoadRuntime(10.0, 2000.0, 800.0)
    assert True is await runtime.refresh(sessionmaker)
    before = runtime.require()
    assert False is await runtime.refresh(sessionmaker)
    a, b = (114.80, 33.40), (114.82, 33.40)
    await replace_network(
        db,
        RoadNetwork(nodes=[a, b], segments=[Segment(0, 1, (a, b), "county")]),
        DEFAULT_SPEEDS_KMH,
    )
    await db.flush()
    assert True is await runtime.refresh(sessionmaker)
    after = runtime.require()
    assert (before.version + 1, 1) == (after.version, after.segment_count)


async def test_runtimes_with_a_cache_dir_write_then_map_the_engine_files(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """The first runtime builds and writes the network's files; a second one (another server
    process) maps them and answers the same; a new import gets files of its own, and the old
    ones of this database are pruned."""
    import numpy as np

    first = RoadRuntime(10.0, 2000.0, 800.0, cache_root=tmp_path)
    assert True is await first.refresh(sessionmaker)
    written = os.listdir(tmp_path)
    assert 1 == len(written)
    second = RoadRuntime(10.0, 2000.0, 800.0, cache_root=tmp_path)
    assert True is await second.refresh(sessionmaker)
    mapped = second.require()
    assert isinstance(mapped.graph.forward.data, np.memmap)
    assert np.array_equal(first.require().node_times(0), mapped.node_times(0))
    a, b = (114.80, 33.40), (114.82, 33.40)
    await replace_network(
        db,
        RoadNetwork(nodes=[a, b], segments=[Segment(0, 1, (a, b), "county")]),
        DEFAULT_SPEEDS_KMH,
    )
    await db.flush()
    assert True is await second.refresh(sessionmaker)
    assert 1 == second.require().segment_count
    rewritten = os.listdir(tmp_path)
    assert 1 == len(rewritten)
    assert rewritten != written

"""The engine's arrays in memory-mapped files (issue 15: province scale): round trip, stale and
torn files, and two processes reading the same files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from geo import road_cache
from geo.engine import ENGINE_TINY, TravelTimeEngine
from geo.engine_graph import build_graph
from geo.province import province_arrays
from geo.road_arrays import RoadArrays

SIZE, SEED = 24, 7


@pytest.fixture(scope="module")
def arrays() -> RoadArrays:
    return province_arrays(SIZE, SEED, restricted_share=0.05)


def _answers(engine: TravelTimeEngine) -> list[object]:
    """Nearest, node times and a route of a fixed set of points, as plain values."""
    rng = np.random.default_rng(1)
    lon = rng.uniform(engine.arrays.node_lon.min(), engine.arrays.node_lon.max(), 40)
    lat = rng.uniform(engine.arrays.node_lat.min(), engine.arrays.node_lat.max(), 40)
    candidates = [(f"a{i}", float(lon[i]), float(lat[i])) for i in range(30)]
    answers: list[object] = []
    for i in range(30, 40):
        target = engine.snap(float(lon[i]), float(lat[i]))
        answers.append(
            [(r.key, r.minutes, r.meters) for r in engine.nearest(target, candidates, 5)]
        )
        route = engine.route(engine.snap(float(lon[i - 30]), float(lat[i - 30])), target)
        answers.append(None if route is None else (route.minutes, route.meters, route.coords))
    answers.append(engine.node_times(3).tolist())
    answers.append(engine.node_times(5, reverse=True).tolist())
    return answers


def test_the_mapped_engine_answers_exactly_as_the_built_one(
    arrays: RoadArrays, tmp_path: Path
) -> None:
    """Nearest, routes and node times from the mapped files equal the freshly built engine's."""
    built = TravelTimeEngine(arrays)
    road_cache.write(tmp_path, "1-abc", arrays, built.graph)
    mapped = road_cache.read(tmp_path, "1-abc")
    assert mapped is not None
    assert isinstance(mapped[1].forward.data, np.memmap)
    assert _answers(TravelTimeEngine(mapped[0], graph=mapped[1])) == _answers(built)


def test_files_of_another_network_are_not_used(arrays: RoadArrays, tmp_path: Path) -> None:
    """Files are found by their network's key only: another version's, or a directory renamed
    to this key, are refused."""
    road_cache.write(tmp_path, "1-abc", arrays, build_graph(arrays, ENGINE_TINY))
    assert road_cache.read(tmp_path, "2-abc") is None
    road_cache.cache_dir(tmp_path, "1-abc").rename(road_cache.cache_dir(tmp_path, "2-abc"))
    assert road_cache.read(tmp_path, "2-abc") is None


def test_a_torn_file_is_refused_and_written_again(arrays: RoadArrays, tmp_path: Path) -> None:
    """A truncated array file (or a missing manifest) is refused; writing again replaces it."""
    graph = build_graph(arrays, ENGINE_TINY)
    directory = road_cache.write(tmp_path, "1-abc", arrays, graph)
    data = directory / "forward_indices.npy"
    data.write_bytes(data.read_bytes()[:-100])
    assert road_cache.read(tmp_path, "1-abc") is None
    road_cache.write(tmp_path, "1-abc", arrays, graph)
    assert road_cache.read(tmp_path, "1-abc") is not None
    (directory / road_cache.MANIFEST).unlink()
    assert road_cache.read(tmp_path, "1-abc") is None


def test_the_runtime_rebuilds_when_the_files_are_refused(
    arrays: RoadArrays, tmp_path: Path
) -> None:
    """engine_from_files gives None for missing or torn files (the runtime then builds and
    writes them), and an engine once they are whole."""
    from geo.runtime import engine_from_files

    assert engine_from_files(tmp_path, "1-abc", 10.0, 2000.0) is None
    road_cache.write(tmp_path, "1-abc", arrays, build_graph(arrays, ENGINE_TINY))
    engine = engine_from_files(tmp_path, "1-abc", 10.0, 2000.0)
    assert engine is not None
    assert engine.segment_count == len(arrays.seg_source)


READER = """
import json, sys
from pathlib import Path
from geo import road_cache
from geo.engine import TravelTimeEngine
arrays, graph = road_cache.read(Path(sys.argv[1]), sys.argv[2])
engine = TravelTimeEngine(arrays, graph=graph)
print(json.dumps(engine.node_times(3).tolist()))
"""


def test_two_processes_read_the_same_files(arrays: RoadArrays, tmp_path: Path) -> None:
    """Two processes map the same files at once and both answer as the built engine does."""
    built = TravelTimeEngine(arrays)
    road_cache.write(tmp_path, "1-abc", arrays, built.graph)
    command = [sys.executable, "-c", READER, str(tmp_path), "1-abc"]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    expected = built.node_times(3).tolist()
    assert [json.loads(out) for out in outputs] == [expected, expected]


def test_a_database_s_older_networks_are_pruned_others_kept(
    arrays: RoadArrays, tmp_path: Path
) -> None:
    """Writing version 2 of a database removes its version 1; another database's files stay."""
    graph = build_graph(arrays, ENGINE_TINY)
    road_cache.write(tmp_path, "1-aaaa-x1", arrays, graph)
    road_cache.write(tmp_path, "1-bbbb-y1", arrays, graph)
    road_cache.write(tmp_path, "2-aaaa-x2", arrays, graph)
    assert ["network-1-bbbb-y1", "network-2-aaaa-x2"] == sorted(p.name for p in tmp_path.iterdir())

"""Province scale (issue 15): the engine on a generated network of >= 2,000,000 directed edges.

Three figures, each against a baseline measured in the same run:

1. Build: ``TravelTimeEngine(arrays)`` from the generated arrays (median of BUILD_RUNS), with
   its parts timed (turn expansion, CSR matrices, largest SCC, the snapping grid); the baseline
   is the engine's old per-segment loop making one shapely line per segment (the shapely lines
   and STRtree it no longer makes are timed too, for comparison).
2. Nearest 5 of 1,000 ambulances: ``engine.nearest`` (one bounded reversed Dijkstra writing its
   starts into the graph's start slots) against a plain scipy Dijkstra without a limit over a
   copy of the graph with the start row appended (the engine before issue 15's province work).
   Both rank the same snapped points; any different top 5 fails the run.
3. Memory: PSS (``/proc/PID/smaps_rollup``) of 1 and of 4 worker processes that map the engine's
   files (``geo.road_cache``) and answer queries, against 1 worker that builds its own copy.

Goals: build < 60 s, nearest p99 < 10 ms, and 4 mapped workers well under 4 × one own copy.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from bench.common import percentile, write_results
from bench.procstat import memory_kib
from geo import road_cache
from geo.engine import ENGINE_TINY, Snap, TravelTimeEngine
from geo.engine_graph import START_SLOTS, build_graph, main_component_segments, projection_of
from geo.province import province_arrays
from geo.road_arrays import RoadArrays, SegmentCoords
from geo.segment_grid import build_grid
from geo.turns import turn_graph

NAME = "province"
SEED = 15
K = 5
AMBULANCES = 1_000
GOAL_BUILD_S = 60.0
GOAL_P99_MS = 10.0
TOLERANCE_MIN = 1e-9
WORKER_QUERIES = 50


def _plan(quick: bool) -> dict[str, int]:
    if quick:
        return {"size": 60, "incidents": 30, "build_runs": 1, "baseline_queries": 10}
    return {"size": 800, "incidents": 300, "build_runs": 3, "baseline_queries": 30}


def _parts(arrays: RoadArrays) -> dict[str, float]:
    """Seconds of each part of a build, timed one by one (and the shapely objects the engine no
    longer makes, for comparison)."""
    parts: dict[str, float] = {}
    start = time.perf_counter()
    turn_graph(arrays, ENGINE_TINY)
    parts["turn_expansion_s"] = time.perf_counter() - start
    start = time.perf_counter()
    main_component_segments(arrays)
    parts["largest_scc_s"] = time.perf_counter() - start
    flat = SegmentCoords.of(arrays.seg_coords)
    x, y = projection_of(arrays).forward(flat.points[:, 0], flat.points[:, 1])
    start = time.perf_counter()
    build_grid(np.column_stack([x, y]), flat.offsets)
    parts["segment_grid_s"] = time.perf_counter() - start
    start = time.perf_counter()
    build_graph(arrays, ENGINE_TINY)
    parts["graph_total_s"] = time.perf_counter() - start
    engine = TravelTimeEngine(arrays, graph=build_graph(arrays, ENGINE_TINY))
    start = time.perf_counter()
    lines = engine.lines_of(np.arange(engine.segment_count))
    parts["not_made_shapely_lines_vectorised_s"] = time.perf_counter() - start
    start = time.perf_counter()
    shapely.STRtree(lines)
    parts["not_made_strtree_s"] = time.perf_counter() - start
    return parts


def _lines_baseline(engine: TravelTimeEngine) -> float:
    """Seconds of the present per-segment loop (one projected shapely line per segment)."""
    start = time.perf_counter()
    flat = SegmentCoords.of(engine.arrays.seg_coords)
    for j in range(len(flat)):
        coords = flat[j]
        x, y = engine.projection.forward(coords[:, 0], coords[:, 1])
        shapely.linestrings(np.column_stack([x, y]))
    return time.perf_counter() - start


def _random_points(arrays: RoadArrays, count: int, rng: np.random.Generator) -> list[Any]:
    lon = rng.uniform(float(arrays.node_lon.min()), float(arrays.node_lon.max()), count)
    lat = rng.uniform(float(arrays.node_lat.min()), float(arrays.node_lat.max()), count)
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


def _ambulances(arrays: RoadArrays, rng: np.random.Generator) -> list[tuple[str, float, float]]:
    points = _random_points(arrays, AMBULANCES, rng)
    return [(f"a{i}", lon, lat) for i, (lon, lat) in enumerate(points)]


def _plain_nearest(
    engine: TravelTimeEngine, target: Snap, placed: list[tuple[str, Snap]]
) -> list[tuple[str, float]]:
    """The baseline: the reversed graph copied with the start row appended, one scipy Dijkstra
    without a limit, then the same point times."""
    base = engine.graph.reverse
    starts = engine._starts(target, True)
    nodes = np.array([n for n, _ in starts], dtype=np.int32)
    costs = np.maximum(np.array([c for _, c in starts]), ENGINE_TINY)
    body = slice(0, len(base.data) - START_SLOTS)
    indptr = base.indptr.copy()
    indptr[-1] = indptr[-2] + len(nodes)
    graph = csr_matrix(
        (
            np.concatenate([base.data[body], costs]),
            np.concatenate([base.indices[body], nodes]),
            indptr,
        ),
        shape=base.shape,
    )
    times = dijkstra(graph, directed=True, indices=engine.graph.virtual)
    snaps = [s for _, s in placed]
    minutes = engine.at_points(engine._node_view(times), snaps, reverse=True)
    minutes = np.minimum(minutes, [engine._direct_minutes(s, target) for s in snaps])
    order = np.argsort(minutes, kind="stable")[:K]
    return [(placed[i][0], float(minutes[i])) for i in order]


def _nearest(engine: TravelTimeEngine, arrays: RoadArrays, plan: dict[str, int]) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    ambulances = [
        (f"a{i}", lon, lat) for i, (lon, lat) in enumerate(_random_points(arrays, AMBULANCES, rng))
    ]
    incidents = [
        s
        for s in engine.snap_many(
            *zip(*_random_points(arrays, plan["incidents"], rng), strict=True)
        )
        if s
    ]
    snaps = engine.snap_cached([(a[1], a[2]) for a in ambulances])
    placed = [(a[0], s) for a, s in zip(ambulances, snaps, strict=True) if s is not None]
    engine.nearest(incidents[0], ambulances, K)  # warm-up
    engine_ms, baseline_ms, mismatches = [], [], 0
    cpu_ms = []
    for i, target in enumerate(incidents):
        start, cpu = time.perf_counter(), time.thread_time()
        ranked = engine.nearest(target, ambulances, K)
        engine_ms.append((time.perf_counter() - start) * 1e3)
        cpu_ms.append((time.thread_time() - cpu) * 1e3)
        if i < plan["baseline_queries"]:
            start = time.perf_counter()
            plain = _plain_nearest(engine, target, placed)
            baseline_ms.append((time.perf_counter() - start) * 1e3)
            got = [(r.key, r.minutes) for r in ranked]
            if [k for k, _ in got] != [k for k, _ in plain] or any(
                abs(a[1] - b[1]) > TOLERANCE_MIN for a, b in zip(got, plain, strict=True)
            ):
                mismatches += 1
    return {
        "incidents": len(incidents),
        "ambulances": len(placed),
        "engine_p50_ms": percentile(engine_ms, 50),
        "engine_p99_ms": percentile(engine_ms, 99),
        "engine_cpu_p50_ms": percentile(cpu_ms, 50),
        "engine_cpu_p99_ms": percentile(cpu_ms, 99),
        "baseline_p50_ms": percentile(baseline_ms, 50),
        "baseline_p99_ms": percentile(baseline_ms, 99),
        "ratio_p50": percentile(baseline_ms, 50) / percentile(engine_ms, 50),
        "compared": len(baseline_ms),
        "mismatches": mismatches,
    }


def _workers(root: Path, key: str, count: int, mapped: bool) -> dict[str, Any]:
    """PSS and RSS of ``count`` worker processes, all alive, each having answered queries."""
    command = [sys.executable, "-m", "bench.province", "--worker", str(root), key]
    if not mapped:
        command.append("--build")
    procs = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(count)
    ]
    try:
        for proc in procs:
            if proc.stdout is None or proc.stdout.readline().strip() != "ready":
                raise RuntimeError("a worker failed")
        memory = [memory_kib(proc.pid) for proc in procs]
    finally:
        for proc in procs:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=60)
            if proc.stdout is not None:
                proc.stdout.close()
    return {
        "workers": count,
        "mapped": mapped,
        "pss_total_mib": sum(m["pss_kib"] for m in memory) / 1024,
        "rss_total_mib": sum(m["rss_kib"] for m in memory) / 1024,
    }


def _worker(root: str, key: str, build: bool) -> None:
    """One server-like process: load (map, or build) the engine, answer queries, report ready,
    and wait for the parent to close stdin."""
    mapped = road_cache.read(Path(root), key)
    if mapped is None:
        raise SystemExit("no engine files")
    arrays, graph = mapped
    if build:  # its own copy, as every process had before the files
        arrays = _own_copy(arrays)
        graph = build_graph(arrays, ENGINE_TINY)
    engine = TravelTimeEngine(arrays, graph=graph)
    rng = np.random.default_rng(SEED)
    ambulances = [
        (f"a{i}", lon, lat) for i, (lon, lat) in enumerate(_random_points(arrays, AMBULANCES, rng))
    ]
    for lon, lat in _random_points(arrays, WORKER_QUERIES, rng):
        found = engine.snap_many([lon], [lat])[0]
        if found is not None:
            engine.nearest(found, ambulances, K)
    print("ready", flush=True)
    sys.stdin.read()


def _own_copy(arrays: RoadArrays) -> RoadArrays:
    import dataclasses

    copied = {
        f.name: np.array(getattr(arrays, f.name))
        for f in dataclasses.fields(arrays)
        if isinstance(getattr(arrays, f.name), np.ndarray)
    }
    coords = SegmentCoords.of(arrays.seg_coords)
    return dataclasses.replace(
        arrays,
        **copied,
        seg_coords=SegmentCoords(np.array(coords.points), np.array(coords.offsets)),
    )


def main(quick: bool = False) -> dict[str, Any]:
    plan = _plan(quick)
    load = os.getloadavg()
    start = time.perf_counter()
    arrays = province_arrays(plan["size"], SEED)
    generate_s = time.perf_counter() - start
    directed = int(len(arrays.seg_source) + np.count_nonzero(~arrays.seg_oneway))
    builds = []
    for _ in range(plan["build_runs"]):
        start = time.perf_counter()
        engine = TravelTimeEngine(arrays)
        builds.append(time.perf_counter() - start)
    build = {
        "engine_build_s": statistics.median(builds),
        "runs": builds,
        "parts": _parts(arrays),
        "baseline_per_segment_lines_s": _lines_baseline(engine),
    }
    nearest = _nearest(engine, arrays, plan)
    root = Path(tempfile.mkdtemp(prefix="infofirst-province-"))
    try:
        key = f"bench-{plan['size']}-{SEED}"
        start = time.perf_counter()
        road_cache.write(root, key, arrays, engine.graph)
        write_s = time.perf_counter() - start
        start = time.perf_counter()
        mapped = road_cache.read(root, key)
        if mapped is None:
            raise RuntimeError("the files just written were refused")
        TravelTimeEngine(mapped[0], graph=mapped[1])
        mapped_load_s = time.perf_counter() - start
        del engine, mapped
        memory = {
            "files_mib": sum(p.stat().st_size for p in road_cache.cache_dir(root, key).iterdir())
            / 2**20,
            "write_s": write_s,
            "mapped_engine_load_s": mapped_load_s,
            "own_copy_1": _workers(root, key, 1, mapped=False),
            "mapped_1": _workers(root, key, 1, mapped=True),
            "mapped_4": _workers(root, key, 4, mapped=True),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    one, four = memory["mapped_1"]["pss_total_mib"], memory["mapped_4"]["pss_total_mib"]
    memory["mapped_4_over_1"] = four / one
    memory["own_copy_4_estimate_mib"] = 4 * memory["own_copy_1"]["pss_total_mib"]
    data = {
        "network": {
            "size": plan["size"],
            "seed": SEED,
            "nodes": len(arrays.node_lon),
            "segments": len(arrays.seg_source),
            "directed_edges": directed,
            "turn_restrictions": len(arrays.turn_via),
            "generate_s": generate_s,
        },
        "build": build,
        "nearest": nearest,
        "memory": memory,
        "goals": {
            "build_under_60_s": build["engine_build_s"] < GOAL_BUILD_S,
            "nearest_p99_under_10_ms": nearest["engine_p99_ms"] < GOAL_P99_MS,
            "same_answers": nearest["mismatches"] == 0,
        },
        "load_average_at_start": load,
        "load_average_at_end": os.getloadavg(),
    }
    path = write_results(f"{NAME}-quick" if quick else NAME, data)
    print(json.dumps(data, indent=2))
    if nearest["mismatches"]:
        raise SystemExit(f"{nearest['mismatches']} different top-5 answers")
    return {**data, "results_file": path}


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], sys.argv[3], "--build" in sys.argv[4:])
    else:
        main(quick="--quick" in sys.argv)

"""Nearest 5 ambulances out of 300 by road: the engine in-process against pgRouting (issue 3).

The province network is written to the bench database with ``replace_network`` and read back
with ``load_network_arrays``, so the engine and pgRouting search the same stored graph. Every
incident and ambulance sits exactly on a node that no one-way segment touches, so snapping adds
nothing and both sides answer the same question. pgRouting's best form is one
``pgr_dijkstraCost`` from the incident on the reversed graph to the array of ambulance nodes,
the 5 smallest costs taken in the same query. Ties are broken by ambulance id on both sides
(ids follow node ids). Any different answer fails the run, after the JSON is written.

Goal (issue 3): engine p99 under 20 ms, and at least 20 times faster than pgRouting (ratio of
medians on the same incidents).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.common import (
    bench_database_url,
    directed_edge_count,
    median,
    percentile,
    province_network,
    write_results,
)
from dispatch import migrate
from dispatch.settings import Settings
from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork
from geo.road_store import load_network_arrays, replace_network
from geo.runtime import engine_from_store

NAME = "nearest"
SEED = 3
K = 5
TOLERANCE_MIN = 0.01
GOAL_P99_MS = 20.0
GOAL_RATIO = 20.0
WARMUP = 2  # untimed queries on each side before the first round
PGR_NEAREST = (
    "SELECT end_vid, agg_cost FROM pgr_dijkstraCost("
    "'SELECT id, target AS source, source AS target, cost, reverse_cost FROM road_edges',"
    " $1::bigint, $2::bigint[], directed => true)"
    " ORDER BY agg_cost, end_vid LIMIT $3"
)


@dataclass(frozen=True)
class Plan:
    """How big a run is."""

    size: int
    ambulances: int
    rounds: int
    engine_queries: int
    pgr_queries: int


FULL = Plan(size=250, ambulances=300, rounds=3, engine_queries=200, pgr_queries=30)
QUICK = Plan(size=60, ambulances=30, rounds=1, engine_queries=10, pgr_queries=5)
Answer = list[tuple[str, float]]


def ambulance_key(node: int) -> str:
    """An ambulance's id, ordered like its node's index (so ties break the same on both sides)."""
    return f"amb-{node + 1:07d}"


def plain_nodes(network: RoadNetwork) -> list[int]:
    """Nodes that no one-way segment touches (a point there snaps exactly onto the node)."""
    touched = {n for s in network.segments if s.oneway for n in (s.source, s.target)}
    return [i for i in range(len(network.nodes)) if i not in touched]


async def store_and_load(
    url: str, network: RoadNetwork
) -> tuple[TravelTimeEngine, dict[str, float]]:
    """Write the network (committed), read it back and build the engine; with the times taken."""
    database = create_async_engine(url)
    sessions = async_sessionmaker(database, expire_on_commit=False)
    try:
        started = time.perf_counter()
        async with sessions() as db, db.begin():
            await replace_network(db, network, DEFAULT_SPEEDS_KMH)
        written = time.perf_counter()
        async with sessions() as db:
            arrays = await load_network_arrays(db)
        loaded = time.perf_counter()
    finally:
        await database.dispose()
    defaults = Settings.model_fields
    engine = engine_from_store(
        arrays,
        float(defaults["access_speed_kmh"].default),
        float(defaults["max_snap_m"].default),
    )
    built = time.perf_counter()
    return engine, {
        "write_s": round(written - started, 3),
        "load_s": round(loaded - written, 3),
        "engine_build_s": round(built - loaded, 3),
    }


def engine_nearest(
    engine: TravelTimeEngine, candidates: list[tuple[str, float, float]], lon: float, lat: float
) -> tuple[Answer, float]:
    """The engine's answer (snap of the incident included) and its time in ms."""
    started = time.perf_counter()
    ranked = engine.nearest(engine.snap(lon, lat), candidates, k=K)
    elapsed = (time.perf_counter() - started) * 1000.0
    return [(r.key, r.minutes) for r in ranked], elapsed


async def pgr_nearest(
    connection: Any, incident: int, ambulance_ids: list[int]
) -> tuple[Answer, float]:
    """pgRouting's answer (one query, reversed graph) and its round-trip time in ms."""
    started = time.perf_counter()
    rows = await connection.fetch(PGR_NEAREST, incident + 1, ambulance_ids, K)
    elapsed = (time.perf_counter() - started) * 1000.0
    return [(ambulance_key(int(r["end_vid"]) - 1), float(r["agg_cost"])) for r in rows], elapsed


def differs(ours: Answer, theirs: Answer) -> bool:
    """True unless the same ambulances come in the same order with times within tolerance."""
    if [key for key, _ in ours] != [key for key, _ in theirs]:
        return True
    return any(abs(a - b) > TOLERANCE_MIN for (_, a), (_, b) in zip(ours, theirs, strict=True))


async def measure(
    url: str, engine: TravelTimeEngine, network: RoadNetwork, plan: Plan
) -> dict[str, Any]:
    """The timed rounds, each on fresh random incidents; answers compared where both ran."""
    rng = random.Random(SEED)
    nodes = plain_nodes(network)
    fleet = sorted(rng.sample(nodes, plan.ambulances))
    candidates = [(ambulance_key(n), *network.nodes[n]) for n in fleet]
    ambulance_ids = [n + 1 for n in fleet]
    free = sorted(set(nodes) - set(fleet))
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    rounds: list[dict[str, Any]] = []
    mismatches: list[dict[str, Any]] = []
    compared = 0
    try:
        for incident in rng.sample(free, WARMUP):
            engine_nearest(engine, candidates, *network.nodes[incident])
            await pgr_nearest(connection, incident, ambulance_ids)
        for number in range(plan.rounds):
            incidents = rng.sample(free, plan.engine_queries)
            answers, engine_ms = [], []
            for incident in incidents:
                answer, elapsed = engine_nearest(engine, candidates, *network.nodes[incident])
                answers.append(answer)
                engine_ms.append(elapsed)
            pgr_ms = []
            for i, incident in enumerate(incidents[: plan.pgr_queries]):
                theirs, elapsed = await pgr_nearest(connection, incident, ambulance_ids)
                pgr_ms.append(elapsed)
                compared += 1
                if differs(answers[i], theirs):
                    mismatches.append(
                        {"round": number, "incident_node": incident + 1, "engine": answers[i],
                         "pgrouting": theirs}
                    )  # fmt: skip
            same = engine_ms[: plan.pgr_queries]
            rounds.append(
                {
                    "engine_queries": len(engine_ms),
                    "pgrouting_queries": len(pgr_ms),
                    "engine_p50_ms": percentile(engine_ms, 50),
                    "engine_p99_ms": percentile(engine_ms, 99),
                    "engine_max_ms": max(engine_ms),
                    "engine_p50_same_incidents_ms": percentile(same, 50),
                    "pgrouting_p50_ms": percentile(pgr_ms, 50),
                    "pgrouting_p99_ms": percentile(pgr_ms, 99),
                    "ratio_of_medians": percentile(pgr_ms, 50) / percentile(same, 50),
                    "mean_nearest_minutes": statistics.fmean(a[0][1] for a in answers if a),
                    "mean_fifth_minutes": statistics.fmean(a[-1][1] for a in answers if a),
                }
            )
    finally:
        await connection.close()
    return {"rounds": rounds, "compared": compared, "mismatches": mismatches}


def main(quick: bool = False) -> dict[str, Any]:
    """Run the benchmark, write bench/results/nearest.json (quick: nearest-quick.json)."""
    plan = QUICK if quick else FULL
    url = bench_database_url()
    started = time.perf_counter()
    network = province_network(plan.size, SEED)
    generated = time.perf_counter()
    migrate.upgrade(url)  # runs its own event loop: before ours
    migrated = time.perf_counter()
    engine, timings = asyncio.run(store_and_load(url, network))
    result = asyncio.run(measure(url, engine, network, plan))
    rounds = result["rounds"]

    def over_rounds(key: str) -> float:
        return round(median([r[key] for r in rounds]), 3)

    figures = {
        key: over_rounds(key)
        for key in (
            "engine_p50_ms",
            "engine_p99_ms",
            "engine_p50_same_incidents_ms",
            "pgrouting_p50_ms",
            "pgrouting_p99_ms",
            "ratio_of_medians",
        )
    }
    mismatches = result["mismatches"]
    data: dict[str, Any] = {
        "quick": quick,
        "question": f"nearest {K} of {plan.ambulances} ambulances by road to a random incident",
        "graph": {
            "source": network.source,
            "synthetic": network.synthetic,
            "grid_size": plan.size,
            "seed": SEED,
            "nodes": engine.node_count,
            "segments": engine.segment_count,
            "directed_edges": directed_edge_count(network),
            "oneway_segments": sum(s.oneway for s in network.segments),
        },
        "setup_s": {
            "generate": round(generated - started, 3),
            "migrate": round(migrated - generated, 3),
            **timings,
        },
        "method": {
            "engine": "TravelTimeEngine.nearest(snap(incident), 300 candidates, k=5), default"
            " limit (30 min, doubled while fewer than k are within it), in-process perf_counter",
            "pgrouting": "one pgr_dijkstraCost from the incident on the reversed graph to the"
            " array of ambulance nodes, ORDER BY agg_cost, end_vid LIMIT 5; asyncpg round trip",
            "rounds": plan.rounds,
            "engine_queries_per_round": plan.engine_queries,
            "pgrouting_queries_per_round": plan.pgr_queries,
            "warmup_queries": WARMUP,
            "figures": "median over rounds of each round's figure; ratio = pgRouting p50 /"
            " engine p50 on the same incidents",
        },
        "figures": figures,
        "per_round": rounds,
        "answers": {
            "compared": result["compared"],
            "mismatches": len(mismatches),
            "tolerance_min": TOLERANCE_MIN,
            "examples": mismatches[:5],
        },
        "goals": {
            "engine_p99_under_ms": GOAL_P99_MS,
            "engine_p99_met": figures["engine_p99_ms"] < GOAL_P99_MS,
            "ratio_at_least": GOAL_RATIO,
            "ratio_met": figures["ratio_of_medians"] >= GOAL_RATIO,
            "identical_answers": not mismatches,
        },
    }
    path = write_results(f"{NAME}-quick" if quick else NAME, data)
    data["results_file"] = str(path)
    print(
        f"nearest: engine p50 {figures['engine_p50_ms']:.2f} ms, p99"
        f" {figures['engine_p99_ms']:.2f} ms; pgRouting p50 {figures['pgrouting_p50_ms']:.1f} ms,"
        f" p99 {figures['pgrouting_p99_ms']:.1f} ms; ratio {figures['ratio_of_medians']:.0f}x;"
        f" {len(mismatches)} of {result['compared']} answers differ"
    )
    if mismatches:
        raise RuntimeError(
            f"{len(mismatches)} of {result['compared']} answers differ from pgRouting: see {path}"
        )
    return data

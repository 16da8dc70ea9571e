"""Drive-time areas for one facility at 30/60/120 minutes: ours against buffer-and-union.

Ours is ``geo.coverage.drive_time_areas`` (reachable roads drawn on a 250 m grid, dilated by the
margin and traced with contourpy). The baseline, measured in the same run on the same reachable
road pieces, is the straightforward way: buffer every piece by the margin and ``unary_union``
them with shapely. Both include the search and the return to lon/lat. The areas are compared
(intersection over union) so a fast wrong answer would show.

Goal (issue 3): coverage areas for one facility at 30/60/120 minutes under 1 s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bench.common import (
    CENTRE_LAT,
    CENTRE_LON,
    directed_edge_count,
    median,
    province_network,
    write_results,
)
from dispatch.settings import Settings
from geo.coverage import drive_time_areas, reachable_lines
from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH
from geo.road_arrays import FloatArray, RoadArrays

NAME = "coverage"
SEED = 3  # the same province network as the nearest benchmark
FULL_SIZE, QUICK_SIZE = 250, 60
FULL_RUNS, QUICK_RUNS = 5, 1
THRESHOLDS = (30.0, 60.0, 120.0)
GOAL_S = 1.0
MIN_IOU = 0.9  # ours is a 250 m raster of the same reach: it must cover nearly the same ground


def baseline_areas(
    engine: TravelTimeEngine,
    origins: Sequence[tuple[float, float]],
    thresholds: Sequence[float],
    margin_m: float,
) -> list[tuple[float, BaseGeometry]]:
    """The same reachable roads, each piece buffered by the margin and all unioned (lon/lat)."""
    snaps = [s for s in engine.snap_many([o[0] for o in origins], [o[1] for o in origins]) if s]
    times = engine.times_from(snaps, reverse=True, limit=max(thresholds))

    def to_lon_lat(xy: FloatArray) -> FloatArray:
        return np.column_stack(engine.projection.inverse(xy[:, 0], xy[:, 1]))

    areas = []
    for minutes in thresholds:
        pieces = np.array(reachable_lines(engine, times, minutes), dtype=object)
        union = shapely.unary_union(shapely.buffer(pieces, margin_m))
        areas.append((minutes, shapely.transform(union, to_lon_lat)))
    return areas


def projected(engine: TravelTimeEngine, geometry: BaseGeometry) -> BaseGeometry:
    """A lon/lat geometry in the engine's local metres."""

    def forward(xy: FloatArray) -> FloatArray:
        return np.column_stack(engine.projection.forward(xy[:, 0], xy[:, 1]))

    return shapely.make_valid(shapely.transform(geometry, forward))


def agreement(
    engine: TravelTimeEngine,
    ours: list[tuple[float, Any]],
    theirs: list[tuple[float, BaseGeometry]],
) -> list[dict[str, float]]:
    """Per threshold: both areas in km² and their intersection over union."""
    rows = []
    for (minutes, a), (_, b) in zip(ours, theirs, strict=True):
        pa, pb = projected(engine, a), projected(engine, b)
        union = shapely.area(shapely.union(pa, pb))
        rows.append(
            {
                "minutes": minutes,
                "ours_km2": round(float(shapely.area(pa)) / 1e6, 1),
                "baseline_km2": round(float(shapely.area(pb)) / 1e6, 1),
                "iou": round(float(shapely.area(shapely.intersection(pa, pb)) / union), 4),
            }
        )
    return rows


def main(quick: bool = False) -> dict[str, Any]:
    """Run the benchmark, write bench/results/coverage.json (quick: coverage-quick.json)."""
    size, runs = (QUICK_SIZE, QUICK_RUNS) if quick else (FULL_SIZE, FULL_RUNS)
    started = time.perf_counter()
    network = province_network(size, SEED)
    generated = time.perf_counter()
    defaults = Settings.model_fields
    margin_m = float(defaults["coverage_margin_m"].default)
    engine = TravelTimeEngine(
        RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH),
        access_speed_kmh=float(defaults["access_speed_kmh"].default),
        max_snap_m=float(defaults["max_snap_m"].default),
    )
    built = time.perf_counter()
    centre = int(
        np.argmin(
            np.hypot(engine.arrays.node_lon - CENTRE_LON, engine.arrays.node_lat - CENTRE_LAT)
        )
    )
    origin = (float(engine.arrays.node_lon[centre]), float(engine.arrays.node_lat[centre]))
    ours_s, baseline_s = [], []
    ours: list[tuple[float, Any]] = []
    theirs: list[tuple[float, BaseGeometry]] = []
    for _ in range(runs):  # interleaved, so a busy moment hits both alike
        t0 = time.perf_counter()
        ours = list(drive_time_areas(engine, [origin], THRESHOLDS, margin_m))
        t1 = time.perf_counter()
        theirs = baseline_areas(engine, [origin], THRESHOLDS, margin_m)
        t2 = time.perf_counter()
        ours_s.append(t1 - t0)
        baseline_s.append(t2 - t1)
    compared = agreement(engine, ours, theirs)
    figures = {
        "ours_median_s": round(median(ours_s), 4),
        "baseline_median_s": round(median(baseline_s), 4),
        "ratio_of_medians": round(median(baseline_s) / median(ours_s), 2),
    }
    data: dict[str, Any] = {
        "quick": quick,
        "question": "drive-time areas around one facility at 30, 60 and 120 minutes",
        "graph": {
            "source": network.source,
            "synthetic": network.synthetic,
            "grid_size": size,
            "seed": SEED,
            "nodes": engine.node_count,
            "segments": engine.segment_count,
            "directed_edges": directed_edge_count(network),
        },
        "facility": {"node_index": centre, "lon": origin[0], "lat": origin[1]},
        "setup_s": {
            "generate": round(generated - started, 3),
            "engine_build": round(built - generated, 3),
        },
        "method": {
            "ours": "geo.coverage.drive_time_areas (search, 250 m raster, dilation, contourpy)",
            "baseline": "same search and reachable_lines, shapely.unary_union(buffer(pieces,"
            " margin)), back to lon/lat",
            "margin_m": margin_m,
            "thresholds_min": list(THRESHOLDS),
            "runs": runs,
            "figures": "median over runs; ratio = baseline / ours",
        },
        "figures": figures,
        "runs_s": {"ours": ours_s, "baseline": baseline_s},
        "areas": compared,
        "goals": {
            "under_s": GOAL_S,
            "met": figures["ours_median_s"] < GOAL_S,
            "min_iou": MIN_IOU,
            "areas_agree": all(row["iou"] >= MIN_IOU for row in compared),
        },
    }
    path = write_results(f"{NAME}-quick" if quick else NAME, data)
    data["results_file"] = str(path)
    print(
        f"coverage: ours {figures['ours_median_s']:.3f} s, baseline (buffer + unary_union)"
        f" {figures['baseline_median_s']:.3f} s, ratio {figures['ratio_of_medians']:.1f}x;"
        " IoU " + ", ".join(f"{row['minutes']:g} min {row['iou']:.3f}" for row in compared)
    )
    if not data["goals"]["areas_agree"]:
        raise RuntimeError(f"the drive-time areas differ from the baseline's: see {path}")
    return data

"""Coverage and siting analysis for a county health bureau. Pure: engine and points in, tables out.

For every village: the road time from the nearest ambulance station (the ambulance drives to the
village), and to the nearest chest-pain treatment unit and PCI centre (the patient is driven
there); one multi-source search each. Then the share of villages and of population within each
threshold, and where k new ambulance stations would most increase the population reached within
15 minutes (a maximal covering location problem, spopt MCLP, solved with CBC through PuLP).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pulp
from spopt.locate import MCLP

from geo.engine import Snap, TravelTimeEngine
from geo.road_arrays import FloatArray

THRESHOLDS = (15.0, 30.0, 60.0, 120.0)
UNREACHABLE = 1e6  # minutes standing for "not within any search limit" in a cost matrix


@dataclass(frozen=True)
class Site:
    """A named point: a village, a facility, a candidate station site."""

    key: str
    lon: float
    lat: float
    population: int = 0


@dataclass(frozen=True)
class Share:
    minutes: float
    villages: float  # share of villages, 0..1
    population: float  # share of population, 0..1


@dataclass(frozen=True)
class Siting:
    radius: float  # minutes
    chosen: list[Site]
    covered_before: float  # share of population within the radius of an existing station
    covered_after: float


def _snaps(engine: TravelTimeEngine, sites: Sequence[Site]) -> list[Snap | None]:
    return engine.snap_many([s.lon for s in sites], [s.lat for s in sites])


def times_from_nearest(
    engine: TravelTimeEngine, origins: Sequence[Site], villages: Sequence[Site]
) -> FloatArray:
    """Minutes from the nearest origin to each village (inf where none reaches or off the map)."""
    return _multi_source(engine, origins, villages, reverse=False)


def times_to_nearest(
    engine: TravelTimeEngine, destinations: Sequence[Site], villages: Sequence[Site]
) -> FloatArray:
    """Minutes from each village to its nearest destination."""
    return _multi_source(engine, destinations, villages, reverse=True)


def _multi_source(
    engine: TravelTimeEngine, sources: Sequence[Site], villages: Sequence[Site], reverse: bool
) -> FloatArray:
    source_snaps = [s for s in _snaps(engine, sources) if s is not None]
    village_snaps = _snaps(engine, villages)
    result = np.full(len(villages), np.inf)
    if not source_snaps:
        return result
    times = engine.times_from(source_snaps, reverse=reverse)
    placed = [i for i, s in enumerate(village_snaps) if s is not None]
    snaps = [s for s in village_snaps if s is not None]
    result[placed] = engine.at_points(times, snaps, reverse=reverse)
    return result


def shares(
    minutes: FloatArray, populations: Sequence[int], thresholds: Sequence[float] = THRESHOLDS
) -> list[Share]:
    """The share of villages and of population within each threshold."""
    weights = np.asarray(populations, dtype=np.float64)
    total = max(float(weights.sum()), 1.0)
    count = max(len(minutes), 1)
    return [
        Share(
            minutes=m,
            villages=float(np.count_nonzero(minutes <= m)) / count,
            population=float(weights[minutes <= m].sum()) / total,
        )
        for m in thresholds
    ]


def cost_matrix(
    engine: TravelTimeEngine, sites: Sequence[Site], villages: Sequence[Site], limit: float
) -> FloatArray:
    """Minutes from each site (columns) to each village (rows), searched up to ``limit``."""
    village_snaps = _snaps(engine, villages)
    placed = [i for i, s in enumerate(village_snaps) if s is not None]
    snaps = [s for s in village_snaps if s is not None]
    matrix = np.full((len(villages), len(sites)), UNREACHABLE)
    for j, snap in enumerate(_snaps(engine, sites)):
        if snap is None:
            continue
        times = engine.times_from([snap], limit=limit)
        column = engine.at_points(times, snaps, reverse=False)
        matrix[placed, j] = np.where(np.isfinite(column), column, UNREACHABLE)
    return matrix


def site_stations(
    engine: TravelTimeEngine,
    villages: Sequence[Site],
    existing: Sequence[Site],
    candidates: Sequence[Site],
    k: int,
    radius: float = 15.0,
) -> Siting:
    """Where k new stations most increase the population within ``radius`` minutes (MCLP)."""
    sites = [*existing, *candidates]
    matrix = cost_matrix(engine, sites, villages, limit=radius)
    weights = np.array([v.population for v in villages], dtype=np.float64)
    total = max(float(weights.sum()), 1.0)
    covered = (matrix[:, : len(existing)] <= radius).any(axis=1)
    before = float(weights[covered].sum()) / total
    if k <= 0 or not candidates:
        return Siting(radius, [], before, before)
    predefined = np.array([1] * len(existing) + [0] * len(candidates))
    model = MCLP.from_cost_matrix(
        matrix,
        weights,
        service_radius=radius,
        p_facilities=len(existing) + k,
        predefined_facilities_arr=predefined,
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    opened = [j for j, variable in enumerate(model.fac_vars) if (variable.value() or 0) > 0.5]
    chosen = [sites[j] for j in opened if j >= len(existing)]
    after = float(weights[(matrix[:, opened] <= radius).any(axis=1)].sum()) / total
    return Siting(radius, chosen, before, after)

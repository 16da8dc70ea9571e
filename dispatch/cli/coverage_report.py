"""``infofirst analyze coverage``: the county's road access to care, and where new stations help.

Reads the stored network, villages and facilities; runs the pure analysis of ``geo.analysis``;
writes a table (printed), a CSV of every village's times, a JSON summary and a map PNG.
"""

from __future__ import annotations

import asyncio
import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from geo import analysis, road_store
from geo.analysis import Share, Site, Siting
from geo.analysis_map import draw_coverage_map
from geo.engine import TravelTimeEngine
from geo.exceptions import NoRoadNetwork
from geo.models import Place
from geo.points import lon_lat
from geo.road_arrays import FloatArray
from geo.runtime import engine_from_store
from units.models import Facility
from units.vocabulary import Capability, FacilityKind

# A township chest-pain unit: it records a 12-lead ECG and transmits it.
CHEST_PAIN_UNIT = frozenset({Capability.ecg12, Capability.ecg_transmit})


@dataclass(frozen=True)
class Inputs:
    villages: list[Site]
    townships: list[Site]
    stations: list[Site]
    chest_pain_units: list[Site]
    pci_centres: list[Site]


@dataclass(frozen=True)
class CoverageReport:
    villages: list[Site]
    from_station: FloatArray
    to_chest_pain_unit: FloatArray
    to_pci: FloatArray
    shares: dict[str, list[Share]]
    siting: Siting
    stations: list[Site]


def _site(key: str, geometry: object, population: int | None = 0) -> Site | None:
    point = lon_lat(geometry)  # type: ignore[arg-type]
    return None if point is None else Site(key, point[0], point[1], population or 0)


async def read_inputs(db: AsyncSession) -> Inputs:
    """Villages, townships and the facilities that matter, from the database."""
    places = (await db.scalars(select(Place).order_by(Place.id))).all()
    facilities = (await db.scalars(select(Facility).order_by(Facility.id))).all()

    def sites(rows: list[tuple[str, object, int | None]]) -> list[Site]:
        return [s for s in (_site(*row) for row in rows) if s is not None]

    return Inputs(
        villages=sites(
            [
                (p.name_zh + f" ({p.id})", p.location, p.population)
                for p in places
                if p.kind == "village"
            ]
        ),
        townships=sites(
            [(p.name_zh, p.location, p.population) for p in places if p.kind == "township"]
        ),
        stations=sites(
            [(f.id, f.location, 0) for f in facilities if f.kind == FacilityKind.ambulance_station]
        ),
        chest_pain_units=sites(
            [
                (f.id, f.location, 0)
                for f in facilities
                if f.kind == FacilityKind.township_unit and set(f.capabilities) >= CHEST_PAIN_UNIT
            ]
        ),
        pci_centres=sites(
            [(f.id, f.location, 0) for f in facilities if Capability.pci in f.capabilities]
        ),
    )


async def load_engine(
    db: AsyncSession, access_speed_kmh: float, max_snap_m: float
) -> TravelTimeEngine:
    """The travel-time engine over the stored network."""
    arrays = await road_store.load_network_arrays(db)
    if len(arrays.seg_ids) == 0:
        raise NoRoadNetwork("no road network is loaded: run `infofirst import roads FILE` first")
    return await asyncio.to_thread(engine_from_store, arrays, access_speed_kmh, max_snap_m)


def analyse(engine: TravelTimeEngine, inputs: Inputs, k: int, radius: float) -> CoverageReport:
    """Village access times, shares within the thresholds, and the MCLP siting of k stations."""
    villages = inputs.villages
    from_station = analysis.times_from_nearest(engine, inputs.stations, villages)
    to_cpu = analysis.times_to_nearest(engine, inputs.chest_pain_units, villages)
    to_pci = analysis.times_to_nearest(engine, inputs.pci_centres, villages)
    populations = [v.population for v in villages]
    station_keys = {(round(s.lon, 4), round(s.lat, 4)) for s in inputs.stations}
    candidates = [
        s
        for s in [*inputs.townships, *villages]
        if (round(s.lon, 4), round(s.lat, 4)) not in station_keys
    ]
    siting = analysis.site_stations(engine, villages, inputs.stations, candidates, k, radius)
    return CoverageReport(
        villages=villages,
        from_station=from_station,
        to_chest_pain_unit=to_cpu,
        to_pci=to_pci,
        shares={
            "ambulance_station": analysis.shares(from_station, populations),
            "chest_pain_unit": analysis.shares(to_cpu, populations),
            "pci_centre": analysis.shares(to_pci, populations),
        },
        siting=siting,
        stations=inputs.stations,
    )


def _minutes(value: float) -> float | None:
    return round(float(value), 2) if np.isfinite(value) else None


def write_outputs(
    report: CoverageReport, engine: TravelTimeEngine, out: Path, title: str
) -> list[Path]:
    """The CSV of villages, the JSON summary and the map PNG; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    table = out / "village_access.csv"
    with table.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "village",
                "population",
                "lon",
                "lat",
                "min_from_station",
                "min_to_chest_pain_unit",
                "min_to_pci",
            ]
        )
        for i, v in enumerate(report.villages):
            writer.writerow(
                [
                    v.key,
                    v.population,
                    v.lon,
                    v.lat,
                    _minutes(report.from_station[i]),
                    _minutes(report.to_chest_pain_unit[i]),
                    _minutes(report.to_pci[i]),
                ]
            )
    summary = out / "coverage_summary.json"
    summary.write_text(
        json.dumps(
            {
                "shares": {k: [asdict(s) for s in v] for k, v in report.shares.items()},
                "siting": {
                    "radius_minutes": report.siting.radius,
                    "chosen": [asdict(s) for s in report.siting.chosen],
                    "population_covered_before": report.siting.covered_before,
                    "population_covered_after": report.siting.covered_after,
                },
                "villages": len(report.villages),
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    picture = out / "coverage_map.png"
    draw_coverage_map(
        picture,
        engine,
        report.villages,
        report.to_pci,
        report.stations,
        report.siting.chosen,
        title,
    )
    return [table, summary, picture]

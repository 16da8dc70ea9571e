"""Shared by the facility import tests: points in the demo county, files written in each format,
the rows stored.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import Point
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.settings import Settings
from geo.exceptions import ImportRejected
from geo.imports import read_points
from units.importing import import_facilities

CSV_COLUMNS = ("id", "kind", "name_zh", "name_en", "capabilities", "status", "address", "phone")
# Points inside the demo county (Xiangcheng, Henan).
A = (114.85, 33.45)
B = (114.90, 33.50)
C = (114.76, 33.56)
PARIS = (2.35, 48.85)
ATTRIBUTES = (
    "kind",
    "name_zh",
    "name_en",
    "capabilities",
    "status",
    "address",
    "phone",
    "synthetic",
)


def write_csv(path: Path, rows: list[dict[str, Any]], crs_column: bool = False) -> Path:
    """A UTF-8 CSV with the facility columns, lon, lat and optionally crs."""
    columns = [*CSV_COLUMNS, "lon", "lat", *(["crs"] if crs_column else [])]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def csv_row(ident: str, lon: object, lat: object, **values: Any) -> dict[str, Any]:
    """A good CSV row for a township unit, with any value replaced."""
    row: dict[str, Any] = {
        "id": ident,
        "kind": "township_unit",
        "name_zh": f"测试卫生院{ident}",
        "name_en": f"Test Health Centre {ident}",
        "capabilities": "ecg12,ecg_transmit",
        "status": "ready",
        "address": "河南省周口市项城市测试路1号",
        "phone": "0394-555-9001",
        "lon": lon,
        "lat": lat,
    }
    row.update(values)
    return row


def write_geojson(path: Path, features: list[tuple[dict[str, Any] | None, dict[str, Any]]]) -> Path:
    """A GeoJSON FeatureCollection of (geometry, properties) pairs."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": geometry, "properties": properties}
            for geometry, properties in features
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def point(lon: float, lat: float) -> dict[str, Any]:
    """A GeoJSON Point."""
    return {"type": "Point", "coordinates": [lon, lat]}


def properties(ident: str, **values: Any) -> dict[str, Any]:
    """Good GeoJSON properties for a village clinic, with any value replaced."""
    base: dict[str, Any] = {
        "id": ident,
        "kind": "village_clinic",
        "name_zh": f"测试卫生室{ident}",
        "capabilities": ["ecg12"],
    }
    base.update(values)
    return base


def write_gpkg(path: Path, epsg: int | None, rows: list[tuple[str, float, float]]) -> Path:
    """A GeoPackage of ambulance stations given in WGS84, stored in ``epsg`` (None: no CRS)."""
    frame = gpd.GeoDataFrame(
        {
            "id": [ident for ident, _, _ in rows],
            "kind": ["ambulance_station"] * len(rows),
            "name_zh": [f"测试急救站{ident}" for ident, _, _ in rows],
            "capabilities": ["ecg12;ecg_transmit"] * len(rows),
            "status": ["busy"] * len(rows),
            "phone": ["0394-555-9100"] * len(rows),
        },
        geometry=[Point(lon, lat) for _, lon, lat in rows],
        crs=4326,
    )
    if epsg is None:
        frame = frame.set_crs(None, allow_override=True)
    elif epsg != 4326:
        frame = frame.to_crs(epsg)
    frame.to_file(path, driver="GPKG")
    return path


async def stored(db: AsyncSession, prefix: str = "t-imp-") -> dict[str, dict[str, Any]]:
    """The facilities whose id starts with ``prefix``, with their WGS84 lon/lat and SRID."""
    rows = await db.execute(
        text(
            "SELECT id, kind, name_zh, name_en, capabilities, status, address, phone, synthetic,"
            " ST_X(location) AS lon, ST_Y(location) AS lat, ST_SRID(location) AS srid"
            " FROM facilities WHERE id LIKE :prefix ORDER BY id"
        ),
        {"prefix": f"{prefix}%"},
    )
    return {row.id: dict(row._mapping) for row in rows}


async def run_import(db: AsyncSession, path: Path, settings: Settings) -> int:
    """Read the file and import it in the test's transaction."""
    return await import_facilities(db, read_points(path), settings.service_area)


def assert_at(expected: tuple[float, float], row: dict[str, Any]) -> None:
    """The stored point is the expected WGS84 point (within 1e-6 degree), in SRID 4326."""
    assert 4326 == row["srid"]
    assert expected[0] == pytest.approx(row["lon"], abs=1e-6)
    assert expected[1] == pytest.approx(row["lat"], abs=1e-6)


def reasons_by_row(rejected: pytest.ExceptionInfo[ImportRejected]) -> dict[int, str]:
    """The rejection's problems as {row: reason}."""
    return {problem.row: problem.reason for problem in rejected.value.problems}

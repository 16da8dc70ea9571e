"""Importing facilities from CSV, GeoJSON and GeoPackage files into the real PostGIS: each
format's rows become facilities, stored in WGS84.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.settings import Settings
from geo import crs as coordinate_systems
from tests.integration.facility_import_helpers import (
    ATTRIBUTES,
    A,
    B,
    C,
    assert_at,
    csv_row,
    point,
    properties,
    run_import,
    stored,
    write_csv,
    write_geojson,
    write_gpkg,
)


async def test_csv_rows_become_facilities(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """Every CSV row lands in facilities with its attributes and its WGS84 point."""
    path = write_csv(
        tmp_path / "facilities.csv",
        [
            csv_row("t-imp-csv-1", *A),
            csv_row("t-imp-csv-2", *B, kind="ambulance_station", status="offline", phone=""),
        ],
    )
    assert 2 == await run_import(db, path, settings)
    rows = await stored(db)
    assert ["t-imp-csv-1", "t-imp-csv-2"] == list(rows)
    first = rows["t-imp-csv-1"]
    assert {
        "kind": "township_unit",
        "name_zh": "测试卫生院t-imp-csv-1",
        "name_en": "Test Health Centre t-imp-csv-1",
        "capabilities": ["ecg12", "ecg_transmit"],
        "status": "ready",
        "address": "河南省周口市项城市测试路1号",
        "phone": "0394-555-9001",
        "synthetic": False,
    } == {key: first[key] for key in ATTRIBUTES}
    assert_at(A, first)
    second = rows["t-imp-csv-2"]
    assert ("ambulance_station", "offline", "") == (
        second["kind"],
        second["status"],
        second["phone"],
    )
    assert_at(B, second)


async def test_csv_rows_in_gcj02_and_bd09_are_stored_in_wgs84(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """A CSV row with crs gcj02 or bd09 is converted to WGS84; wgs84 and blank stay as given."""
    gcj = coordinate_systems.from_wgs84(*A, "gcj02")
    bd = coordinate_systems.from_wgs84(*B, "bd09")
    path = write_csv(
        tmp_path / "mixed-crs.csv",
        [
            csv_row("t-imp-gcj", *gcj, crs="gcj02"),
            csv_row("t-imp-bd", *bd, crs="bd09"),
            csv_row("t-imp-wgs", *C, crs="wgs84"),
            csv_row("t-imp-default", *C, crs=""),
        ],
        crs_column=True,
    )
    assert 4 == await run_import(db, path, settings)
    rows = await stored(db)
    assert_at(A, rows["t-imp-gcj"])
    assert_at(B, rows["t-imp-bd"])
    assert_at(C, rows["t-imp-wgs"])
    assert_at(C, rows["t-imp-default"])


async def test_geojson_features_become_facilities(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """GeoJSON features are imported; capabilities may be a JSON array or a comma list."""
    path = write_geojson(
        tmp_path / "facilities.geojson",
        [
            (point(*A), properties("t-imp-gj-1", capabilities=["ecg12", "ecg_transmit"])),
            (point(*B), properties("t-imp-gj-2", capabilities=[])),
            (point(*C), properties("t-imp-gj-3", capabilities=["thrombolysis"], crs="gcj02")),
        ],
    )
    assert 3 == await run_import(db, path, settings)
    rows = await stored(db)
    assert {
        "t-imp-gj-1": ["ecg12", "ecg_transmit"],
        "t-imp-gj-2": [],
        "t-imp-gj-3": ["thrombolysis"],
    } == {ident: row["capabilities"] for ident, row in rows.items()}
    assert ("village_clinic", "测试卫生室t-imp-gj-1") == (
        rows["t-imp-gj-1"]["kind"],
        rows["t-imp-gj-1"]["name_zh"],
    )
    assert_at(A, rows["t-imp-gj-1"])
    assert_at(coordinate_systems.to_wgs84(*C, "gcj02"), rows["t-imp-gj-3"])


async def test_geojson_string_capabilities_are_split(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """A GeoJSON capabilities string "ecg12,ecg_transmit" is read as two capabilities."""
    path = write_geojson(
        tmp_path / "strings.geojson",
        [(point(*A), properties("t-imp-gjs", capabilities="ecg12, ecg_transmit"))],
    )
    assert 1 == await run_import(db, path, settings)
    assert ["ecg12", "ecg_transmit"] == (await stored(db))["t-imp-gjs"]["capabilities"]


async def test_wgs84_geopackage_is_imported(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """A GeoPackage in EPSG:4326 is imported with its attributes and points."""
    path = write_gpkg(tmp_path / "stations.gpkg", 4326, [("t-imp-gp-1", *A), ("t-imp-gp-2", *B)])
    assert 2 == await run_import(db, path, settings)
    rows = await stored(db)
    assert ["t-imp-gp-1", "t-imp-gp-2"] == list(rows)
    first = rows["t-imp-gp-1"]
    assert ("ambulance_station", ["ecg12", "ecg_transmit"], "busy", "0394-555-9100") == (
        first["kind"],
        first["capabilities"],
        first["status"],
        first["phone"],
    )
    assert_at(A, first)
    assert_at(B, rows["t-imp-gp-2"])


@pytest.mark.parametrize("epsg", [4547, 32650])
async def test_projected_geopackage_is_reprojected_to_wgs84(
    db: AsyncSession, settings: Settings, tmp_path: Path, epsg: int
) -> None:
    """A GeoPackage in a projected CRS (metres) is reprojected to WGS84 on import."""
    path = write_gpkg(tmp_path / f"stations-{epsg}.gpkg", epsg, [("t-imp-proj", *C)])
    assert epsg == gpd.read_file(path).crs.to_epsg()
    assert 1 == await run_import(db, path, settings)
    assert_at(C, (await stored(db))["t-imp-proj"])


async def test_numeric_phone_in_geojson_is_taken_as_text(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """A phone number written as a number in GeoJSON is stored as its digits."""
    properties = {"id": "t-imp-phone", "kind": "village_clinic", "name_zh": "测试村卫生室"}
    path = write_geojson(
        tmp_path / "phone.geojson",
        [({"type": "Point", "coordinates": list(A)}, {**properties, "phone": 3945559001})],
    )
    await run_import(db, path, settings)
    assert "3945559001" == (await stored(db))["t-imp-phone"]["phone"]

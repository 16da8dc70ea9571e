"""Importing facilities from CSV, GeoJSON and GeoPackage files into the real PostGIS."""

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
from geo import crs as coordinate_systems
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


async def test_bad_csv_rows_are_all_reported_and_nothing_is_written(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """Every bad CSV row is reported with its number and field; the good rows are not written."""
    path = write_csv(
        tmp_path / "bad.csv",
        [
            csv_row("t-imp-good-1", *A),
            csv_row("t-imp-kind", *A, kind="hospital"),
            csv_row("T_IMP_BAD ID", *A),
            csv_row("t-imp-cap", *A, capabilities="ecg12,mri"),
            csv_row("t-imp-noname", *A, name_zh=""),
            csv_row("t-imp-nolon", "abc", A[1]),
            csv_row("t-imp-nan", "nan", A[1]),
            csv_row("t-imp-paris", *PARIS),
            csv_row("t-imp-good-1", *B),
            csv_row("t-imp-good-2", *B),
            csv_row("t-imp-crs", *B, crs="utm"),
        ],
        crs_column=True,
    )
    with pytest.raises(ImportRejected) as rejected:
        await run_import(db, path, settings)
    reasons = reasons_by_row(rejected)
    assert [2, 3, 4, 5, 6, 7, 8, 9, 11] == sorted(reasons)
    expected_words = {
        2: "kind",
        3: "id",
        4: "capabilities",
        5: "name_zh",
        6: "lon",
        7: "lon",
        8: "service area",
        9: "repeats row 1",
        11: "crs",
    }
    assert {row: True for row in expected_words} == {
        row: word in reasons[row] for row, word in expected_words.items()
    }, reasons
    assert {} == await stored(db)


async def test_bad_geojson_rows_are_all_reported_and_nothing_is_written(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """Every bad GeoJSON feature is reported by number (1-based) and none of the file is written."""
    line = {"type": "LineString", "coordinates": [list(A), list(B)]}
    path = write_geojson(
        tmp_path / "bad.geojson",
        [
            (point(*A), properties("t-imp-good-1")),
            (line, properties("t-imp-line")),
            (point(*A), properties("t-imp-kind", kind="hospital")),
            (point(*PARIS), properties("t-imp-paris")),
            (point(*B), properties("t-imp-good-1")),
            (point(*B), {"id": "t-imp-noname", "kind": "village_clinic"}),
            (point(*B), properties("t-imp-cap", capabilities=["ecg12", "xray"])),
            (point(*B), properties("Bad ID")),
            (None, properties("t-imp-nogeom")),
            (point(*C), properties("t-imp-good-2")),
        ],
    )
    with pytest.raises(ImportRejected) as rejected:
        await run_import(db, path, settings)
    reasons = reasons_by_row(rejected)
    assert [2, 3, 4, 5, 6, 7, 8, 9] == sorted(reasons)
    expected_words = {
        2: "LineString",
        3: "kind",
        4: "service area",
        5: "repeats row 1",
        6: "name_zh",
        7: "capabilities",
        8: "id",
        9: "geometry",
    }
    assert {row: True for row in expected_words} == {
        row: word in reasons[row] for row, word in expected_words.items()
    }, reasons
    assert {} == await stored(db)


async def test_reimport_updates_instead_of_duplicating(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """Importing the same ids again updates those facilities; no duplicate rows appear."""
    path = tmp_path / "facilities.csv"
    write_csv(path, [csv_row("t-imp-re-1", *A), csv_row("t-imp-re-2", *B)])
    assert 2 == await run_import(db, path, settings)
    write_csv(
        path,
        [
            csv_row("t-imp-re-1", *C, name_zh="改名卫生院", capabilities="ecg12", status="busy"),
            csv_row("t-imp-re-2", *B),
        ],
    )
    assert 2 == await run_import(db, path, settings)
    rows = await stored(db)
    assert ["t-imp-re-1", "t-imp-re-2"] == list(rows)
    changed = rows["t-imp-re-1"]
    assert ("改名卫生院", ["ecg12"], "busy") == (
        changed["name_zh"],
        changed["capabilities"],
        changed["status"],
    )
    assert_at(C, changed)
    count = await db.scalar(text("SELECT count(*) FROM facilities WHERE id LIKE 't-imp-re-%'"))
    assert 2 == count


async def test_reimport_without_status_keeps_the_live_status(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """A file without a status leaves a busy cath lab busy; a new facility starts ready."""
    path = tmp_path / "facilities.csv"
    write_csv(path, [csv_row("t-imp-live-1", *A, status="busy")])
    await run_import(db, path, settings)
    write_csv(
        path, [csv_row("t-imp-live-1", *A, status=""), csv_row("t-imp-live-2", *B, status="")]
    )
    await run_import(db, path, settings)
    rows = await stored(db)
    assert {"t-imp-live-1": "busy", "t-imp-live-2": "ready"} == {
        ident: row["status"] for ident, row in rows.items()
    }


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


async def test_unsupported_suffix_is_rejected_as_row_0(tmp_path: Path) -> None:
    """A file that is not .csv, .geojson, .json or .gpkg is refused as a whole (row 0)."""
    path = tmp_path / "facilities.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ImportRejected) as rejected:
        read_points(path)
    assert [0] == [problem.row for problem in rejected.value.problems]
    assert "unsupported" in rejected.value.problems[0].reason


def garbage_gpkg(path: Path) -> Path:
    """A .gpkg file that is not a GeoPackage."""
    path.write_bytes(b"this is not an SQLite database")
    return path


def garbage_geojson(path: Path) -> Path:
    """A .geojson file that is not JSON."""
    path.write_text("{not json", encoding="utf-8")
    return path


def csv_without_coordinates(path: Path) -> Path:
    """A CSV with no lon/lat columns."""
    path.write_text("id,kind,name_zh\nt-imp-x,village_clinic,甲\n", encoding="utf-8")
    return path


def csv_not_utf8(path: Path) -> Path:
    """A CSV in GBK, not UTF-8."""
    path.write_bytes(
        "id,kind,name_zh,lon,lat\nt-imp-x,village_clinic,甲村,114.8,33.4\n".encode("gbk")
    )
    return path


def gpkg_without_crs(path: Path) -> Path:
    """A GeoPackage whose layer has no coordinate reference system."""
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        return write_gpkg(path, None, [("t-imp-nocrs", *A)])


def missing(path: Path) -> Path:
    """A path where no file is."""
    return path


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("garbage.gpkg", garbage_gpkg),
        ("garbage.geojson", garbage_geojson),
        ("nocoords.csv", csv_without_coordinates),
        ("gbk.csv", csv_not_utf8),
        ("nocrs.gpkg", gpkg_without_crs),
        ("missing.csv", missing),
    ],
)
def test_unreadable_file_is_rejected_as_row_0(tmp_path: Path, name: str, make: Any) -> None:
    """A file that cannot be read is refused as a whole: one problem, row 0, naming the file."""
    path = make(tmp_path / name)
    with pytest.raises(ImportRejected) as rejected:
        read_points(path)
    assert [0] == [problem.row for problem in rejected.value.problems]
    assert name in rejected.value.problems[0].reason


async def test_file_without_rows_is_rejected(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    """A CSV with a header and no rows is refused (row 0) rather than importing nothing."""
    path = write_csv(tmp_path / "empty.csv", [])
    with pytest.raises(ImportRejected) as rejected:
        await run_import(db, path, settings)
    assert [0] == [problem.row for problem in rejected.value.problems]

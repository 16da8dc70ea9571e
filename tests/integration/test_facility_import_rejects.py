"""Importing facilities into the real PostGIS: bad rows and unreadable files are all reported
and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.settings import Settings
from geo.exceptions import ImportRejected
from geo.imports import read_points
from tests.integration.facility_import_helpers import (
    PARIS,
    A,
    B,
    C,
    csv_row,
    point,
    properties,
    reasons_by_row,
    run_import,
    stored,
    write_csv,
    write_geojson,
    write_gpkg,
)


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

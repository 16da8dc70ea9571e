"""Importing facilities again into the real PostGIS: rows are updated, not duplicated."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.settings import Settings
from tests.integration.facility_import_helpers import (
    A,
    B,
    C,
    assert_at,
    csv_row,
    run_import,
    stored,
    write_csv,
)


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

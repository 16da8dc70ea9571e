"""``infofirst report rebuild``: after a facility's capability changes, the rebuilt read model
(and so the report) counts the cases by the new capability; before the rebuild, by the old.

The command opens its own engine and reads committed rows, so the test commits one fixture
case (a township hospital, then the county's PCI centre) and deletes it again, and puts the
township hospital's capabilities back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from dispatch.cases.maintenance import remove_cases
from dispatch.cases.models import Case
from tests.integration.test_report_cli import run
from tests.integration.test_report_sql import load_fixture
from tests.unit.test_report_fixtures import DINGJI, E_DINGJI
from units.models import Facility

PERIOD = ["--from", "2025-04-01", "--to", "2025-04-01", "--pathway", "stemi"]


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[int]:
    """The Dingji transfer case, committed; the case and Dingji's capabilities restored after."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as db, db.begin():
        before = list(await db.scalar(select(Facility.capabilities).where(Facility.id == DINGJI)))
        case_id = await load_fixture(db, E_DINGJI)
    try:
        yield case_id
    finally:
        async with sessions() as db, db.begin():
            await remove_cases(db, select(Case.id).where(Case.id == case_id))
            await db.execute(
                update(Facility).where(Facility.id == DINGJI).values(capabilities=before)
            )


async def _figures(tmp_path: Path, name: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    result, text = await run("report", *PERIOD, "--format", "json", "-o", str(out))
    assert 0 == result.exit_code, text
    metrics = json.loads(out.read_text(encoding="utf-8"))["metrics"]
    return {m["name"]: m for m in metrics}


async def test_rebuild_counts_the_cases_by_the_new_capability(
    committed: int, engine: AsyncEngine, tmp_path: Path
) -> None:
    """Dingji gains PCI: its door-in-door-out no longer applies; door-to-wire still starts at
    the county hospital's door, where the wire crossed (issue 14: not the first PCI door)."""
    before = await _figures(tmp_path, "before")
    assert (1, 55.0) == (before["door_in_door_out"]["n"], before["door_in_door_out"]["median"])
    assert 45.0 == before["door_to_wire"]["median"]  # from the county hospital's door
    async with async_sessionmaker(engine)() as db, db.begin():
        caps = list(await db.scalar(select(Facility.capabilities).where(Facility.id == DINGJI)))
        await db.execute(
            update(Facility).where(Facility.id == DINGJI).values(capabilities=[*caps, "pci"])
        )
    assert before == await _figures(tmp_path, "stale")  # stamps come first: no rebuild, no change
    result, text = await run("report", "rebuild")
    assert 0 == result.exit_code, text
    assert "report read model rebuilt" in text
    after = await _figures(tmp_path, "after")
    assert 0 == after.get("door_in_door_out", {"n": 0})["n"]  # no such fact left to report
    assert 45.0 == after["door_to_wire"]["median"]  # the wire's hospital's door, as before

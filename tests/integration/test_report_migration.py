"""The cases that existed before the reports get their report rows on upgrade.

A scratch database (beside the test database) is migrated to 0004, given the 47-minute case
as plain rows, then migrated to the newest revision: migration 0005 imports no application
code, it asks for the read model's rebuild, which ``infofirst db upgrade`` (``migrate.upgrade``)
does after the migrations.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from alembic import command
from sqlalchemy.engine import make_url

from dispatch import migrate
from tests.conftest import TEST_DATABASE_URL
from tests.unit.test_report_fixtures import A47, CAPABILITIES

SCRATCH_URL = (
    make_url(TEST_DATABASE_URL)
    .set(database=f"{make_url(TEST_DATABASE_URL).database}_report_migration")
    .render_as_string(hide_password=False)
)


def _dsn(database: str | None = None) -> str:
    url = make_url(SCRATCH_URL).set(drivername="postgresql")
    return (url.set(database=database) if database else url).render_as_string(hide_password=False)


async def _drop() -> None:
    admin = await asyncpg.connect(_dsn("postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(SCRATCH_URL).database}"')
    finally:
        await admin.close()


async def _old_case() -> None:
    """The 47-minute case as rows written before the reports existed."""
    conn = await asyncpg.connect(_dsn())
    try:
        for facility, caps in CAPABILITIES.items():
            await conn.execute(
                "INSERT INTO facilities (id, kind, capabilities, status, name_zh, name_en, address,"
                " phone, location, synthetic) VALUES ($1, 'county_hospital', $2, 'ready', $3, $3,"
                " '', '', ST_SetSRID(ST_MakePoint(114.9, 33.45), 4326), true)",
                facility, sorted(caps), facility,
            )  # fmt: skip
        case_id = await conn.fetchval(
            "INSERT INTO cases (pathway, status, drill, synthetic, location, input_crs, complaint,"
            " created_by) VALUES ('stemi', 'closed', false, true,"
            " ST_SetSRID(ST_MakePoint(114.9, 33.45), 4326), 'wgs84', '', 'test') RETURNING id"
        )
        for row in A47.rows:
            await conn.execute(
                "INSERT INTO case_events (case_id, milestone, at, recorded_by, source, facility_id,"
                " note, reason, flags) VALUES ($1, $2, $3, 'test', 'user', $4, '', '', '{}')",
                case_id, row.milestone, row.at, row.facility,
            )  # fmt: skip
    finally:
        await conn.close()


async def _pending() -> list[str]:
    conn = await asyncpg.connect(_dsn())
    try:
        return [row["name"] for row in await conn.fetch("SELECT name FROM pending_rebuilds")]
    finally:
        await conn.close()


async def _facts() -> list[Any]:
    conn = await asyncpg.connect(_dsn())
    try:
        return list(
            await conn.fetch("SELECT name, minutes, met, month FROM report_facts ORDER BY name")
        )
    finally:
        await conn.close()


def test_upgrading_backfills_the_cases_already_there() -> None:
    """After the upgrade the old case has its rows: 47 minutes, met, counted in March 2025."""
    asyncio.run(_drop())
    try:
        asyncio.run(migrate.ensure_database(SCRATCH_URL))
        config = migrate.alembic_config(SCRATCH_URL)
        command.upgrade(config, "0004")
        asyncio.run(_old_case())
        command.upgrade(config, "head")  # the migrations alone: the rebuild is asked for
        assert (["report_read_model"], []) == (asyncio.run(_pending()), asyncio.run(_facts()))
        assert migrate.upgrade(SCRATCH_URL) is False  # infofirst db upgrade: it does the rebuild
        assert [] == asyncio.run(_pending())
        facts = {row["name"]: row for row in asyncio.run(_facts())}
        found = facts["critical_value_to_puncture"]
        assert (47.0, True, "2025-03-01") == (found["minutes"], found["met"], str(found["month"]))
        # the 47-minute case: 11 facts, and diagnosis -> wire and total ischaemic time (issue 14)
        assert 13 == len(facts)
    finally:
        asyncio.run(_drop())

"""Preparing a test suite's database: the one helper of the tests, browser and reliability suites.

Each suite names its own database (``INFOFIRST_TEST_DATABASE_URL``,
``INFOFIRST_BROWSER_DATABASE_URL``, ``INFOFIRST_RELIABILITY_DATABASE_URL``); this creates it if
missing, migrates it, checks PostGIS and loads the synthetic demo county, emptied first in the
suite's way. A server that cannot be reached, or a database without PostGIS, fails the run loudly
(never a skip).
"""

from __future__ import annotations

import asyncio
from typing import Literal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from dispatch import migrate
from dispatch.cases.maintenance import stamps_removable
from dispatch.demo.county import DemoCounty, build_demo_county
from dispatch.demo.load import load_demo
from dispatch.http.database import make_engine
from dispatch.settings import Settings

# What an earlier run left: cases cascade to their stamps; alerts and their streams go with them.
CASES_AND_ALERTS = (
    "alert_deliveries",
    "alert_escalations",
    "alert_stream",
    "alert_stream_heads",
    "alerts",
    "attachments",
    "cases",
    "login_failures",
)

# "reset": the demo county loaded afresh, as ``infofirst demo load --reset`` does (its rows and
# the cases and alerts touching them removed first); "cases_and_alerts": every case and alert
# removed (empty streams), then the demo county loaded over what is there.
Emptying = Literal["reset", "cases_and_alerts"]


async def prepare_demo_database(
    url: str, *, empty: Emptying, county: DemoCounty | None = None
) -> str:
    """Create and migrate the database at ``url``, check PostGIS, empty it and load the demo
    county (``county``, or the generated one); ``url``. Fails the run when it cannot."""
    where = make_url(url).render_as_string(hide_password=True)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
    except Exception as exc:  # noqa: BLE001 - turned into a loud failure of the whole run
        pytest.fail(f"the database {where} cannot be prepared (PostgreSQL with PostGIS?): {exc}")
    engine = make_engine(Settings(env="test", database_url=url))
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT postgis_lib_version()"))
        assert version, f"PostGIS is missing from the database {where}"
        async with async_sessionmaker(engine)() as db, db.begin():
            if "cases_and_alerts" == empty:
                # Stamps refuse TRUNCATE: the owner lifts that for this transaction only.
                async with stamps_removable(db):
                    await db.execute(text(f"TRUNCATE {', '.join(CASES_AND_ALERTS)} CASCADE"))
            await load_demo(db, county or build_demo_county(), reset="reset" == empty)
    finally:
        await engine.dispose()
    return url

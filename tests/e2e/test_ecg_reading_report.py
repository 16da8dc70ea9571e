"""How fast the county reads (issue 16): received → first reading, median, P90 and the share
within 10 minutes (at 10.0: within; 10.5: not; unread: not, and not in the median)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.alerts_helpers import SENDER, nandun_case
from tests.e2e.cases_helpers import signed_in
from tests.e2e.test_ecg_reading import READER, read, send_file, tracing

REPORT = "/api/v1/reports/ecg-reading"


async def read_after(db: AsyncSession, ecg_id: int, minutes: float) -> None:
    """Put the ECG's first reading ``minutes`` after its arrival (the test's own clock)."""
    await db.execute(
        text(
            "UPDATE ecg_readings r SET read_at = e.received_at + make_interval(secs => :s)"
            " FROM ecgs e WHERE r.ecg_id = e.id AND e.id = :id"
        ),
        {"s": minutes * 60, "id": ecg_id},
    )
    await db.flush()


async def test_reading_times_at_and_around_the_10_minute_target(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    await db.execute(text("UPDATE ecgs SET drill = true"))  # earlier tests' ECGs: out of scope
    reader = await signed_in(login, READER)
    ids = []
    for shade in (101, 102, 103):
        case_id, township = await nandun_case(client, login)
        ids.append((await send_file(client, township, case_id, tracing(shade))).json()["id"])
    for ecg_id, minutes in zip(ids[:2], (10.0, 10.5), strict=True):
        assert 200 == (await read(client, reader, ecg_id, finding="no_stemi")).status_code
        await read_after(db, ecg_id, minutes)
    today = datetime.now(UTC).date()
    period = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}
    found = await client.get(REPORT, params=period, headers=reader)
    assert 200 == found.status_code, found.text
    report = found.json()
    overall = report["overall"]
    assert (3, 2, 1, 0.3333) == (
        overall["n"],
        overall["read"],
        overall["within_target"],
        overall["share_within_target"],
    )
    assert (10.25, 10.45) == (overall["median_minutes"], overall["p90_minutes"])
    by_reader = {r["reader"]: r["n"] for r in report["by_reader"]}
    assert {READER: 2, None: 1} == by_reader
    assert [("th-nandun", 3)] == [(u["unit"], u["n"]) for u in report["by_unit"]]
    assert [3] == [m["n"] for m in report["by_month"]]
    drills = (await client.get(REPORT, params={**period, "drill": "true"}, headers=reader)).json()
    drilled = await db.scalar(
        text("SELECT count(*) FROM ecgs WHERE drill AND received_at > now() - interval '2 days'")
    )
    assert drilled == drills["overall"]["n"]  # drill ECGs are a report apart


@pytest.mark.parametrize("who", [SENDER, "cathlab-county-hospital", "crew-amb-01"])
async def test_the_reading_report_is_the_centre_s_and_the_overseers(
    client: httpx.AsyncClient, login: Login, who: str
) -> None:
    today = datetime.now(UTC).date()
    period = {"from": str(today), "to": str(today)}
    refused = await client.get(REPORT, params=period, headers=await signed_in(login, who))
    assert 403 == refused.status_code
    auditor = await client.get(REPORT, params=period, headers=await signed_in(login, "auditor"))
    assert 200 == auditor.status_code

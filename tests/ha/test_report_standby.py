"""Reports read from the standby, on the lab (issue 17: "Reports may read from the standby").

The lab's APIs run with ``INFOFIRST_REPORT_DATABASE_URL`` set as deploy/ha/README.md says: the
cluster's hosts, as the application role, ``target_session_attrs=prefer-standby``. A report
through an API is answered, and the connection that read it (``application_name``
``infofirst-reports``) is on the synchronous standby, none on the primary; the case the report
counts was opened and stamped through the same API, on the primary.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from dispatch.http.database import REPORTS_APPLICATION
from tests.ha.clients import API, open_case, report, sign_in
from tests.ha.lab import Lab, node_url


async def report_connections(port: int) -> list[tuple[str, str]]:
    """The report pools' connections on the node at ``port``: (user, is it in recovery)."""
    connection = await asyncpg.connect(node_url(port), timeout=10)
    try:
        recovery = "on" if await connection.fetchval("SELECT pg_is_in_recovery()") else "off"
        rows = await connection.fetch(
            "SELECT usename FROM pg_stat_activity WHERE application_name = $1",
            REPORTS_APPLICATION,
        )
    finally:
        await connection.close(timeout=5)
    return [(str(row["usename"]), recovery) for row in rows]


async def report_once_replayed(
    http: httpx.AsyncClient, url: str, period: dict[str, str], headers: dict[str, str]
) -> httpx.Response:
    """The report, asked again while the standby has not replayed the stamp yet (a commit
    waits for the standby's flush, not its replay: "No cases in the period"), at most 30 s."""
    deadline = time.monotonic() + 30
    while True:
        response = await http.get(url, params=period, headers=headers)
        if response.status_code != 404 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


@pytest.mark.timeout(300)
async def test_reports_are_read_on_the_standby(lab: Lab, http: httpx.AsyncClient) -> None:
    """Each API's report is read by a connection on the standby (as infofirst_app, the node in
    recovery), none on the primary."""
    primary, standby = await asyncio.to_thread(lab.settled)
    now = datetime.now(UTC)
    period = {
        "from": str((now - timedelta(days=1)).date()),
        "to": str((now + timedelta(days=1)).date()),
    }
    first = lab.apis[0].url
    admin = await sign_in(http, first, "admin")
    case_id = await open_case(http, first, admin)
    stamped = await http.post(
        f"{first}{API}/cases/{case_id}/events",
        json={"milestone": "first_medical_contact", "at": now.isoformat()},
        headers={**admin, "Idempotency-Key": f"report-standby-{case_id}"},
    )
    assert 201 == stamped.status_code, stamped.text
    for api in lab.apis:
        headers = await sign_in(http, api.url, "admin")
        response = await report_once_replayed(
            http, f"{api.url}{API}/reports/intervals", period, headers
        )
        assert 200 == response.status_code, response.text
        assert response.json()["case_count"] >= 1, response.text
    on_standby = await report_connections(standby.pg_port)
    on_primary = await report_connections(primary.pg_port)
    report({"reports_on_standby": len(on_standby), "reports_on_primary": len(on_primary)})
    assert on_primary == []
    assert len(on_standby) >= len(lab.apis), on_standby
    assert {("infofirst_app", "on")} == set(on_standby)

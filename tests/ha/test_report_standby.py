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


async def report_counting(
    http: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> httpx.Response:
    """The report of ``DAY``, asked again while it has no case (the standby replays after the
    commit: a commit waits for the standby's flush, not its replay), at most 30 s."""
    deadline = time.monotonic() + 30
    while True:
        response = await http.get(url, params=DAY, headers=headers)
        if response.status_code != 404 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


# A day no other test stamps: the report of that day counts exactly the case stamped here.
DAY = {"from": "2024-02-29", "to": "2024-02-29"}
FIRST_CONTACT = "2024-02-29T10:00:00+08:00"


@pytest.mark.timeout(300)
async def test_reports_are_read_on_the_standby(lab: Lab, http: httpx.AsyncClient) -> None:
    """A case stamped through the primary on a day of its own: each API's report of that day
    counts it (asked again until the standby has replayed it) and is read by a connection of
    its own on the standby (as infofirst_app, the node in recovery), none on the primary."""
    primary, standby = await asyncio.to_thread(lab.settled)
    first = lab.apis[0].url
    admin = await sign_in(http, first, "admin")
    case_id = await open_case(http, first, admin)
    stamped = await http.post(
        f"{first}{API}/cases/{case_id}/events",
        json={"milestone": "first_medical_contact", "at": FIRST_CONTACT},
        headers={**admin, "Idempotency-Key": f"report-standby-{case_id}"},
    )
    assert 201 == stamped.status_code, stamped.text
    connections = len(await report_connections(standby.pg_port))
    for api in lab.apis:
        headers = await sign_in(http, api.url, "admin")
        response = await report_counting(http, f"{api.url}{API}/reports/intervals", headers)
        assert 200 == response.status_code, response.text
        assert 1 == response.json()["case_count"], response.text
        now_there = len(await report_connections(standby.pg_port))
        assert now_there > connections, f"{api.name}'s report opened no connection on the standby"
        connections = now_there
    on_standby = await report_connections(standby.pg_port)
    on_primary = await report_connections(primary.pg_port)
    report({"reports_on_standby": len(on_standby), "reports_on_primary": len(on_primary)})
    assert on_primary == []
    assert {("infofirst_app", "on")} == set(on_standby)

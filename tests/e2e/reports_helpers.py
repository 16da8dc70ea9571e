"""Loading the report fixtures through the HTTP API (not tests themselves)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import CASES, case_body, open_case, signed_in, stamp, transfer
from tests.unit.test_report_fixtures import COUNTY, FIXTURES, FixtureCase, local

REPORT = "/api/v1/reports/intervals"
PERIOD = {"from": "2025-03-01", "to": "2025-04-30"}


async def load_through_api(
    client: httpx.AsyncClient, headers: dict[str, str], case: FixtureCase
) -> int:
    """Open the fixture case and send its stamps as a client would; returns the case id."""
    opened = await open_case(client, headers, case_body(pathway=case.pathway, drill=case.drill))
    case_id = int(opened["id"])
    # Every facility of the record joins the case by a transfer (a stamp never brings one in);
    # the destination stays what it was: the county when the cath lab is stamped, else none.
    visited = list(dict.fromkeys(row.facility for row in case.rows if row.facility is not None))
    for facility in [f for f in visited if f != COUNTY]:
        await transfer(client, headers, case_id, facility)
    if COUNTY in visited:  # the cath lab is stamped before arrival
        await transfer(client, headers, case_id, COUNTY)
    elif visited:
        response = await client.patch(
            f"{CASES}/{case_id}", json={"destination_facility_id": None}, headers=headers
        )
        assert 200 == response.status_code, response.text
    ids: list[int] = []
    for row in case.rows:
        extra: dict[str, Any] = {}
        if row.facility is not None:
            extra["facility_id"] = row.facility
        if row.skewed:  # the device's clock 5 minutes behind the server's
            extra["device_at"] = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        if row.corrects is not None:
            extra["supersedes"] = ids[row.corrects]
            extra["reason"] = "wrong minute read off the monitor"
        event = await stamp(client, headers, case_id, row.milestone, row.at, **extra)
        ids.append(int(event["id"]))
    return case_id


async def load_all(client: httpx.AsyncClient, login: Login) -> dict[str, int]:
    """Every fixture case, opened and stamped by the admin; ids by key."""
    headers = await signed_in(login, "admin")
    return {case.key: await load_through_api(client, headers, case) for case in FIXTURES}


async def get_report(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> httpx.Response:
    """GET the report with the fixtures' period unless told otherwise."""
    return await client.get(REPORT, params={**PERIOD, **params}, headers=headers)


__all__ = ["PERIOD", "REPORT", "get_report", "load_all", "local"]

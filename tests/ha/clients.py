"""What the HA lab's tests share (helpers, not tests): signing in, opening a case, a test's
workload ready to send from a settled lab, sending it while a fault happens, counting a set of
writes on one node by their Idempotency-Key, and the figures file ``make ha-test`` prints.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.ha.lab import Lab, Node, node_url
from tests.ha.writers import Run, send_all, writes

API = "/api/v1"
SENDER = "township-th-nandun"
ADMIN = "admin"
RECEIVER = "cathlab-county-hospital"
COUNTY = "county-hospital"


async def sign_in(client: httpx.AsyncClient, api: str, username: str) -> dict[str, str]:
    """The Authorization header of a demo user (password ``demo``)."""
    response = await client.post(
        f"{api}{API}/auth/token", data={"username": username, "password": "demo"}
    )
    assert 200 == response.status_code, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def open_case(client: httpx.AsyncClient, api: str, headers: dict[str, str]) -> int:
    """A STEMI case at the Nandun village."""
    response = await client.post(
        f"{api}{API}/cases",
        json={"pathway": "stemi", "location": {"lon": 114.739124, "lat": 33.539841}},
        headers=headers,
    )
    assert 201 == response.status_code, response.text
    return int(response.json()["id"])


@dataclass
class Workload:
    """A test's writes, ready to send through the lab's APIs, and the lab's roles when made."""

    primary: Node
    standby: Node
    apis: list[str]
    sender: dict[str, str]  # the township unit's Authorization header (alerts)
    admin: dict[str, str]  # the admin's (stamps)
    run: Run


async def workload(
    lab: Lab, http: httpx.AsyncClient, count: int, notify_at: int, stamp_cases: int
) -> Workload:
    """Wait for a primary and its synchronous standby, sign the township unit in on the first
    API and the admin on the second, open the alerts' case and ``stamp_cases`` cases for the
    stamps (the APIs in turn), and make ``count`` writes; ``run.reached`` is set once
    ``notify_at`` of them are acknowledged."""
    apis = [api.url for api in lab.apis]
    primary, standby = await asyncio.to_thread(lab.settled)
    sender = await sign_in(http, apis[0], SENDER)
    admin = await sign_in(http, apis[1], ADMIN)
    alert_case = await open_case(http, apis[0], sender)
    cases = [await open_case(http, apis[i % 2], admin) for i in range(stamp_cases)]
    run = Run(writes(alert_case, cases, sender, admin, count), notify_at=notify_at)
    return Workload(primary, standby, apis, sender, admin, run)


async def send_during(
    http: httpx.AsyncClient, apis: list[str], run: Run, fault: Callable[[], Awaitable[None]]
) -> None:
    """Send every write of ``run`` through ``apis``; once ``run.notify_at`` of them are
    acknowledged (at most 120 s), await ``fault()`` meanwhile. Returns when both are done (the
    sending finishes even when the fault fails)."""
    sending = asyncio.create_task(send_all(http, apis, run))
    try:
        await asyncio.wait_for(run.reached.wait(), 120)
        await fault()
    finally:
        await sending


async def stored_keys(port: int, keys: list[str]) -> dict[str, int]:
    """How many rows each of ``keys`` has on the node at ``port`` (alerts and stamps)."""
    connection = await asyncpg.connect(node_url(port), timeout=10)
    try:
        rows = await connection.fetch(
            "SELECT idempotency_key AS key, count(*) AS n FROM ("
            " SELECT idempotency_key FROM alerts WHERE sent_by = $1"
            " AND idempotency_key = ANY($3::text[])"
            " UNION ALL SELECT idempotency_key FROM case_events WHERE recorded_by = $2"
            " AND idempotency_key = ANY($3::text[])) AS w GROUP BY idempotency_key",
            SENDER,
            ADMIN,
            keys,
        )
    finally:
        await connection.close(timeout=5)
    return {str(row["key"]): int(row["n"]) for row in rows}


async def stored_until(port: int, keys: list[str], within: float) -> dict[str, int]:
    """``stored_keys`` asked again until every key is there (a standby still replaying), at
    most ``within`` s; the last answer."""
    deadline = time.monotonic() + within
    while True:
        found = await stored_keys(port, keys)
        if len(found) == len(set(keys)) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


def report(figures: dict[str, Any]) -> None:
    """Add ``figures`` to the run's figures file (``INFOFIRST_HA_RESULT``), which ``make
    ha-test`` prints as its last line: each test adds its own keys."""
    target = os.environ.get("INFOFIRST_HA_RESULT")
    if not target:
        return
    path = Path(target)
    known: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**known, **figures}, sort_keys=True))

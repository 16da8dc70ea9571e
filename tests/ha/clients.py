"""What the HA lab's tests share (helpers, not tests): signing in, opening a case, counting a
set of writes on one node by their Idempotency-Key, and the figures file ``make ha-test`` prints.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.ha.lab import node_url

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

"""The write path (issue 17): an alert's POST and a stamp's POST, end to end through a real
server process on 127.0.0.1 with one wall screen connected, against a trivial authenticated
request through the same stack (``GET /api/v1/auth/me``: the middleware, the bearer token and
its session read from the database, the request's transaction and its commit), in the same run.

Rounds interleave the three kinds (baseline, alerts, stamps) so that the machine's load falls on
all of them alike; the figures are the median over rounds of each round's p50 and p99. A new
case is opened every ``PER_CASE`` writes, so the cases stay the size of a real one.

Run: ``.venv/bin/infofirst bench write_path`` (writes bench/results/write_path.json), on the
local PostgreSQL without a standby; with ``INFOFIRST_BENCH_WRITE_LAB=1`` on the HA lab of ``make
ha-test`` (tests/ha/lab.py: Patroni, a primary and a synchronous standby, the server as the
application role through the multi-host URL), writing bench/results/write_path_lab.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.alert_delivery import ScreenPool, wait_ready
from bench.common import (
    fetch_rows,
    median,
    percentile,
    prepare_demo_database,
    start_api_server,
    write_results,
)
from bench.tickets import ws_tickets

ROUNDS, ROUNDS_QUICK = 5, 1
REQUESTS, REQUESTS_QUICK = 100, 10  # of each kind per round
PER_CASE = 10  # writes on one case before the next one is opened
WARM_UP = 10
DATABASE = os.environ.get(
    "INFOFIRST_BENCH_WRITE_DATABASE_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_bench_write",
)
SENDER = "township-th-nandun"
RECEIVER = "cathlab-county-hospital"


def _base() -> str:
    """The bench server's address (port: $INFOFIRST_BENCH_WRITE_PORT, else 18111)."""
    return f"http://127.0.0.1:{os.environ.get('INFOFIRST_BENCH_WRITE_PORT', '18111')}"


Request = Callable[[int], Awaitable[tuple[httpx.Response, float]]]


class Writer:
    """The requests timed: an alert, a stamp (each on a case renewed every ``PER_CASE``)."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.cases: dict[str, tuple[int, int]] = {}  # kind → (case id, writes on it)
        self.last_alert_seq = 0  # the receiver's stream's seq of the last alert sent

    async def _case(self, kind: str) -> int:
        case_id, used = self.cases.get(kind, (0, PER_CASE))
        if used >= PER_CASE:
            opened = await self.client.post(
                f"{_base()}/api/v1/cases",
                json={"pathway": "stemi", "location": {"lon": 114.76, "lat": 33.56}},
                headers=self.headers,
            )
            opened.raise_for_status()
            case_id, used = int(opened.json()["id"]), 0
        self.cases[kind] = (case_id, used + 1)
        return case_id

    async def _timed(self, method: str, url: str, body: Any = None) -> tuple[httpx.Response, float]:
        begun = time.perf_counter()
        response = await self.client.request(method, url, json=body, headers=self.headers)
        return response, (time.perf_counter() - begun) * 1000

    async def baseline(self, _number: int) -> tuple[httpx.Response, float]:
        return await self._timed("GET", f"{_base()}/api/v1/auth/me")

    async def alert(self, number: int) -> tuple[httpx.Response, float]:
        case_id = await self._case("alert")
        body = {
            "case_id": case_id,
            "to_facility_id": "county-hospital",
            "pathway": "stemi",
            "summary": f"bench alert {number} (synthetic)",
            "vitals": {"hr": 90, "bp": "150/90", "spo2": 96},
            "eta_minutes": 25,
        }
        response, ms = await self._timed("POST", f"{_base()}/api/v1/alerts", body)
        if response.status_code == 201:
            self.last_alert_seq = int(response.json()["seq"])
        return response, ms

    async def stamp(self, number: int) -> tuple[httpx.Response, float]:
        case_id = await self._case("stamp")
        at = datetime.now(UTC) - timedelta(minutes=30 - number % PER_CASE)
        body = {"milestone": "first_ecg", "at": at.isoformat()}
        return await self._timed("POST", f"{_base()}/api/v1/cases/{case_id}/events", body)


async def timed(request: Request, count: int, start: int) -> list[float]:
    """Milliseconds of each of ``count`` requests (each one must succeed)."""
    times = []
    for number in range(start, start + count):
        # only the request itself is timed, not the opening of its case (Writer._case)
        response, ms = await request(number)
        times.append(ms)
        if response.status_code >= 300:
            raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return times


async def screen(token: str, client: httpx.AsyncClient) -> ScreenPool:
    """One wall screen on the receiving facility's stream, in a client process of its own (in
    the timing client's event loop its reading would be timed as the requests' time)."""
    (ticket,) = await ws_tickets(client, _base(), token, 1)
    pool = ScreenPool(processes=1)
    await pool.open([f"ws{_base()[4:]}/ws/facilities/county-hospital/alerts?ticket={ticket}"])
    return pool


def _figures(times: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99)}


async def _run(rounds: int, requests: int) -> dict[str, Any]:
    await wait_ready(_base())
    async with httpx.AsyncClient(timeout=30) as client:
        tokens = {}
        for user in (SENDER, RECEIVER):
            answer = await client.post(
                f"{_base()}/api/v1/auth/token", data={"username": user, "password": "demo"}
            )
            answer.raise_for_status()
            tokens[user] = answer.json()["access_token"]
        writer = Writer(client, tokens[SENDER])
        wall = await screen(tokens[RECEIVER], client)
        kinds: dict[str, Request] = {
            "baseline": writer.baseline,
            "alert": writer.alert,
            "stamp": writer.stamp,
        }
        try:
            for request in kinds.values():
                await timed(request, WARM_UP, 0)
            per_round: list[dict[str, dict[str, float]]] = []
            for number in range(rounds):
                row = {}
                for kind, request in kinds.items():
                    row[kind] = _figures(await timed(request, requests, number * requests))
                per_round.append(row)
                print(json.dumps({"round": number + 1, **row}))
            # the wall got the last alert (one not delivered is waited for 15 s, then missing)
            arrived = await wall.wait(writer.last_alert_seq)
        finally:
            await wall.close()
    figures: dict[str, Any] = {}
    for kind in kinds:
        for key in ("p50_ms", "p99_ms"):
            figures[f"{kind}_{key}"] = round(median([r[kind][key] for r in per_round]), 2)
    for kind in ("alert", "stamp"):
        figures[f"{kind}_p50_ratio"] = round(
            figures[f"{kind}_p50_ms"] / max(figures["baseline_p50_ms"], 0.01), 2
        )
    return {"figures": figures, "per_round": per_round, "screen_got_last_alert": bool(arrived)}


async def _replication(database: str) -> list[dict[str, Any]]:
    """The primary's standbys and whether each confirms commits (``sync_state``: sync)."""
    return await fetch_rows(
        database,
        "SELECT application_name, sync_state, current_setting('synchronous_commit') AS commit"
        " FROM pg_stat_replication",
    )


def _measure(database: str, rounds: int, requests: int) -> dict[str, Any]:
    """Start the bench's server on ``database``, time the three kinds, stop it."""
    port = int(_base().rsplit(":", 1)[1])
    server = start_api_server(database, port, "--ws-per-message-deflate", "false")
    try:
        return asyncio.run(_run(rounds, requests))
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(quick: bool = False) -> dict[str, Any]:
    """Time the three kinds on the bench database (or the HA lab's), write the figures."""
    rounds = ROUNDS_QUICK if quick else ROUNDS
    requests = REQUESTS_QUICK if quick else REQUESTS
    on_lab = os.environ.get("INFOFIRST_BENCH_WRITE_LAB") == "1"
    if on_lab:
        from tests.ha.lab import Lab, app_lab_url, lab_url

        with Lab() as lab:  # the demo county loaded, the application role granted
            replication = asyncio.run(_replication(lab_url()))
            measured = _measure(app_lab_url(), rounds, requests)
            measured["replication"] = replication
            measured["where"] = "the HA lab: etcd x3, Patroni, primary + synchronous standby"
            measured["lab_timings"] = lab.timings
    else:
        prepare_demo_database(DATABASE)
        measured = _measure(DATABASE, rounds, requests)
        measured["where"] = "the local PostgreSQL on 5432, no standby"
    figures = measured["figures"]
    data = {
        "quick": quick,
        "question": "POST /alerts and POST /cases/{id}/events end to end, one screen connected",
        "method": {
            "server": "1 uvicorn process on 127.0.0.1, the demo county (synthetic)",
            "screen": "the receiver's wall, in a client process of its own; it must get the last"
            " alert",
            "commit": "synchronous_commit on; on the lab the standby confirms each commit",
            "baseline": "GET /api/v1/auth/me: token, session read, transaction, commit",
            "rounds": rounds,
            "requests_per_kind_per_round": requests,
            "writes_per_case": PER_CASE,
            "figures": "median over rounds of each round's p50 / p99 (client-side, ms)",
        },
        **measured,
        "goals": {
            "alert_p50_under_10ms": figures["alert_p50_ms"] < 10,
            "stamp_p50_under_10ms": figures["stamp_p50_ms"] < 10,
        },
    }
    name = "write_path" + ("_lab" if on_lab else "")
    path = write_results(name + ("-quick" if quick else ""), data)
    data["results_file"] = str(path)
    return data

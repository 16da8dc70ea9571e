"""A password-guessing flood (issue 12, finding 3): 100 wrong logins a second from one address for
~10 s, while measuring ``/healthz`` latency and alert send → screen receipt over a websocket,
against a baseline of the same measurements with no flood, in the same run (127.0.0.1 only).

The flood runs in its own client process (``python -m bench.login_flood flood URL RATE SECONDS``)
so that it does not slow the measuring client's own event loop.

Run: ``.venv/bin/infofirst bench login_flood`` (writes bench/results/login_flood.json).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.alert_delivery import wait_ready
from bench.common import median, percentile, prepare_demo_database, start_api_server, write_results
from bench.tickets import ws_tickets

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("INFOFIRST_BENCH_LOGIN_PORT", "18201"))
RATE = 100  # wrong logins per second
ROUNDS, ROUNDS_QUICK = 3, 1
SECONDS, SECONDS_QUICK = 10.0, 2.0
HEALTH_EVERY_S = 0.02
ALERT_EVERY_S = 0.25
DATABASE = os.environ.get(
    "INFOFIRST_BENCH_LOGIN_DATABASE_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_bench_login",
)


def prepare_database() -> None:
    """Migrate the bench database and load the demo county (synthetic)."""
    prepare_demo_database(DATABASE)


async def forget_failures() -> None:
    """Empty ``login_failures``: an earlier run's flood locked 127.0.0.1 for a while."""
    engine = create_async_engine(DATABASE)
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE login_failures"))
    await engine.dispose()


async def flood(url: str, rate: int, seconds: float) -> dict[str, int]:
    """Send ``rate`` wrong logins a second for ``seconds``, without waiting for the answers."""
    statuses: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def one(number: int) -> None:
            data = {"username": f"guess-{number % 50}", "password": f"wrong-{number}"}
            try:
                answer = await client.post("/api/v1/auth/token", data=data)
                statuses[str(answer.status_code)] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1

        tasks = []
        start = time.perf_counter()
        for number in range(int(rate * seconds)):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(number)))
        await asyncio.gather(*tasks)
    return dict(statuses)


async def _health_sampler(client: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        (await client.get("/healthz")).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(HEALTH_EVERY_S)
    return latencies


async def _alert_sampler(
    client: httpx.AsyncClient, ws: Any, sender: dict[str, str], case_id: int, stop: asyncio.Event
) -> list[float]:
    latencies = []
    number = 0
    while not stop.is_set():
        number += 1
        body = {
            "case_id": case_id,
            "to_facility_id": "county-hospital",
            "pathway": "stemi",
            "summary": f"flood bench alert {number} (synthetic)",
        }
        started = time.perf_counter()
        answer = await client.post("/api/v1/alerts", json=body, headers=sender)
        answer.raise_for_status()
        seq = int(answer.json()["seq"])
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if frame.get("seq") == seq:
                break
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(ALERT_EVERY_S)
    return latencies


async def _phase(
    client: httpx.AsyncClient,
    ws: Any,
    sender: dict[str, str],
    case_id: int,
    seconds: float,
    flooding: bool,
) -> dict[str, Any]:
    stop = asyncio.Event()
    health = asyncio.create_task(_health_sampler(client, stop))
    alerts = asyncio.create_task(_alert_sampler(client, ws, sender, case_id, stop))
    statuses: dict[str, int] = {}
    if flooding:
        flooder = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.login_flood",
            "flood",
            f"http://127.0.0.1:{PORT}",
            str(RATE),
            str(seconds),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await flooder.communicate()
        statuses = json.loads(out.decode().strip().splitlines()[-1])
    else:
        await asyncio.sleep(seconds)  # the baseline: the same sampling with nothing else going on
    stop.set()
    healthz, alert_ms = await health, await alerts
    return {
        "healthz_p50_ms": percentile(healthz, 50),
        "healthz_p99_ms": percentile(healthz, 99),
        "healthz_samples": len(healthz),
        "alert_p50_ms": percentile(alert_ms, 50),
        "alert_max_ms": max(alert_ms),
        "alert_samples": len(alert_ms),
        "login_statuses": statuses,
    }


def main(quick: bool = False) -> dict[str, Any]:
    """Serve one process on the bench database, measure both phases, write the figures."""
    prepare_database()
    server = start_api_server(DATABASE, PORT)
    try:
        return asyncio.run(_run(quick))
    finally:
        server.terminate()
        server.wait(timeout=10)


async def _run(quick: bool) -> dict[str, Any]:
    url = f"http://127.0.0.1:{PORT}"
    await forget_failures()
    await wait_ready(url, 90)
    seconds = SECONDS_QUICK if quick else SECONDS
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        tokens = {}
        for user in ("township-th-nandun", "cathlab-county-hospital"):
            answer = await client.post(
                "/api/v1/auth/token", data={"username": user, "password": "demo"}
            )
            answer.raise_for_status()
            tokens[user] = answer.json()["access_token"]
        sender = {"Authorization": f"Bearer {tokens['township-th-nandun']}"}
        case = await client.post(
            "/api/v1/cases",
            json={"pathway": "stemi", "location": {"lon": 114.76, "lat": 33.56}},
            headers=sender,
        )
        case.raise_for_status()
        case_id = int(case.json()["id"])
        head = (
            await client.get(
                "/api/v1/facilities/county-hospital/alerts?since=0&limit=1",
                headers={"Authorization": f"Bearer {tokens['cathlab-county-hospital']}"},
            )
        ).json()["head"]
        screen = tokens["cathlab-county-hospital"]
        (ticket,) = await ws_tickets(client, f"http://127.0.0.1:{PORT}", screen, 1)
        path = f"/ws/facilities/county-hospital/alerts?since={head}&ticket={ticket}"
        rounds = []
        async with websockets.connect(f"ws://127.0.0.1:{PORT}{path}", compression=None) as ws:
            for _ in range(ROUNDS_QUICK if quick else ROUNDS):
                baseline = await _phase(client, ws, sender, case_id, seconds, flooding=False)
                flooded = await _phase(client, ws, sender, case_id, seconds, flooding=True)
                rounds.append({"baseline": baseline, "flood": flooded})
                print(json.dumps(rounds[-1]))
    figures = {
        side: {
            key: round(median([r[side][key] for r in rounds]), 2)
            for key in ("healthz_p50_ms", "healthz_p99_ms", "alert_p50_ms", "alert_max_ms")
        }
        for side in ("baseline", "flood")
    }
    data = {
        "quick": quick,
        "question": f"{RATE} wrong logins/s from one address: /healthz and alert → screen",
        "method": {
            "server": "1 uvicorn process, default login settings (pool 2 workers + 8 queued)",
            "flood": f"{RATE}/s for {seconds} s from a separate client process, 50 usernames",
            "healthz": f"sequential GETs every {HEALTH_EVERY_S * 1000:.0f} ms",
            "alert": "POST /alerts start → frame on a websocket screen, one every "
            f"{ALERT_EVERY_S * 1000:.0f} ms",
            "figures": "median over rounds of each round's percentile",
        },
        "rounds": rounds,
        "figures": figures,
        "goals": {
            "healthz_p99_under_50ms_in_flood": figures["flood"]["healthz_p99_ms"] < 50,
            "alert_max_under_100ms_in_flood": figures["flood"]["alert_max_ms"] < 100,
        },
    }
    path = write_results("login_flood-quick" if quick else "login_flood", data)
    data["results_file"] = str(path)
    return data


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "flood":
    print(json.dumps(asyncio.run(flood(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))))

"""Field load (issue 17): many ambulances sending a GPS fix every 10 s, many screens and
tablets connected over several API processes, alerts and stamps every minute, for minutes:
alert delivery p50/p99 against a bare ``websockets`` broadcast baseline measured in the same
run (before the load and halfway through it: ``bench/bare_baseline.py``), alerts lost, CPU and
memory per API process and of PostgreSQL (127.0.0.1 only).

Full size (the issue's): 5,000 ambulances, 10,000 connections (5,000 wall screens on the county
cath lab's stream, 5,000 tablets on the ambulances' mission streams), 4 API processes, 100
alerts and 1,000 stamps a minute, 10 minutes. ``INFOFIRST_BENCH_LOAD_<KEY>`` overrides a key of
``FULL`` (e.g. ``INFOFIRST_BENCH_LOAD_MINUTES=3``); ``--quick`` is a smoke-sized run.

Run: ``.venv/bin/infofirst bench field_load`` (writes bench/results/field_load.json); with
``INFOFIRST_BENCH_LOAD_LAB=1`` on the HA lab of ``make ha-test`` (tests/ha/lab.py: etcd,
Patroni, a primary and a synchronous standby; ``scripts/ha-deps.sh`` first; the servers connect
as the application role, as production does), writing bench/results/field_load_lab.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

import asyncpg
import httpx

from bench.alert_delivery import BASELINE_SERVER, ScreenPool, wait_ready
from bench.bare_baseline import BareScreens
from bench.common import (
    fetch_rows,
    percentile,
    prepare_demo_database,
    start_api_server,
    write_results,
)
from bench.crew_sessions import session_tokens
from bench.field_alerts import ALERT_CASES, ALERTS_IN_FLIGHT, send_alerts
from bench.procstat import CpuWatch, memory_kib, postgres_pids
from dispatch.dsn import asyncpg_dsn
from dispatch.settings import Settings

FULL = {
    "ambulances": 5000,
    "fix_every_s": 10,
    "walls": 5000,
    "tablets": 5000,
    "apis": 4,
    "alerts_per_min": 100,
    "stamps_per_min": 1000,
    "minutes": 10.0,
}
QUICK = {**FULL, "ambulances": 60, "walls": 20, "tablets": 20, "apis": 2, "minutes": 0.25}
FIRST_PORT = 18201
BASELINE_PORT = 18299
BASELINE_ALERTS = 20
DATABASE = os.environ.get(
    "INFOFIRST_BENCH_LOAD_DATABASE_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_bench_load",
)


def scale(quick: bool) -> dict[str, float]:
    """The run's size: FULL or QUICK, with the environment's overrides."""
    chosen: dict[str, float] = dict(QUICK if quick else FULL)
    for key in chosen:
        value = os.environ.get(f"INFOFIRST_BENCH_LOAD_{key.upper()}")
        if value:
            chosen[key] = float(value)
    return chosen


async def add_ambulances(database: str, count: int) -> list[str]:
    """``count`` synthetic ambulances at the county station (ids load-00001, ...)."""
    connection = await asyncpg.connect(asyncpg_dsn(database))
    try:
        await connection.execute(
            "INSERT INTO ambulances (id, callsign, station_id, status, crew_capability, synthetic)"
            " SELECT 'load-' || lpad(g::text, 5, '0'), 'LOAD-' || g, 'as-county', 'available',"
            " '{}', true FROM generate_series(1, $1) g ON CONFLICT (id) DO NOTHING",
            count,
        )
    finally:
        await connection.close()
    return [f"load-{n:05d}" for n in range(1, count + 1)]


async def tickets(apis: list[str], tokens: list[str]) -> list[str]:
    """A one-time websocket ticket for each token, 16 requests at a time over the APIs."""
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(n: int) -> str:
            async with gate:
                answer = await client.post(
                    f"{apis[n % len(apis)]}/api/v1/auth/ws-ticket",
                    headers={"Authorization": f"Bearer {tokens[n]}"},
                )
                answer.raise_for_status()
                return str(answer.json()["ticket"])

        return await asyncio.gather(*(one(n) for n in range(len(tokens))))


async def _track_rows(database: str) -> dict[str, int]:
    """The GPS track's rows per monthly partition (issue 17: partitioned, kept by month)."""
    rows = await fetch_rows(
        database,
        "SELECT tableoid::regclass::text AS part, count(*) AS n FROM ambulance_positions"
        " GROUP BY 1 ORDER BY 1",
    )
    return {str(row["part"]): int(row["n"]) for row in rows}


async def _login(client: httpx.AsyncClient, user: str) -> str:
    answer = await client.post("/auth/token", data={"username": user, "password": "demo"})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def _cases(client: httpx.AsyncClient, headers: dict[str, str], count: int) -> list[int]:
    made = []
    for _ in range(count):
        case = await client.post(
            "/cases",
            json={"pathway": "stemi", "location": {"lon": 114.76, "lat": 33.56}},
            headers=headers,
        )
        case.raise_for_status()
        made.append(int(case.json()["id"]))
    return made


async def _run(
    size: dict[str, float], apis: list[str], pids: list[int], database: str
) -> dict[str, Any]:
    for api in apis:
        await wait_ready(api, limit=60)
    async with httpx.AsyncClient(base_url=f"{apis[0]}/api/v1", timeout=30) as client:
        admin = await _login(client, "admin")
        sender_token = await _login(client, "township-th-nandun")
        cathlab = await _login(client, "cathlab-county-hospital")
        sender = {"Authorization": f"Bearer {sender_token}"}
        alert_cases = await _cases(client, sender, ALERT_CASES)
        stamp_cases = await _cases(client, {"Authorization": f"Bearer {admin}"}, 40)
        head = (
            await client.get(
                "/facilities/county-hospital/alerts",
                params={"since": 0, "limit": 1},
                headers={"Authorization": f"Bearer {cathlab}"},
            )
        ).json()["head"]
    walls_n, tablets_n = int(size["walls"]), int(size["tablets"])
    bare = BareScreens(BASELINE_PORT, walls_n)
    await bare.open()
    base = await bare.round(BASELINE_ALERTS)
    ambulances = [f"load-{n:05d}" for n in range(1, int(size["ambulances"]) + 1)]
    crew_tokens = await session_tokens(database, "admin", len(ambulances))
    crews = dict(zip(ambulances, crew_tokens, strict=True))
    wall_urls = [
        f"{apis[i % len(apis)].replace('http', 'ws')}/ws/facilities/county-hospital/alerts"
        f"?since={head}&ticket={ticket}"
        for i, ticket in enumerate(await tickets(apis, [cathlab] * walls_n))
    ]
    tablet_urls = [
        f"{apis[i % len(apis)].replace('http', 'ws')}/ws/ambulances/"
        f"{ambulances[i % len(ambulances)]}/missions?ticket={ticket}"
        for i, ticket in enumerate(
            await tickets(apis, [crews[ambulances[i % len(ambulances)]] for i in range(tablets_n)])
        )
    ]
    walls, tablets = ScreenPool(4), ScreenPool(2)
    opened = time.monotonic()
    await walls.open(wall_urls)
    await tablets.open(tablet_urls)
    connect_s = time.monotonic() - opened
    await asyncio.sleep(1.0)  # every screen's (empty) replay done and subscribed
    order = {
        "apis": apis,
        "token": admin,
        "crews": crews,
        "ambulances": ambulances,
        "cases": stamp_cases,
        "fix_every_s": size["fix_every_s"],
        "stamps_per_min": size["stamps_per_min"],
        "seconds": size["minutes"] * 60,
    }
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.field_writers",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=2**24,
    )
    groups = {f"api_{n + 1}": [pid] for n, pid in enumerate(pids)}
    cpu = CpuWatch(groups)
    cpu.start()
    if writer.stdin is None or writer.stdout is None:
        raise RuntimeError("the writers' process has no pipes")
    writer.stdin.write((json.dumps(order) + "\n").encode())
    await writer.stdin.drain()
    halfway = asyncio.create_task(bare.round_after(size["minutes"] * 30, BASELINE_ALERTS))
    try:
        alerts = await send_alerts(apis, sender, alert_cases, walls, size)
        loaded = await halfway
    finally:
        halfway.cancel()  # done already, unless the alerts failed
    written = json.loads(await asyncio.wait_for(writer.stdout.readline(), 180))
    await writer.wait()
    used = cpu.stop()
    memory = {f"api_{n + 1}": memory_kib(pid) for n, pid in enumerate(pids)}
    pg = [memory_kib(pid) for pid in postgres_pids()]
    memory["postgresql"] = {k: sum(m[k] for m in pg) for k in ("pss_kib", "rss_kib")}
    await walls.close()
    await tablets.close()
    await bare.close()
    track = await _track_rows(database)
    ours = alerts.pop("after_return_ms")
    return {
        "connections": walls_n + tablets_n,
        "connect_seconds": round(connect_s, 1),
        "alerts": {
            **alerts,
            "screens_each": walls_n,
            "p50_ms": round(percentile(ours, 50), 2) if ours else None,
            "p99_ms": round(percentile(ours, 99), 2) if ours else None,
            **_against("baseline", base, ours),
            **_against("baseline_under_load", loaded, ours),
        },
        "writers": written,
        "gps_track": track,
        "cpu": used,
        "memory": memory,
    }


def _against(name: str, base: list[float], ours: list[float]) -> dict[str, float | None]:
    """A baseline's p50/p99 and ours over it (``p50_ratio``; ``baseline_under_load``:
    ``p50_ratio_under_load``)."""
    suffix = name.removeprefix("baseline")
    figures: dict[str, float | None] = {
        f"{name}_p50_ms": round(percentile(base, 50), 2),
        f"{name}_p99_ms": round(percentile(base, 99), 2),
    }
    for q in (50, 99):
        ratio = percentile(ours, q) / max(percentile(base, q), 0.01) if ours else None
        figures[f"p{q}_ratio{suffix}"] = None if ratio is None else round(ratio, 2)
    return figures


def main(quick: bool = False) -> dict[str, Any]:
    """Run on the local server (or, with INFOFIRST_BENCH_LOAD_LAB=1, on the HA lab: Patroni,
    a primary and a synchronous standby) and write the figures."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    size = scale(quick)
    on_lab = os.environ.get("INFOFIRST_BENCH_LOAD_LAB") == "1"
    if on_lab:
        from tests.ha.lab import Lab, app_lab_url, lab_url

        with Lab() as lab:  # its servers as the application role, as production runs
            figures = _on(lab_url(), size, app_lab_url())
            figures["where"] = "the HA lab: etcd x3, Patroni, primary + synchronous standby"
            figures["lab_timings"] = lab.timings
    else:
        prepare_demo_database(DATABASE)
        figures = _on(DATABASE, size)
        figures["where"] = "the local PostgreSQL on 5432, no standby"
    data = {
        "question": "the county's field load on one host: alert delivery under GPS, stamps and "
        "10,000 connections, against a bare broadcast server",
        "quick": quick,
        "size": size,
        # the servers read the same environment: what a run's figures depend on among them
        "server_settings": {"session_cache_seconds": Settings().session_cache_seconds},
        **figures,
        "method": {
            "ours": f"{int(size['apis'])} uvicorn processes, PostgreSQL on this host; the walls "
            "on the county cath lab's stream, the tablets on the ambulances' mission streams, "
            "spread over the processes; alerts and fixes round-robin over them",
            "baseline": "bare websockets server: answer the sender, then broadcast() to as "
            f"many screens; {BASELINE_ALERTS} broadcasts before the load starts (baseline_*) "
            "and again halfway through it (baseline_under_load_*), its screens open throughout",
            "alert_timing": "from the POST's answer (after its commit) to the frame on each wall",
            "alerts": f"open loop: each POST starts on the schedule (at most {ALERTS_IN_FLIGHT} "
            f"unanswered), round {ALERT_CASES} cases opened by the township sender",
            "writers": "GPS fixes and stamps from one client process (aiohttp; at most 128 "
            "fix requests and 32 stamps in flight; each ambulance an outbox that sends the "
            "fixes waiting as one batch when its previous request has its answer); each "
            "ambulance's fixes and its tablet's socket on a session of its own (the demo "
            "admin's, bench/crew_sessions.py), as each crew signs in on its own tablet; the "
            "stamps as the admin",
            "postgresql": "CPU and PSS of every postgres process on the host",
        },
    }
    name = "field_load" + ("_lab" if on_lab else "")
    path = write_results(name + ("-quick" if quick else ""), data)
    data["results_file"] = str(path)
    return data


def _on(database: str, size: dict[str, float], servers_url: str | None = None) -> dict[str, Any]:
    """Start the servers (on ``servers_url``, default ``database``) and the baseline, run, stop
    them; ``database`` (the owner's) adds the ambulances and counts the GPS track's rows."""
    asyncio.run(add_ambulances(database, int(size["ambulances"])))
    ports = [FIRST_PORT + n for n in range(int(size["apis"]))]
    servers = [
        start_api_server(
            servers_url or database,
            port,
            "--ws-per-message-deflate",
            "false",
            ws_queue_size="1024",
            # thousands of tickets are issued before the screens open (a real screen uses its
            # own at once): good for the whole connecting phase
            ws_ticket_seconds="600",
        )
        for port in ports
    ]
    bare = subprocess.Popen([sys.executable, "-c", BASELINE_SERVER, str(BASELINE_PORT)])  # noqa: S603
    try:
        apis = [f"http://127.0.0.1:{port}" for port in ports]
        return asyncio.run(_run(size, apis, [s.pid for s in servers], database))
    finally:
        for process in (*servers, bare):
            process.terminate()
        for process in (*servers, bare):
            process.wait(timeout=20)

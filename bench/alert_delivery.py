"""Alert delivery latency: from the sender's POST returning to the frame arriving on every
screen, with 1, 100 and 1,000 screens spread over 2 server processes, against a bare
``websockets`` broadcast server sending the same frames, in the same run (127.0.0.1 only).

Run: ``.venv/bin/infofirst bench alert_delivery`` (writes bench/results/alert_delivery.json).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.common import median, percentile, prepare_demo_database, start_api_server, write_results
from bench.tickets import ws_tickets

ROOT = Path(__file__).resolve().parent.parent
PORTS = (18101, 18102)
CLIENT_PROCESSES = 4  # the screens are played by this many client processes
ROUNDS, ROUNDS_QUICK = 3, 1  # figures are the median over rounds
BASELINE_PORT = 18103
DATABASE = os.environ.get(
    "INFOFIRST_BENCH_ALERTS_DATABASE_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_bench_alerts",
)
BASELINE_SERVER = textwrap.dedent(
    """
    import asyncio, json, sys, websockets
    screens = set()
    async def handler(ws):
        if ws.request.path == "/send":
            async for message in ws:
                await ws.send("ok")  # accepted, as our POST answers once committed
                websockets.broadcast(screens, message)
            return
        screens.add(ws)
        try:
            await ws.wait_closed()
        finally:
            screens.discard(ws)
    async def main():
        async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), compression=None):
            await asyncio.Future()
    asyncio.run(main())
    """
)


def prepare_database() -> None:
    """Migrate the bench database and load the demo county (synthetic)."""
    prepare_demo_database(DATABASE)


async def wait_ready(url: str, limit: float = 30) -> None:
    """Wait until the server answers /readyz with 200 (at most ``limit`` s)."""
    deadline = time.monotonic() + limit
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


class ScreenPool:
    """Screens spread over several client processes (``bench.screen_client``)."""

    def __init__(self, processes: int = CLIENT_PROCESSES) -> None:
        self.processes = processes
        self.clients: list[asyncio.subprocess.Process] = []

    async def open(self, urls: list[str]) -> None:
        shares = [urls[i :: self.processes] for i in range(self.processes)]
        for share in (s for s in shares if s):
            client = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.screen_client",
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=2**24,
            )
            self.clients.append(client)
            await self._say(client, json.dumps({"urls": share}))
        for client in self.clients:
            if await self._hear(client) != "ready":
                raise RuntimeError("a bench screen client failed to connect its screens")

    async def wait(self, seq: int) -> list[float]:
        """Every screen's arrival time of ``seq`` (perf_counter seconds)."""
        for client in self.clients:
            await self._say(client, f"wait {seq}")
        arrived: list[float] = []
        for client in self.clients:
            arrived += json.loads(await self._hear(client))
        return arrived

    async def close(self) -> None:
        for client in self.clients:
            await self._say(client, "quit")
            await asyncio.wait_for(client.wait(), 20)

    @staticmethod
    async def _say(client: asyncio.subprocess.Process, line: str) -> None:
        if client.stdin is None:
            raise RuntimeError("the screen client has no stdin pipe")
        client.stdin.write(f"{line}\n".encode())
        await client.stdin.drain()

    @staticmethod
    async def _hear(client: asyncio.subprocess.Process) -> str:
        if client.stdout is None:
            raise RuntimeError("the screen client has no stdout pipe")
        return (await asyncio.wait_for(client.stdout.readline(), 60)).decode().strip()


async def measure_ours(
    screens_n: int, alerts: int, token: str, sender: dict[str, str], case_id: int
) -> tuple[list[float], list[float]]:
    """(after the POST returned, from the POST's start) in ms, for every screen and alert."""
    after_return: list[float] = []
    end_to_end: list[float] = []
    async with httpx.AsyncClient(timeout=30) as client:
        replay = await client.get(
            f"http://127.0.0.1:{PORTS[0]}/api/v1/facilities/county-hospital/alerts?since=0&limit=1",
            headers={"Authorization": f"Bearer {token}"},
        )
        head = replay.json()["head"]
        screens = ScreenPool()
        path = f"/ws/facilities/county-hospital/alerts?since={head}"
        tickets = await ws_tickets(client, f"http://127.0.0.1:{PORTS[0]}", token, screens_n)
        urls = [
            f"ws://127.0.0.1:{PORTS[i % 2]}{path}&ticket={ticket}"
            for i, ticket in enumerate(tickets)
        ]
        await screens.open(urls)
        await asyncio.sleep(0.5)  # let every screen finish its (empty) replay and subscribe
        for number in range(alerts):
            port = PORTS[number % 2]
            body = {
                "case_id": case_id,
                "to_facility_id": "county-hospital",
                "pathway": "stemi",
                "summary": f"bench alert {number} (synthetic)",
                "vitals": {"hr": 90, "bp": "150/90", "spo2": 96},
            }
            url = f"http://127.0.0.1:{port}/api/v1/alerts"
            started = time.perf_counter()
            response = await client.post(url, json=body, headers=sender)
            returned = time.perf_counter()
            response.raise_for_status()
            arrived = await screens.wait(int(response.json()["seq"]))
            after_return += [max(0.0, t - returned) * 1000 for t in arrived]
            end_to_end += [(t - started) * 1000 for t in arrived]
        await screens.close()
    return after_return, end_to_end


async def measure_baseline(
    screens_n: int, alerts: int, frame: dict[str, Any]
) -> tuple[list[float], list[float]]:
    """The same two measures for the bare broadcast server."""
    after_return: list[float] = []
    end_to_end: list[float] = []
    async with AsyncExitStack() as stack:
        screens = ScreenPool()
        await screens.open([f"ws://127.0.0.1:{BASELINE_PORT}/screen"] * screens_n)
        control = await stack.enter_async_context(
            websockets.connect(f"ws://127.0.0.1:{BASELINE_PORT}/send", compression=None)
        )
        await asyncio.sleep(0.5)
        for number in range(alerts):
            started = time.perf_counter()
            await control.send(json.dumps({**frame, "seq": number + 1}))
            await control.recv()
            returned = time.perf_counter()
            arrived = await screens.wait(number + 1)
            after_return += [max(0.0, t - returned) * 1000 for t in arrived]
            end_to_end += [(t - started) * 1000 for t in arrived]
        await screens.close()
    return after_return, end_to_end


def main(quick: bool = False) -> dict[str, Any]:
    """Run both sides for each screen count and write the figures."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    levels = (1, 20) if quick else (1, 100, 1000)
    alerts = 5 if quick else 20
    prepare_database()
    servers = [
        start_api_server(DATABASE, port, "--ws-per-message-deflate", "false", ws_queue_size="1024")
        for port in PORTS
    ]
    baseline = subprocess.Popen([sys.executable, "-c", BASELINE_SERVER, str(BASELINE_PORT)])  # noqa: S603
    try:
        return asyncio.run(_run(levels, alerts, quick))
    finally:
        for process in (*servers, baseline):
            process.terminate()
        for process in (*servers, baseline):
            process.wait(timeout=10)


async def _run(levels: tuple[int, ...], alerts: int, quick: bool) -> dict[str, Any]:
    for port in PORTS:
        await wait_ready(f"http://127.0.0.1:{port}")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORTS[0]}/api/v1") as client:
        tokens = {}
        for user in ("township-th-nandun", "cathlab-county-hospital"):
            answer = await client.post("/auth/token", data={"username": user, "password": "demo"})
            tokens[user] = answer.json()["access_token"]
        sender = {"Authorization": f"Bearer {tokens['township-th-nandun']}"}
        case = await client.post(
            "/cases",
            json={"pathway": "stemi", "location": {"lon": 114.76, "lat": 33.56}},
            headers=sender,
        )
        case_id = int(case.json()["id"])
    sample = {
        "type": "alert.created",
        "epoch": 1,
        "alert": {"summary": "x" * 400, "vitals": {"hr": 90}},
    }
    results = []
    cathlab = tokens["cathlab-county-hospital"]
    for screens in levels:
        rounds = []
        for _ in range(ROUNDS_QUICK if quick else ROUNDS):
            ours, ours_total = await measure_ours(screens, alerts, cathlab, sender, case_id)
            base, base_total = await measure_baseline(screens, alerts, sample)
            rounds.append(
                {
                    "ours_p50_ms": percentile(ours, 50),
                    "ours_p99_ms": percentile(ours, 99),
                    "baseline_p50_ms": percentile(base, 50),
                    "baseline_p99_ms": percentile(base, 99),
                    "ours_end_to_end_p50_ms": percentile(ours_total, 50),
                    "ours_end_to_end_p99_ms": percentile(ours_total, 99),
                    "baseline_end_to_end_p50_ms": percentile(base_total, 50),
                    "baseline_end_to_end_p99_ms": percentile(base_total, 99),
                    "all_delivered": len(ours) == screens * alerts,
                }
            )
        row: dict[str, Any] = {
            "screens": screens,
            "alerts_per_round": alerts,
            "rounds": len(rounds),
        }
        for key in rounds[0]:
            if key != "all_delivered":
                row[key] = round(median([r[key] for r in rounds]), 2)
        row["p99_ratio"] = round(row["ours_p99_ms"] / max(row["baseline_p99_ms"], 0.01), 2)
        row["end_to_end_p99_ratio"] = round(
            row["ours_end_to_end_p99_ms"] / max(row["baseline_end_to_end_p99_ms"], 0.01), 2
        )
        row["all_delivered"] = all(r["all_delivered"] for r in rounds)
        row["per_round_ours_p99_ms"] = [round(r["ours_p99_ms"], 2) for r in rounds]
        results.append(row)
        print(json.dumps(row))
    top = results[-1]
    data = {
        "benchmark": "alert_delivery",
        "quick": quick,
        "question": "POST /alerts returning → frame on every screen, screens over 2 processes",
        "method": {
            "ours": "2 uvicorn processes; screens and POSTs alternate between them; NOTIFY bell",
            "clients": f"screens played by {CLIENT_PROCESSES} client processes",
            "baseline": "bare websockets server: answer the sender, then broadcast()",
            "alerts_per_round": alerts,
            "figures": "median over rounds of each round's percentile",
        },
        "levels": results,
        "note": (
            "both sides are timed from the moment the sender is told the frame is accepted "
            "(our POST returning after its commit; the bare server's 'ok', sent before it "
            "broadcasts) to the frame on each screen; end to end adds the sender's request "
            "itself, which for us is a whole transaction (case, stamps, alert, three streams)"
        ),
        "median_p99_ratio": median([r["p99_ratio"] for r in results]),
        "goals": {
            "p99_under_50ms_at_top": top["ours_p99_ms"] < 50,
            "within_3x_baseline_at_top": top["p99_ratio"] <= 3,
        },
    }
    path = write_results("alert_delivery-quick" if quick else "alert_delivery", data)
    data["results_file"] = str(path)
    return data

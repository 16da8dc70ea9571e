"""The field load's writers, in a process of their own (``python -m bench.field_writers``), so
that sending 500 GPS fixes a second does not slow the main process's alert timing.

In: one JSON line on stdin (the APIs, tokens, ambulances, cases, rates, seconds). Out: one JSON
line, the figures, once the time is up and every request sent has its answer. Bounded: the run
ends after its seconds; each request has a 30 s timeout; at most ``CONCURRENCY`` in flight.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.common import percentile

CONCURRENCY = 128
MILESTONES = ("unit_notified", "unit_en_route", "unit_on_scene", "first_medical_contact")


class Tally:
    """Answers of one kind of request: statuses and the request times of the 2xx, in ms."""

    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.ms: list[float] = []

    def figures(self, seconds: float) -> dict[str, Any]:
        ok = sum(n for s, n in self.statuses.items() if s.startswith("2"))
        return {
            "sent": sum(self.statuses.values()),
            "acknowledged": ok,
            "per_second": round(ok / seconds, 1),
            "statuses": dict(self.statuses),
            "p50_ms": round(percentile(self.ms, 50), 2) if self.ms else None,
            "p99_ms": round(percentile(self.ms, 99), 2) if self.ms else None,
        }


async def _send(
    client: httpx.AsyncClient, gate: asyncio.Semaphore, tally: Tally, url: str, **kw: Any
) -> None:
    async with gate:
        started = time.perf_counter()
        try:
            response = await client.post(url, **kw)
        except httpx.HTTPError as exc:
            tally.statuses[type(exc).__name__] += 1
            return
        tally.statuses[str(response.status_code)] += 1
        if response.is_success:
            tally.ms.append((time.perf_counter() - started) * 1000)


async def run(order: dict[str, Any]) -> dict[str, Any]:
    apis: list[str] = order["apis"]
    headers = {"Authorization": f"Bearer {order['token']}"}
    ambulances: list[str] = order["ambulances"]
    cases: list[int] = order["cases"]
    seconds = float(order["seconds"])
    tick = 0.1
    fixes_per_tick = len(ambulances) / float(order["fix_every_s"]) * tick
    stamps_per_tick = float(order["stamps_per_min"]) / 60 * tick
    gps, stamps = Tally(), Tally()
    gate = asyncio.Semaphore(CONCURRENCY)
    tasks: set[asyncio.Task[None]] = set()
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.monotonic()
        fixes_due = stamps_due = 0.0
        next_ambulance = next_stamp = 0
        behind = 0  # ticks that found the previous tick's fixes still waiting for the gate
        while (now := time.monotonic()) - started < seconds:
            fixes_due += fixes_per_tick
            stamps_due += stamps_per_tick
            if len(tasks) > CONCURRENCY:
                behind += 1
            while fixes_due >= 1:
                fixes_due -= 1
                ambulance = ambulances[next_ambulance % len(ambulances)]
                api = apis[next_ambulance % len(apis)]
                next_ambulance += 1
                body = {
                    "lon": 114.70 + (next_ambulance % 97) * 0.0025,
                    "lat": 33.40 + (next_ambulance % 89) * 0.002,
                    "recorded_at": datetime.now(UTC).isoformat(),
                    "speed_kmh": 40.0,
                }
                url = f"{api}/api/v1/ambulances/{ambulance}/positions"
                task = asyncio.create_task(
                    _send(client, gate, gps, url, json=body, headers=headers)
                )
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            while stamps_due >= 1:
                stamps_due -= 1
                case_id = cases[next_stamp % len(cases)]
                api = apis[next_stamp % len(apis)]
                at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
                body = {
                    "milestone": MILESTONES[next_stamp // len(cases) % len(MILESTONES)],
                    "at": at,
                }
                next_stamp += 1
                url = f"{api}/api/v1/cases/{case_id}/events"
                task = asyncio.create_task(
                    _send(client, gate, stamps, url, json=body, headers=headers)
                )
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.sleep(max(0.0, tick - (time.monotonic() - now)))
        sent_for = time.monotonic() - started
        if tasks:
            await asyncio.wait(tasks, timeout=60)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": round(sent_for, 1),
        "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "gps": gps.figures(sent_for),
        "stamps": stamps.figures(sent_for),
        "ticks_behind": behind,
    }


def main() -> None:
    order = json.loads(sys.stdin.readline())
    print(json.dumps(asyncio.run(run(order))), flush=True)


if __name__ == "__main__":
    main()

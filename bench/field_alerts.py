"""The field load's alerts (``bench/field_load.py``): sent open loop at the rate asked for by
the township sender, each timed from its POST's answer to the frame on every wall screen."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import httpx

from bench.alert_delivery import ScreenPool
from bench.common import percentile
from bench.field_writers import KEEPALIVE_S

ALERTS_IN_FLIGHT = 16  # alerts sent and not yet answered, at most (as the writers' bounds)
ALERT_CASES = 20  # the alerts go round these cases (not all on one case's row lock)


async def send_alerts(
    apis: list[str],
    sender: dict[str, str],
    cases: list[int],
    walls: ScreenPool,
    size: dict[str, float],
) -> dict[str, Any]:
    """Alerts at the rate asked for, each timed to every wall screen. Open loop: each POST
    starts on the schedule, whether or not the ones before it have their answer (at most
    ``ALERTS_IN_FLIGHT`` out; one due while the bound is full is counted as not sent), so a
    slow answer does not lower the rate offered; the walls' arrivals are collected beside them,
    so a slow delivery does not hold the next alert back either."""
    every = 60.0 / size["alerts_per_min"]
    seconds = size["minutes"] * 60
    after: list[float] = []
    post_ms: list[float] = []
    posted = lost = not_sent = 0
    failed: Counter[str] = Counter()  # failed requests by status or transport error
    answered: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    in_flight: set[asyncio.Task[None]] = set()

    async def collect() -> None:
        nonlocal lost
        while (item := await answered.get()) is not None:
            seq, returned = item
            arrived = await walls.wait(seq)
            after.extend(max(0.0, t - returned) * 1000 for t in arrived)
            lost += int(size["walls"]) - len(arrived)

    async def post(client: httpx.AsyncClient, number: int) -> None:
        body = {
            "case_id": cases[number % len(cases)],
            "to_facility_id": "county-hospital",
            "pathway": "stemi",
            "summary": f"load alert {number} (synthetic)",
            "vitals": {"hr": 90, "bp": "150/90", "spo2": 96},
        }
        begun = time.perf_counter()
        try:
            response = await client.post(
                f"{apis[number % len(apis)]}/api/v1/alerts", json=body, headers=sender
            )
        except httpx.TransportError as error:  # counted, as a refused one; the run goes on
            failed[type(error).__name__] += 1
            return
        returned = time.perf_counter()
        if response.is_success:
            post_ms.append((returned - begun) * 1000)
            answered.put_nowait((int(response.json()["seq"]), returned))
        else:
            failed[str(response.status_code)] += 1

    collector = asyncio.create_task(collect())
    started = time.monotonic()
    limits = httpx.Limits(max_connections=ALERTS_IN_FLIGHT, keepalive_expiry=KEEPALIVE_S)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        number = 0
        while (now := time.monotonic()) - started < seconds:
            if len(in_flight) >= ALERTS_IN_FLIGHT:
                not_sent += 1
            else:
                posted += 1
                task = asyncio.create_task(post(client, number))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            number += 1
            await asyncio.sleep(max(0.0, started + number * every - now))
        sent_for = time.monotonic() - started
        if in_flight:
            await asyncio.wait(set(in_flight), timeout=60)
    answered.put_nowait(None)
    await collector
    return {
        "posted": posted,
        "posted_per_min": round(posted / (sent_for / 60), 1),
        "answered_per_min": round(len(post_ms) / (sent_for / 60), 1),
        "not_sent_client_bound": not_sent,
        "post_p50_ms": round(percentile(post_ms, 50), 2) if post_ms else None,
        "post_p99_ms": round(percentile(post_ms, 99), 2) if post_ms else None,
        "failed": sum(failed.values()),
        "failed_by": dict(failed),
        "frames_lost": lost,
        "after_return_ms": after,
    }

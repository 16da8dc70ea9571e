"""The field load's writers, in a process of their own (``python -m bench.field_writers``), so
that sending 500 GPS fixes a second does not slow the main process's alert timing.

In: one JSON line on stdin (the APIs, the stamps' token and each ambulance's own, ambulances,
cases, rates, seconds). Out: one JSON line, the figures, once the time is up and every request
sent has its answer (or 60 s passed).

Each ambulance is a tablet with an outbox: every ``fix_every_s`` seconds it adds a fix; it
sends what its outbox holds (one fix, or a batch of the fixes that waited) when it has no
request of its own in flight and the writers' process has fewer than ``GPS_IN_FLIGHT`` requests
out, as the field app's outbox does. So a server that cannot keep up is answered with batches
and a growing delay, never with an unbounded pile of client tasks; fixes offered and fixes
acknowledged are both counted. Stamps have their own bound (``STAMPS_IN_FLIGHT``); a stamp due
while the bound is full is counted as not sent. aiohttp, not httpx: about a third of the
client CPU per request, which this process takes from the servers on the same cores.
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

import aiohttp

from bench.common import percentile

GPS_IN_FLIGHT = 128
STAMPS_IN_FLIGHT = 32
KEEPALIVE_S = 4.0  # under uvicorn's --timeout-keep-alive (5 s)
MAX_BATCH = 1000  # the server's default INFOFIRST_MAX_POSITIONS_PER_BATCH
MILESTONES = ("unit_notified", "unit_en_route", "unit_on_scene", "first_medical_contact")


class Tally:
    """Answers of one kind of request: statuses and the request times of the 2xx, in ms."""

    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.ms: list[float] = []
        self.not_sent = 0

    def figures(self, seconds: float) -> dict[str, Any]:
        ok = sum(n for s, n in self.statuses.items() if s.startswith("2"))
        return {
            "sent": sum(self.statuses.values()),
            "acknowledged": ok,
            "per_second": round(ok / seconds, 1),
            "statuses": dict(self.statuses),
            "not_sent_client_bound": self.not_sent,
            "p50_ms": round(percentile(self.ms, 50), 2) if self.ms else None,
            "p99_ms": round(percentile(self.ms, 99), 2) if self.ms else None,
        }


async def _post(
    client: aiohttp.ClientSession, tally: Tally, url: str, body: Any, headers: dict[str, str]
) -> bool:
    started = time.perf_counter()
    try:
        async with client.post(url, json=body, headers=headers) as response:
            await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        tally.statuses[type(exc).__name__] += 1
        return False
    tally.statuses[str(status)] += 1
    if 200 <= status < 300:
        tally.ms.append((time.perf_counter() - started) * 1000)
        return True
    return False


class Outboxes:
    """The tablets' outboxes: fixes waiting per ambulance, and who has a request in flight."""

    def __init__(self, ambulances: list[str]) -> None:
        self.waiting: dict[str, list[dict[str, Any]]] = {a: [] for a in ambulances}
        self.busy: set[str] = set()
        self.offered = 0
        self.acknowledged = 0
        self.batch_sizes: Counter[int] = Counter()
        self.oldest_wait_s = 0.0


async def run(order: dict[str, Any]) -> dict[str, Any]:
    apis: list[str] = order["apis"]
    headers = {"Authorization": f"Bearer {order['token']}"}
    crews = {a: {"Authorization": f"Bearer {t}"} for a, t in order["crews"].items()}
    ambulances: list[str] = order["ambulances"]
    cases: list[int] = order["cases"]
    seconds = float(order["seconds"])
    tick = 0.1
    fixes_per_tick = len(ambulances) / float(order["fix_every_s"]) * tick
    stamps_per_tick = float(order["stamps_per_min"]) / 60 * tick
    gps, stamps = Tally(), Tally()
    boxes = Outboxes(ambulances)
    in_flight: dict[str, set[asyncio.Task[None]]] = {"gps": set(), "stamps": set()}

    def start(kind: str, work: Any) -> None:
        task = asyncio.create_task(work)
        in_flight[kind].add(task)
        task.add_done_callback(in_flight[kind].discard)

    async def send_fixes(client: aiohttp.ClientSession, ambulance: str, api: str) -> None:
        waiting = boxes.waiting[ambulance]
        batch, boxes.waiting[ambulance] = waiting[:MAX_BATCH], waiting[MAX_BATCH:]
        boxes.busy.add(ambulance)
        boxes.batch_sizes[len(batch)] += 1
        first = datetime.fromisoformat(batch[0]["recorded_at"])
        boxes.oldest_wait_s = max(boxes.oldest_wait_s, (datetime.now(UTC) - first).total_seconds())
        url = f"{api}/api/v1/ambulances/{ambulance}/positions"
        try:
            body = batch if len(batch) > 1 else batch[0]
            if await _post(client, gps, url, body, crews[ambulance]):
                boxes.acknowledged += len(batch)
            else:  # back into the outbox, before what came meanwhile
                boxes.waiting[ambulance][:0] = batch
        finally:
            boxes.busy.discard(ambulance)

    # an idle connection is dropped before the server's keep-alive (uvicorn: 5 s) closes it:
    # aiohttp's own 15 s sent requests on connections the server was closing (reset, refused)
    connector = aiohttp.TCPConnector(
        limit=GPS_IN_FLIGHT + STAMPS_IN_FLIGHT, keepalive_timeout=KEEPALIVE_S
    )
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        started = time.monotonic()
        fixes_due = stamps_due = 0.0
        next_ambulance = next_stamp = 0
        while (now := time.monotonic()) - started < seconds:
            fixes_due += fixes_per_tick
            stamps_due += stamps_per_tick
            while fixes_due >= 1:
                fixes_due -= 1
                ambulance = ambulances[next_ambulance % len(ambulances)]
                api = apis[next_ambulance % len(apis)]
                next_ambulance += 1
                boxes.offered += 1
                boxes.waiting[ambulance].append(
                    {
                        "lon": 114.70 + (next_ambulance % 97) * 0.0025,
                        "lat": 33.40 + (next_ambulance % 89) * 0.002,
                        "recorded_at": datetime.now(UTC).isoformat(),
                        "speed_kmh": 40.0,
                    }
                )
                if ambulance not in boxes.busy and len(in_flight["gps"]) < GPS_IN_FLIGHT:
                    start("gps", send_fixes(client, ambulance, api))
            while stamps_due >= 1:
                stamps_due -= 1
                if len(in_flight["stamps"]) >= STAMPS_IN_FLIGHT:
                    stamps.not_sent += 1
                    continue
                case_id = cases[next_stamp % len(cases)]
                api = apis[next_stamp % len(apis)]
                body = {
                    "milestone": MILESTONES[next_stamp // len(cases) % len(MILESTONES)],
                    "at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                }
                next_stamp += 1
                url = f"{api}/api/v1/cases/{case_id}/events"
                start("stamps", _post(client, stamps, url, body, headers))
            await asyncio.sleep(max(0.0, tick - (time.monotonic() - now)))
        sent_for = time.monotonic() - started
        pending = in_flight["gps"] | in_flight["stamps"]
        if pending:
            _, unanswered = await asyncio.wait(pending, timeout=60)
            for task in unanswered:
                task.cancel()
            await asyncio.gather(*unanswered, return_exceptions=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": round(sent_for, 1),
        "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "gps": {
            **gps.figures(sent_for),
            "fixes_offered": boxes.offered,
            "fixes_acknowledged": boxes.acknowledged,
            "fixes_per_second": round(boxes.acknowledged / sent_for, 1),
            "fixes_left_in_outboxes": sum(len(w) for w in boxes.waiting.values()),
            "batch_sizes": {str(k): v for k, v in sorted(boxes.batch_sizes.items())},
            "oldest_fix_wait_s": round(boxes.oldest_wait_s, 1),
        },
        "stamps": stamps.figures(sent_for),
    }


def main() -> None:
    order = json.loads(sys.stdin.readline())
    print(json.dumps(asyncio.run(run(order))), flush=True)


if __name__ == "__main__":
    main()

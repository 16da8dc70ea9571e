"""Clients of the HA lab: a bounded number of stamps and alerts, each with its own
Idempotency-Key, sent through both API processes and resent after a 503 as the field clients'
queues do (the same key: a write that did commit is replayed, never made twice).

Every answer is kept. Bounded: a fixed number of writes, a deadline per write and for the run.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx

API = "/api/v1"
# Stamps the admin may record on any case, in turn (as bench/audit.py does).
MILESTONES = ("unit_notified", "unit_en_route", "unit_on_scene", "first_medical_contact")
# A 503's Retry-After is honoured up to this many seconds, so the failover time measured is
# the database's, not the client's back-off.
RESEND_CAP_S = 0.5

Kind = Literal["alert", "stamp"]


@dataclass
class Write:
    """One write to make: what, where, and its key."""

    index: int
    kind: Kind
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    key: str = field(default_factory=lambda: f"ha-{uuid.uuid4()}")


@dataclass(frozen=True)
class Answer:
    """One attempt's outcome: status (0: no HTTP answer), when sent and returned."""

    index: int
    attempt: int
    api: str
    status: int
    sent_at: float
    returned_at: float
    retry_after: str | None
    problem: str | None
    alert_id: int | None = None  # the alert a 2xx to an alert's POST made (or replayed)


@dataclass
class Run:
    """The writes and every answer they got."""

    writes: list[Write]
    answers: list[Answer] = field(default_factory=list)
    acknowledged: dict[int, Answer] = field(default_factory=dict)  # write index → its 2xx
    gave_up: list[int] = field(default_factory=list)
    notify_at: int = 0  # ``reached`` is set once this many writes are acknowledged
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    # Writes from this index on are held until ``released`` is set (None: none held), so that a
    # fault's test has writes to send during the fault however fast the machine is.
    hold_from: int | None = None
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def count(self, status: int) -> int:
        return sum(1 for a in self.answers if a.status == status)

    def acknowledged_keys(self) -> list[str]:
        """The Idempotency-Keys of the writes that got a 2xx."""
        return [self.writes[index].key for index in self.acknowledged]

    def unexpected(self) -> list[Answer]:
        """Answers other than a 2xx, a 503 or no answer at all."""
        return [a for a in self.answers if a.status not in (0, 503) and not 200 <= a.status < 300]


def writes(
    alert_case: int,
    stamp_cases: list[int],
    sender: dict[str, str],
    admin: dict[str, str],
    count: int,
) -> list[Write]:
    """``count`` writes, alerts and stamps in turn (alerts by the township unit on its case,
    stamps by the admin spread over ``stamp_cases``)."""
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    made: list[Write] = []
    for index in range(count):
        if index % 2 == 0:
            body = {
                "case_id": alert_case,
                "to_facility_id": "county-hospital",
                "pathway": "stemi",
                "summary": f"HA lab #{index}: chest pain, ST elevation",
                "vitals": {"hr": 90 + index % 30, "n": index},
                "eta_minutes": 20,
            }
            made.append(Write(index, "alert", f"{API}/alerts", body, sender))
        else:
            case_id = stamp_cases[index % len(stamp_cases)]
            body = {"milestone": MILESTONES[index // 2 % len(MILESTONES)], "at": at}
            made.append(Write(index, "stamp", f"{API}/cases/{case_id}/events", body, admin))
    return made


async def send_all(
    client: httpx.AsyncClient,
    apis: list[str],
    run: Run,
    concurrency: int = 8,
    per_write_s: float = 120.0,
    max_attempts: int = 400,
) -> None:
    """Send every write of ``run``, ``concurrency`` at a time, alternating the API processes;
    after a 503 or no answer, resend (same key) to the other process until a 2xx, another
    status (kept, not resent), ``max_attempts`` or ``per_write_s``."""
    queue: asyncio.Queue[Write] = asyncio.Queue()
    for write in run.writes:
        queue.put_nowait(write)

    async def one(write: Write) -> None:
        if run.hold_from is not None and write.index >= run.hold_from:
            await run.released.wait()  # the test sets it (always, in a finally)
        deadline = time.monotonic() + per_write_s
        for attempt in range(max_attempts):
            api = apis[(write.index + attempt) % len(apis)]
            answer = await _attempt(client, api, write, attempt)
            run.answers.append(answer)
            if 200 <= answer.status < 300:
                run.acknowledged[write.index] = answer
                if len(run.acknowledged) >= run.notify_at:
                    run.reached.set()
                return
            if answer.status not in (0, 503) or time.monotonic() > deadline:
                break
            wait = RESEND_CAP_S if answer.retry_after is None else float(answer.retry_after)
            await asyncio.sleep(min(wait, RESEND_CAP_S))  # the client's back-off, bounded
        run.gave_up.append(write.index)

    async def worker() -> None:
        while not queue.empty():
            await one(queue.get_nowait())

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _attempt(client: httpx.AsyncClient, api: str, write: Write, attempt: int) -> Answer:
    headers = {**write.headers, "Idempotency-Key": write.key}
    sent_at = time.monotonic()
    try:
        response = await client.post(f"{api}{write.path}", json=write.body, headers=headers)
    except httpx.HTTPError:
        return Answer(write.index, attempt, api, 0, sent_at, time.monotonic(), None, None)
    returned_at = time.monotonic()
    problem, alert_id = None, None
    try:
        data = response.json()
    except ValueError:
        data = {"type": response.text[:200]}
    if response.status_code >= 400:
        problem = str(data.get("type"))
    elif write.kind == "alert":
        alert_id = int(data["alert"]["id"])
    return Answer(
        write.index, attempt, api, response.status_code, sent_at, returned_at,
        response.headers.get("Retry-After"), problem, alert_id,
    )  # fmt: skip

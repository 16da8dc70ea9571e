"""Escalating unanswered alerts (the escalation logic on the database) and the webhook notifier."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts.escalation import WebhookNotifier, escalate_due
from tests.conftest import Login
from tests.e2e.alerts_helpers import COUNTY, RECEIVER, ack, sent_alert
from tests.e2e.cases_helpers import signed_in

REMINDER = timedelta(seconds=60)


# --- escalation ------------------------------------------------------------------------------


@dataclass
class RecordingNotifier:
    """A notifier that records what it was asked to send."""

    channel: str = "test"
    calls: list[tuple[int, int]] = field(default_factory=list)

    async def notify(self, alert: dict[str, Any], level: int) -> str:
        self.calls.append((int(alert["id"]), level))
        return "recorded"


@dataclass(frozen=True)
class Escalations:
    level: int
    steps: list[tuple[int, str]]
    dispatch_frames: int
    facility_frames: int


async def escalations_of(db: AsyncSession, alert_id: int) -> Escalations:
    """What the database holds about the alert's escalation (in the test's transaction)."""
    level = await db.scalar(
        text("select escalation_level from alerts where id = :id"), {"id": alert_id}
    )
    steps = (
        await db.execute(
            text("select level, channel from alert_escalations where alert_id = :id order by id"),
            {"id": alert_id},
        )
    ).all()
    frames = dict(
        (
            await db.execute(
                text(
                    "select stream, count(*) from alert_stream"
                    " where alert_id = :id and type = 'alert.escalated' group by stream"
                ),
                {"id": alert_id},
            )
        ).all()
    )
    return Escalations(
        level=int(level or 0),
        steps=[(int(r[0]), str(r[1])) for r in steps],
        dispatch_frames=int(frames.get("dispatch", 0)),
        facility_frames=int(frames.get(f"facility:{COUNTY}", 0)),
    )


async def test_an_unanswered_alert_escalates_then_reminds(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Past its deadline: escalates once; not again before the reminder; again after it."""
    alert = (await sent_alert(client, login))["alert"]
    created = datetime.fromisoformat(alert["created_at"])
    deadline = created + timedelta(seconds=60)  # the default alert_ack_timeout_seconds
    notifier = RecordingNotifier()

    await escalate_due(sessionmaker, deadline - timedelta(seconds=1), REMINDER, notifier)
    assert Escalations(0, [], 0, 0) == await escalations_of(db, alert["id"])

    first = deadline + timedelta(seconds=1)
    await escalate_due(sessionmaker, first, REMINDER, notifier)
    assert Escalations(1, [(1, "event"), (1, "test")], 1, 1) == await escalations_of(
        db, alert["id"]
    )
    await escalate_due(sessionmaker, first + REMINDER - timedelta(seconds=1), REMINDER, notifier)
    assert 1 == (await escalations_of(db, alert["id"])).level

    await escalate_due(sessionmaker, first + REMINDER, REMINDER, notifier)
    after = await escalations_of(db, alert["id"])
    assert (2, 2, 2) == (after.level, after.dispatch_frames, after.facility_frames)
    assert [(1, "event"), (1, "test"), (2, "event"), (2, "test")] == after.steps
    assert [(alert["id"], 1), (alert["id"], 2)] == [
        c for c in notifier.calls if c[0] == alert["id"]
    ]
    frame = await db.scalar(
        text(
            "select payload from alert_stream where alert_id = :id and stream = 'dispatch'"
            " and type = 'alert.escalated' order by seq desc limit 1"
        ),
        {"id": alert["id"]},
    )
    assert 2 == frame["escalation_level"]


async def test_an_answered_alert_never_escalates(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Acknowledged in time: no escalation even an hour later, and nothing is notified."""
    alert = (await sent_alert(client, login))["alert"]
    response = await ack(client, await signed_in(login, RECEIVER), alert["id"], "acknowledged")
    assert 200 == response.status_code, response.text
    notifier = RecordingNotifier()
    later = datetime.now(UTC) + timedelta(hours=1)
    await escalate_due(sessionmaker, later, REMINDER, notifier)
    assert Escalations(0, [], 0, 0) == await escalations_of(db, alert["id"])
    assert [] == [c for c in notifier.calls if c[0] == alert["id"]]


# --- the webhook notifier --------------------------------------------------------------------


@dataclass
class Gateway:
    """A tiny HTTP server on 127.0.0.1 that fails the first ``failures`` requests with 503."""

    failures: int
    url: str = ""
    bodies: list[bytes] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            length = 0
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            self.bodies.append(await asyncio.wait_for(reader.readexactly(length), 5))
            status = "503 Service Unavailable" if len(self.bodies) <= self.failures else "200 OK"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".encode()
            )
            await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


@contextlib.asynccontextmanager
async def gateway(failures: int) -> AsyncIterator[Gateway]:
    """A running ``Gateway`` on a free local port."""
    found = Gateway(failures)
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    found.url = f"http://127.0.0.1:{port}/notify"
    try:
        yield found
    finally:
        server.close()
        await server.wait_closed()


async def test_the_webhook_retries_until_delivered() -> None:
    """A gateway failing twice then answering 200: delivered on attempt 3, with the alert."""
    async with gateway(failures=2) as found:
        notifier = WebhookNotifier(found.url, attempts=3, first_pause=0.01, timeout=2)
        outcome = await notifier.notify({"id": 7, "to_facility_id": COUNTY}, 1)
    assert outcome.startswith("delivered on attempt 3")
    assert 3 == len(found.bodies)
    assert b'"level":1' in found.bodies[-1].replace(b" ", b"")


async def test_the_webhook_gives_up_after_its_attempts() -> None:
    """A gateway that always fails: the notifier raises after exactly its attempts."""
    async with gateway(failures=1000) as found:
        notifier = WebhookNotifier(found.url, attempts=3, first_pause=0.01, timeout=2)
        with pytest.raises(RuntimeError, match="gave up after 3 attempts: HTTP 503"):
            await notifier.notify({"id": 7, "to_facility_id": COUNTY}, 1)
    assert 3 == len(found.bodies)

"""Alerts over HTTP: send (idempotent), answer, cancel, replay the stream; escalation logic."""

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
from tests.e2e.cases_helpers import (
    CASES,
    NANDUN_VILLAGE,
    case_body,
    milestones_of,
    open_case,
    read_case,
    signed_in,
)
from tests.e2e.units_helpers import assert_problem, commit_fails_after_insert_into

ALERTS = "/api/v1/alerts"
SENDER = "township-th-nandun"
RECEIVER = "cathlab-county-hospital"
COUNTY = "county-hospital"
REMINDER = timedelta(seconds=60)


def alert_body(case_id: int, **extra: Any) -> dict[str, Any]:
    """A STEMI pre-alert to the county hospital as a township unit sends it."""
    body: dict[str, Any] = {
        "case_id": case_id,
        "to_facility_id": COUNTY,
        "pathway": "stemi",
        "summary": "男 62岁 胸痛 2h, V1-V4 ST抬高",
        "vitals": {"hr": 96, "bp": "150/90", "spo2": 95},
        "eta_minutes": 25,
    }
    body.update(extra)
    return body


async def send(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any],
    key: str | None = None,
) -> httpx.Response:
    """POST /alerts (with an Idempotency-Key if given)."""
    sent = {**headers, "Idempotency-Key": key} if key is not None else headers
    return await client.post(ALERTS, json=body, headers=sent)


async def nandun_case(client: httpx.AsyncClient, login: Login) -> tuple[int, dict[str, str]]:
    """A STEMI case opened by the Nandun township unit, and that unit's headers."""
    headers = await signed_in(login, SENDER)
    case = await open_case(client, headers, case_body(*NANDUN_VILLAGE))
    return int(case["id"]), headers


async def sent_alert(client: httpx.AsyncClient, login: Login) -> dict[str, Any]:
    """A freshly sent alert from Nandun to the county hospital (the 201 body)."""
    case_id, headers = await nandun_case(client, login)
    response = await send(client, headers, alert_body(case_id))
    assert 201 == response.status_code, response.text
    body: dict[str, Any] = response.json()
    return body


async def ack(
    client: httpx.AsyncClient, headers: dict[str, str], alert_id: int, action: str
) -> httpx.Response:
    """POST /alerts/{id}/ack."""
    return await client.post(
        f"{ALERTS}/{alert_id}/ack", json={"action": action, "note": ""}, headers=headers
    )


async def stream_of(
    client: httpx.AsyncClient, headers: dict[str, str], facility_id: str, since: int = 0
) -> dict[str, Any]:
    """GET /facilities/{id}/alerts?since= (200)."""
    response = await client.get(
        f"/api/v1/facilities/{facility_id}/alerts", params={"since": since}, headers=headers
    )
    assert 200 == response.status_code, response.text
    body: dict[str, Any] = response.json()
    return body


# --- sending ---------------------------------------------------------------------------------


async def test_a_township_sends_an_alert_for_its_case(
    client: httpx.AsyncClient, login: Login
) -> None:
    """201 with the receiver's seq and epoch; the alert is sent; the case gets prealert_sent."""
    case_id, headers = await nandun_case(client, login)
    response = await send(client, headers, alert_body(case_id))
    assert 201 == response.status_code, response.text
    body = response.json()
    assert body["seq"] >= 1
    assert body["epoch"] >= 1
    alert = body["alert"]
    assert (case_id, COUNTY, "th-nandun", SENDER, "sent", 0) == (
        alert["case_id"],
        alert["to_facility_id"],
        alert["from_facility_id"],
        alert["sent_by"],
        alert["status"],
        alert["escalation_level"],
    )
    assert 25 == alert["eta_minutes"]
    case = await read_case(client, headers, case_id)
    stamped = milestones_of(case, "prealert_sent")
    assert 1 == len(stamped)
    assert SENDER == stamped[0]["recorded_by"]


async def test_a_retried_idempotency_key_returns_the_same_alert(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The same key and body: the same alert id and seq, Idempotent-Replayed, nothing new."""
    case_id, headers = await nandun_case(client, login)
    first = await send(client, headers, alert_body(case_id), key="retry-key-1")
    assert 201 == first.status_code, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = await send(client, headers, alert_body(case_id), key="retry-key-1")
    assert 201 == again.status_code, again.text
    assert "true" == again.headers["Idempotent-Replayed"]
    assert (first.json()["alert"]["id"], first.json()["seq"]) == (
        again.json()["alert"]["id"],
        again.json()["seq"],
    )
    count = await db.scalar(
        text("select count(*) from alerts where case_id = :id"), {"id": case_id}
    )
    assert 1 == count
    case = await read_case(client, headers, case_id)
    assert 1 == len(milestones_of(case, "prealert_sent"))


async def test_the_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An Idempotency-Key reused for a different alert: 422 idempotency-key-reused."""
    case_id, headers = await nandun_case(client, login)
    first = await send(client, headers, alert_body(case_id), key="reused-key")
    assert 201 == first.status_code, first.text
    other = await send(client, headers, alert_body(case_id, summary="另一个"), key="reused-key")
    assert "/problems/idempotency-key-reused" == assert_problem(other, 422)["type"]


async def test_a_destination_without_the_pathway_capability_is_422(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A STEMI alert to a township unit without PCI: 422 alert-rejected naming the need."""
    case_id, headers = await nandun_case(client, login)
    response = await send(client, headers, alert_body(case_id, to_facility_id="th-nandun"))
    problem = assert_problem(response, 422)
    assert "/problems/alert-rejected" == problem["type"]
    assert "pci" in problem["detail"]


async def test_an_unknown_case_is_404(client: httpx.AsyncClient, login: Login) -> None:
    """An alert for a case that does not exist: 404."""
    headers = await signed_in(login, SENDER)
    assert_problem(await send(client, headers, alert_body(987654321)), 404)


async def test_an_unknown_attachment_is_422(client: httpx.AsyncClient, login: Login) -> None:
    """An attachment id that was never uploaded: 422 alert-rejected, and no prealert_sent."""
    case_id, headers = await nandun_case(client, login)
    body = alert_body(case_id, attachment_ids=["00000000-0000-0000-0000-000000000000"])
    problem = assert_problem(await send(client, headers, body), 422)
    assert "/problems/alert-rejected" == problem["type"]
    assert [] == milestones_of(await read_case(client, headers, case_id), "prealert_sent")


async def test_an_auditor_may_not_send(client: httpx.AsyncClient, login: Login) -> None:
    """An auditor sending an alert: 403."""
    case_id, _ = await nandun_case(client, login)
    auditor = await signed_in(login, "auditor")
    assert_problem(await send(client, auditor, alert_body(case_id)), 403)


async def test_only_the_crew_of_the_cases_ambulance_sends(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The dispatched ambulance's crew sends (201); another ambulance's crew gets 403."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher, case_body(*NANDUN_VILLAGE))
    sent = await client.post(
        f"{CASES}/{case['id']}/dispatch", json={"ambulance_id": "amb-01"}, headers=dispatcher
    )
    assert 200 == sent.status_code, sent.text
    other = await send(client, await signed_in(login, "crew-amb-02"), alert_body(case["id"]))
    assert_problem(other, 403)
    own = await send(client, await signed_in(login, "crew-amb-01"), alert_body(case["id"]))
    assert 201 == own.status_code, own.text
    assert ("amb-01", None) == (
        own.json()["alert"]["from_ambulance_id"],
        own.json()["alert"]["from_facility_id"],
    )


async def test_a_commit_that_fails_is_a_503_never_a_false_201(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The connection lost at COMMIT (after the handler ran): 503, and no alert exists."""
    case_id, headers = await nandun_case(client, login)

    with commit_fails_after_insert_into("alerts"):
        response = await send(client, headers, alert_body(case_id))
    assert "/problems/database-unavailable" == assert_problem(response, 503)["type"]
    listed = await client.get(ALERTS, params={"case_id": case_id}, headers=headers)
    assert [] == listed.json()
    assert [] == milestones_of(await read_case(client, headers, case_id), "prealert_sent")


# --- answering and cancelling ----------------------------------------------------------------


async def test_the_cathlab_acknowledges_then_activates(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Acknowledged, then activated (the case gets cathlab_activated); declined after: 409."""
    alert = (await sent_alert(client, login))["alert"]
    cathlab = await signed_in(login, RECEIVER)
    first = await ack(client, cathlab, alert["id"], "acknowledged")
    assert 200 == first.status_code, first.text
    assert ("acknowledged", RECEIVER) == (
        first.json()["alert"]["status"],
        first.json()["alert"]["answered_by"],
    )
    second = await ack(client, cathlab, alert["id"], "activated")
    assert 200 == second.status_code, second.text
    assert "activated" == second.json()["alert"]["status"]
    assert second.json()["seq"] > first.json()["seq"]
    case = await read_case(client, await signed_in(login, SENDER), alert["case_id"])
    activated = milestones_of(case, "cathlab_activated")
    assert [(COUNTY, RECEIVER)] == [(e["facility_id"], e["recorded_by"]) for e in activated]
    late = await ack(client, cathlab, alert["id"], "declined")
    assert "/problems/alert-closed" == assert_problem(late, 409)["type"]


async def test_another_facilitys_cathlab_may_not_answer(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The city hospital's cath lab answering the county's alert: 403, the alert stays sent."""
    alert = (await sent_alert(client, login))["alert"]
    stranger = await signed_in(login, "cathlab-city-hospital")
    assert_problem(await ack(client, stranger, alert["id"], "acknowledged"), 403)
    read = await client.get(f"{ALERTS}/{alert['id']}", headers=await signed_in(login, SENDER))
    assert "sent" == read.json()["status"]


async def test_the_sender_cancels(client: httpx.AsyncClient, login: Login) -> None:
    """The sender cancels: cancelled and closed; cancelling again is 409."""
    alert = (await sent_alert(client, login))["alert"]
    sender = await signed_in(login, SENDER)
    url = f"{ALERTS}/{alert['id']}/cancel"
    response = await client.post(url, json={"reason": "患者拒绝转运"}, headers=sender)
    assert 200 == response.status_code, response.text
    assert ("cancelled", "患者拒绝转运") == (
        response.json()["status"],
        response.json()["answer_note"],
    )
    assert response.json()["closed_at"] is not None
    again = await client.post(url, json={"reason": "again"}, headers=sender)
    assert_problem(again, 409)


# --- replaying the stream over HTTP ----------------------------------------------------------


async def test_the_facility_stream_replays_in_seq_order(
    client: httpx.AsyncClient, login: Login
) -> None:
    """since=N gives the frames after N in seq order: created, acknowledged, acknowledged."""
    cathlab = await signed_in(login, RECEIVER)
    start = (await stream_of(client, cathlab, COUNTY))["head"]
    sent = await sent_alert(client, login)
    alert_id = sent["alert"]["id"]
    assert start + 1 == sent["seq"]
    assert 200 == (await ack(client, cathlab, alert_id, "acknowledged")).status_code
    assert 200 == (await ack(client, cathlab, alert_id, "activated")).status_code

    replay = await stream_of(client, cathlab, COUNTY, since=start)
    frames = replay["frames"]
    assert [start + 1, start + 2, start + 3] == [f["seq"] for f in frames]
    assert start + 3 == replay["head"]
    assert ["alert.created", "alert.acknowledged", "alert.acknowledged"] == [
        f["type"] for f in frames
    ]
    assert ["sent", "acknowledged", "activated"] == [f["alert"]["status"] for f in frames]
    assert {alert_id} == {f["alert"]["id"] for f in frames}
    assert {sent["epoch"]} == {f["epoch"] for f in frames}
    assert {f"facility:{COUNTY}"} == {f["stream"] for f in frames}

    later = await stream_of(client, cathlab, COUNTY, since=start + 1)
    assert [start + 2, start + 3] == [f["seq"] for f in later["frames"]]
    everything = await stream_of(client, cathlab, COUNTY, since=0)
    seqs = [f["seq"] for f in everything["frames"]]
    assert sorted(seqs) == seqs


async def test_the_dispatch_stream_replays_for_dispatchers_only(
    client: httpx.AsyncClient, login: Login
) -> None:
    """GET /dispatch/alerts: the console's stream after since (its head too); a team gets 403."""
    dispatcher = await signed_in(login, "dispatcher")
    start = (await client.get("/api/v1/dispatch/alerts", headers=dispatcher)).json()["head"]
    sent = await sent_alert(client, login)
    replay = await client.get(
        "/api/v1/dispatch/alerts", params={"since": start}, headers=dispatcher
    )
    assert 200 == replay.status_code, replay.text
    frames = replay.json()["frames"]
    assert [(start + 1, "alert.created", sent["alert"]["id"])] == [
        (f["seq"], f["type"], f["alert"]["id"]) for f in frames
    ]
    assert ("dispatch", start + 1) == (replay.json()["stream"], replay.json()["head"])
    refused = await client.get("/api/v1/dispatch/alerts", headers=await signed_in(login, RECEIVER))
    assert_problem(refused, 403)


async def test_a_township_may_not_read_the_county_stream(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A township user reading the county hospital's stream: 403."""
    headers = await signed_in(login, SENDER)
    response = await client.get(f"/api/v1/facilities/{COUNTY}/alerts", headers=headers)
    assert_problem(response, 403)


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

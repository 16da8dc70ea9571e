"""The websocket's handshake checks (token, scope, Origin), replay from ``since`` and delivery
confirmations, against a real server process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.reliability.conftest import Cluster
from tests.reliability.servers import (
    alert_body,
    bearer,
    eventually,
    open_case,
    post_alert,
    running,
    sign_in,
    stream_head,
    ws_ticket,
    ws_url,
)

PATH = "/ws/facilities/county-hospital/alerts"


async def refused(url: str, **options: Any) -> int:
    """The HTTP status with which the server refused the websocket handshake."""
    with pytest.raises(InvalidStatus) as refusal:
        async with websockets.connect(url, open_timeout=5, **options):
            pass
    return int(refusal.value.response.status_code)


async def test_handshake_refuses_bad_tickets_other_teams_and_foreign_origins(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """No ticket, a made-up one, a bearer token in the URL (even a valid one), another
    township's team or a foreign Origin: refused (403). A ticket works once."""
    (server,) = cluster.get("a")
    other = await sign_in(http, server, "township-th-fanji")
    receiver = await sign_in(http, server, "cathlab-county-hospital")
    base = f"{server.ws_url}{PATH}"
    assert 403 == await refused(base)
    assert 403 == await refused(f"{base}?ticket=made-up-ticket-value")
    assert 403 == await refused(f"{base}?token={receiver}")
    assert 403 == await refused(f"{base}?ticket={await ws_ticket(http, server, other)}")
    foreign = {"additional_headers": {"Origin": "http://evil.example"}}
    assert 403 == await refused(await ws_url(http, server, PATH, receiver), **foreign)
    same = {"additional_headers": {"Origin": f"http://127.0.0.1:{server.port}"}}
    ticket = await ws_ticket(http, server, receiver)
    async with websockets.connect(f"{base}?ticket={ticket}", open_timeout=5, **same) as ws:
        assert ws.protocol.state.name == "OPEN"
    assert 403 == await refused(f"{base}?ticket={ticket}", **same)  # used once already


async def test_since_replays_only_later_frames_then_delivery_is_confirmed(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """since=N gives exactly the frames after N in order; a delivered confirmation marks it."""
    (server,) = cluster.get("a")
    sender = bearer(await sign_in(http, server, "township-th-nandun"))
    receiver = await sign_in(http, server, "cathlab-county-hospital")
    case_id = await open_case(http, server, sender)
    sent = [await post_alert(http, server, sender, alert_body(case_id, n)) for n in range(3)]
    assert [201, 201, 201] == [s.status for s in sent]
    head = await stream_head(http, server, receiver, "county-hospital")
    url = await ws_url(http, server, PATH, receiver, since=head - 2)
    async with websockets.connect(url, open_timeout=5) as ws:
        frames = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
        assert [head - 1, head] == [f["seq"] for f in frames]
        last = sent[-1]
        assert last.seq == frames[-1]["seq"]
        await ws.send(json.dumps({"type": "delivered", "seq": last.seq}))

        async def delivered() -> bool:
            answer = await http.get(
                f"{server.url}/api/v1/alerts/{last.alert_id}", headers=bearer(receiver)
            )
            return "delivered" == answer.json()["status"]

        assert await eventually(delivered, 5)


async def test_a_client_of_another_epoch_is_replayed_the_stream_from_its_start(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """since=head and another epoch: frame 1 comes first; with the stream's epoch, a heartbeat."""
    (server,) = cluster.get("a")
    sender = bearer(await sign_in(http, server, "township-th-nandun"))
    receiver = await sign_in(http, server, "cathlab-county-hospital")
    case_id = await open_case(http, server, sender)
    sent = await post_alert(http, server, sender, alert_body(case_id, 1))
    assert 201 == sent.status, sent.body
    epoch, head = (
        int(sent.body["epoch"]),
        await stream_head(http, server, receiver, "county-hospital"),
    )
    url = await ws_url(http, server, PATH, receiver, since=head, epoch=epoch + 1)
    async with websockets.connect(url, open_timeout=5) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert (1, epoch) == (first["seq"], first["epoch"])
    url = await ws_url(http, server, PATH, receiver, since=head, epoch=epoch)
    async with websockets.connect(url, open_timeout=5) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 15))
    assert ("heartbeat", head, epoch) == (first["type"], first["seq"], first["epoch"])


async def test_a_server_with_screens_connected_stops_promptly(
    reliability_db: str, log_dir: Path, http: httpx.AsyncClient
) -> None:
    """SIGTERM with a wall screen connected (10 s heartbeats): the process exits within 5 s."""
    with running(["shutdown"], reliability_db, log_dir, heartbeat_seconds="10") as (server,):
        receiver = await sign_in(http, server, "cathlab-county-hospital")
        url = await ws_url(http, server, PATH, receiver)
        async with websockets.connect(url, open_timeout=5) as ws:
            assert "OPEN" == ws.protocol.state.name
            # A screen reads what it is sent (the replay of earlier tests' frames included):
            # one that does not keeps the server's socket from flushing, which only the
            # serve command's grace period (INFOFIRST_SHUTDOWN_GRACE_SECONDS) cuts short.
            reading = asyncio.create_task(_read_all(ws))
            started = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            exited = await asyncio.to_thread(server.process.wait, 10)
            took = time.monotonic() - started
            await asyncio.wait_for(reading, 5)
        assert took < 5, f"took {took:.1f} s:\n{server.log_tail()}"
        assert exited in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it is done


async def _read_all(ws: websockets.ClientConnection) -> None:
    """Read frames until the server closes the connection."""
    with contextlib.suppress(websockets.ConnectionClosed):
        async for _ in ws:
            pass

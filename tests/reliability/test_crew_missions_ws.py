"""An ambulance crew's mission stream over a real websocket: a dispatch arrives live; a tablet
that was away catches up from its last frame, each frame once, in order; another crew is refused."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.reliability.conftest import Cluster
from tests.reliability.servers import API, Server, bearer, sign_in, ws_url

AMBULANCE = "amb-16"
PATH = f"/ws/ambulances/{AMBULANCE}/missions"
NANDUN_VILLAGE = {"lon": 114.739124, "lat": 33.539841}


async def next_frame(ws: Any) -> dict[str, Any]:
    """The next frame that is not a heartbeat (within 5 s)."""
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame["type"] != "heartbeat":
            return frame


async def frames_within(ws: Any, seconds: float) -> list[dict[str, Any]]:
    """Every frame but heartbeats that arrives within ``seconds``."""
    found: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(ws.recv(), left))
        except TimeoutError:
            break
        if frame["type"] != "heartbeat":
            found.append(frame)
    return found


async def dispatch_new_case(
    http: httpx.AsyncClient, server: Server, dispatcher: dict[str, str]
) -> int:
    opened = await http.post(
        f"{server.url}{API}/cases",
        json={"pathway": "stemi", "location": NANDUN_VILLAGE},
        headers=dispatcher,
    )
    assert 201 == opened.status_code, opened.text
    case_id = int(opened.json()["id"])
    sent = await http.post(
        f"{server.url}{API}/cases/{case_id}/dispatch",
        json={"ambulance_id": AMBULANCE},
        headers=dispatcher,
    )
    assert 200 == sent.status_code, sent.text
    return case_id


async def release(http: httpx.AsyncClient, server: Server, headers: dict[str, str]) -> None:
    response = await http.post(
        f"{server.url}{API}/ambulances/{AMBULANCE}/status",
        json={"status": "available", "at": "2026-01-01T00:00:00Z"},
        headers=headers,
    )
    assert response.status_code in (200, 409), response.text


async def test_a_crew_hears_its_dispatch_live_and_catches_up_after_being_away(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """Frame 1 (assigned) arrives live; while away, released + assigned; the reconnect with
    since=<last> gets exactly those two, in order."""
    (server,) = cluster.get("a")
    dispatcher = bearer(await sign_in(http, server, "dispatcher"))
    crew = await sign_in(http, server, f"crew-{AMBULANCE}")
    await release(http, server, dispatcher)  # whatever an earlier run left
    head = (
        await http.get(f"{server.url}{API}/ambulances/{AMBULANCE}/missions", headers=bearer(crew))
    ).json()["head"]

    async with websockets.connect(await ws_url(http, server, PATH, crew, since=head)) as ws:
        first_case = await dispatch_new_case(http, server, dispatcher)
        live = await next_frame(ws)
    assert ("mission.assigned", first_case, head + 1) == (
        live["type"],
        live["mission"]["case_id"],
        live["seq"],
    )

    await release(http, server, bearer(crew))
    second_case = await dispatch_new_case(http, server, dispatcher)
    async with websockets.connect(await ws_url(http, server, PATH, crew, since=head + 1)) as ws:
        caught_up = await frames_within(ws, 3)  # the missed ones, and nothing twice
    assert [
        (head + 2, "mission.released", first_case),
        (head + 3, "mission.assigned", second_case),
    ] == [(f["seq"], f["type"], f["mission"]["case_id"]) for f in caught_up]
    await release(http, server, bearer(crew))


async def test_another_crew_may_not_follow_the_ambulances_stream(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """crew-amb-17's ticket on amb-16's mission stream: the handshake is refused (403)."""
    (server,) = cluster.get("a")
    other = await sign_in(http, server, "crew-amb-17")
    with pytest.raises(InvalidStatus) as refusal:
        async with websockets.connect(await ws_url(http, server, PATH, other), open_timeout=5):
            pass
    assert 403 == refusal.value.response.status_code

"""The listener of each process: it survives the loss of its connection, and lost doorbells
(covered by the poll) never make the screens already connected skip a frame."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.reliability.conftest import Cluster
from tests.reliability.servers import (
    Screen,
    Server,
    alert_body,
    bearer,
    contiguous,
    eventually,
    open_case,
    post_alert,
    sign_in,
    stream_head,
)

SENDER = "township-th-nandun"
RECEIVER = "cathlab-county-hospital"
COUNTY = "county-hospital"
COUNTY_PATH = f"/ws/facilities/{COUNTY}/alerts"
# The listeners' own connections are the only ones without an application_name (the pools
# name theirs "infofirst").
LISTENERS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    " AND backend_type = 'client backend' AND application_name = '' AND pid <> pg_backend_pid()"
)
END_LISTENERS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
    " AND backend_type = 'client backend' AND application_name = '' AND pid <> pg_backend_pid()"
)


@pytest.fixture
async def pg(reliability_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection to the reliability database (to end the listeners' connections)."""
    dsn = make_url(reliability_db).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        yield connection
    finally:
        await connection.close(timeout=2)


async def end_listener_connections(pg: asyncpg.Connection) -> int:
    """pg_terminate_backend on every listener connection; how many were ended."""
    rows = await pg.fetch(END_LISTENERS)
    return len(rows)


async def wait_reconnected(server: Server, before: int) -> None:
    """Wait (10 s at most) until /readyz is 200 with more listener reconnects than ``before``."""

    async def reconnected() -> bool:
        status, body = await asyncio.to_thread(server.readyz)
        listener = body.get("checks", {}).get("alert_listener", {})
        return 200 == status and listener.get("reconnects", 0) > before

    assert await eventually(reconnected, 10), f"{server.name}:\n{server.log_tail()}"


async def test_the_listener_reconnects_when_its_connection_is_ended(
    cluster: Cluster, http: httpx.AsyncClient, pg: asyncpg.Connection
) -> None:
    """Its connection ended by the server: it re-LISTENs by itself, /readyz ready again."""
    (a,) = cluster.get("a")
    before = a.readyz()[1]["checks"]["alert_listener"]["reconnects"]
    listening = len(await pg.fetch(LISTENERS))
    assert 1 <= await end_listener_connections(pg)
    await wait_reconnected(a, before)

    async def listening_again() -> bool:  # on a new connection of its own
        return listening == len(await pg.fetch(LISTENERS))

    assert await eventually(listening_again, 10)

    sender = bearer(await sign_in(http, a, SENDER))
    receiver = await sign_in(http, a, RECEIVER)
    case_id = await open_case(http, a, sender)
    screen = Screen([a], COUNTY_PATH, receiver, since=await stream_head(http, a, receiver, COUNTY))
    screen.start()
    try:
        assert await screen.wait_for(lambda s: len(s.connects) >= 1, 5), screen.closes
        sent = await post_alert(http, a, sender, alert_body(case_id, 1))
        assert 201 == sent.status, sent.body
        assert await screen.wait_for(lambda s: sent.alert_id in s.arrived, 2), screen.closes
    finally:
        await screen.stop()


async def test_a_screen_joining_never_makes_the_others_skip_a_frame(
    cluster: Cluster, http: httpx.AsyncClient, pg: asyncpg.Connection
) -> None:
    """A screen joining while a frame awaits the poll (doorbell lost): the others still get it."""
    (a,) = cluster.get("a")
    sender = bearer(await sign_in(http, a, SENDER))
    receiver = await sign_in(http, a, RECEIVER)
    case_id = await open_case(http, a, sender)
    head = await stream_head(http, a, receiver, COUNTY)
    screen = Screen([a], COUNTY_PATH, receiver, since=head)
    screen.start()
    posted: set[int] = set()
    try:
        assert await screen.wait_for(lambda s: len(s.connects) >= 1, 5), screen.closes
        for number in range(3):
            await end_listener_connections(pg)  # the next doorbell rings nowhere
            sent = await post_alert(http, a, sender, alert_body(case_id, number))
            assert 201 == sent.status, sent.body
            assert sent.alert_id is not None
            posted.add(sent.alert_id)
            joining = Screen([a], COUNTY_PATH, receiver, since=head)
            joining.start()
            try:
                joined = await joining.wait_for(lambda s, i=sent.alert_id: i in s.arrived, 5)
                assert joined, joining.closes
            finally:
                await joining.stop()
            arrived = await screen.wait_for(lambda s, i=sent.alert_id: i in s.arrived, 5)
            assert arrived, f"alert {sent.alert_id} skipped; got {screen.created_ids()}"
    finally:
        await screen.stop()
    assert sorted(posted) == sorted(screen.created_ids())
    seqs = [int(f["seq"]) for f in screen.frames]
    assert head + 1 == seqs[0]
    assert contiguous(seqs), seqs
    assert 1 == len(screen.connects), screen.closes

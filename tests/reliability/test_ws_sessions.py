"""An open alert websocket ends with its session (issue 12, finding 9): signed out, the user
disabled, or the session expired — closed with code 4401 within the check interval, against a
real server process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch.http.database import make_engine
from dispatch.settings import Settings
from tests.reliability.servers import bearer, running, sign_in, ws_url

PATH = "/ws/facilities/county-hospital/alerts"
CHECK_SECONDS = 0.5


@pytest.fixture
async def database(reliability_db: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(Settings(env="test", database_url=reliability_db))
    yield engine
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE users SET active = true"))
    await engine.dispose()


async def closed_with(ws: websockets.ClientConnection, within: float) -> tuple[int, str, float]:
    """The close code and reason the server sent, and how long it took (heartbeats read)."""
    started = time.monotonic()
    deadline = started + within
    try:
        while True:
            await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
    except websockets.ConnectionClosed as closed:
        frame = closed.rcvd
        took = time.monotonic() - started
    assert frame is not None, "the server did not send a close frame"
    return frame.code, frame.reason, took


async def test_sockets_close_4401_when_the_session_ends(
    reliability_db: str, log_dir: Path, http: httpx.AsyncClient, database: AsyncEngine
) -> None:
    """Sign-out, a disabled user and an expired session each close an open screen's socket
    with 4401 within the check interval; a live session's socket stays open (the control)."""
    settings = {"ws_session_check_seconds": str(CHECK_SECONDS), "heartbeat_seconds": "0.2"}
    with running(["ws-sessions"], reliability_db, log_dir, **settings) as (server,):
        control = await sign_in(http, server, "cathlab-county-hospital")
        async with websockets.connect(await ws_url(http, server, PATH, control)) as kept:
            # 1. signed out
            token = await sign_in(http, server, "cathlab-county-hospital")
            async with websockets.connect(await ws_url(http, server, PATH, token)) as ws:
                logout = await http.post(f"{server.url}/api/v1/auth/logout", headers=bearer(token))
                assert 204 == logout.status_code
                code, reason, took = await closed_with(ws, 5)
            assert (4401, True) == (code, "logout" in reason), reason
            assert took < CHECK_SECONDS + 1.5
            # 2. expired: the session's end moved to one second from now
            token = await sign_in(http, server, "cathlab-county-hospital")
            async with websockets.connect(await ws_url(http, server, PATH, token)) as ws:
                async with database.begin() as connection:
                    await connection.execute(
                        text(
                            "UPDATE sessions SET expires_at = now() + interval '1 second'"
                            " WHERE jti = :jti"
                        ),
                        {"jti": jwt.decode(token, options={"verify_signature": False})["jti"]},
                    )
                code, reason, took = await closed_with(ws, 5)
            assert (4401, True) == (code, "expired" in reason), reason
            assert took < 1 + CHECK_SECONDS + 1.5
            assert "OPEN" == kept.protocol.state.name
            # 3. the user disabled (every one of its sockets, the control's too)
            async with database.begin() as connection:
                await connection.execute(
                    text("UPDATE users SET active = false WHERE username = :u"),
                    {"u": "cathlab-county-hospital"},
                )
            code, reason, took = await closed_with(kept, 5)
            assert (4401, True) == (code, "disabled" in reason), reason

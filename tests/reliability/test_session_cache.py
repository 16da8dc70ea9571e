"""The session cache across processes (units/session_cache.py), on two real servers: a
session one process has cached is refused there as soon as another process signs it out, or
its user is disabled in the database; while the listener is connected the cache is used."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import text

from dispatch.http.database import make_engine
from dispatch.settings import Settings
from tests.reliability.servers import Server, bearer, running, sign_in

ME = "/api/v1/auth/me"
WAIT = 10.0


async def _hits(http: httpx.AsyncClient, server: Server) -> float:
    """The server's count of session-cache hits (its /metrics, read from loopback)."""
    metrics = (await http.get(f"{server.url}/metrics")).text
    for line in metrics.splitlines():
        if line.startswith('infofirst_session_cache_lookups_total{result="hit"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _cached(
    http: httpx.AsyncClient,
    server: Server,
    token: str,
    ask: Callable[[], Awaitable[int]] | None = None,
) -> None:
    """Ask (``GET /auth/me``, or ``ask``: its status) until the server answers from its cache
    (its listener connects after start-up)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        before = await _hits(http, server)
        if ask is None:
            assert 200 == (await http.get(f"{server.url}{ME}", headers=bearer(token))).status_code
        else:
            assert 200 == await ask()
        if await _hits(http, server) > before:
            return
        await asyncio.sleep(0.05)  # polling for the listener to connect, bounded by WAIT
    raise AssertionError("the server never answered from its session cache")


async def test_a_sign_out_or_a_disabled_user_is_refused_at_once_by_the_other_process(
    reliability_db: str, log_dir: Path, http: httpx.AsyncClient
) -> None:
    """B has the session cached; A signs it out: B's next request is 401; B signs one out
    itself: its next request is 401. A user disabled in the database (as the command line
    would): B's next request with their token is 401."""
    with running(["cache-a", "cache-b"], reliability_db, log_dir) as (a, b):
        for signing_out in (a, b):  # on the other process, then where it is cached
            token = await sign_in(http, a, "dispatcher")
            await _cached(http, b, token)
            logout = await http.post(f"{signing_out.url}/api/v1/auth/logout", headers=bearer(token))
            assert 204 == logout.status_code
            refused = await http.get(f"{b.url}{ME}", headers=bearer(token))
            assert 401 == refused.status_code, refused.text

        token = await sign_in(http, a, "auditor")
        await _cached(http, b, token)
        engine = make_engine(Settings(env="test", database_url=reliability_db))
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE users SET active = false WHERE username = 'auditor'")
                )
            refused = await http.get(f"{b.url}{ME}", headers=bearer(token))
            assert 401 == refused.status_code, refused.text
        finally:
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE users SET active = true WHERE username = 'auditor'")
                )
            await engine.dispose()


async def test_a_crews_fixes_are_refused_at_once_when_its_cached_session_ends(
    reliability_db: str, log_dir: Path, http: httpx.AsyncClient
) -> None:
    """The GPS fixes' route checks its caller without a transaction of its own (a remembered
    session costs no database session): B has a crew's session cached through its fixes; the
    crew signs out on A: B's next fix is 401 and not written."""
    with running(["fixes-a", "fixes-b"], reliability_db, log_dir) as (a, b):
        token = await sign_in(http, a, "crew-amb-01")
        url = f"{b.url}/api/v1/ambulances/amb-01/positions"

        async def fix() -> int:
            body = {"lon": 114.93, "lat": 33.44, "recorded_at": datetime.now(UTC).isoformat()}
            return (await http.post(url, json=body, headers=bearer(token))).status_code

        await _cached(http, b, token, fix)
        engine = make_engine(Settings(env="test", database_url=reliability_db))
        count = text("SELECT count(*) FROM ambulance_positions WHERE ambulance_id = 'amb-01'")
        try:
            async with engine.connect() as connection:
                before = (await connection.execute(count)).scalar_one()
            logout = await http.post(f"{a.url}/api/v1/auth/logout", headers=bearer(token))
            assert 204 == logout.status_code
            assert 401 == await fix()
            async with engine.connect() as connection:
                assert before == (await connection.execute(count)).scalar_one()
        finally:
            await engine.dispose()

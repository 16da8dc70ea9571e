"""The database rings ``session_change`` when a session or a user changes (migration 0035),
whoever writes it, once the change is committed: what empties every process's session cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from dispatch.dsn import asyncpg_dsn
from tests.conftest import TEST_DATABASE_URL
from units.session_cache import CHANNEL

WAIT = 5.0


@pytest.fixture
async def owner(engine: object) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection that commits (the doorbell rings on commit), cleaned up after."""
    del engine  # the migrated test database
    connection = await asyncpg.connect(asyncpg_dsn(TEST_DATABASE_URL))
    yield connection
    await connection.execute("DELETE FROM sessions WHERE jti LIKE 'doorbell-%'")
    await connection.close()


async def _rung(payloads: asyncio.Queue[str]) -> str:
    return await asyncio.wait_for(payloads.get(), WAIT)


async def test_revoking_a_session_or_changing_its_user_rings_the_doorbell(
    owner: asyncpg.Connection,
) -> None:
    """A session revoked: 'session <jti>'; its user changed: 'user <id>'; the session deleted:
    'session <jti>'; nothing rings before the commit."""
    listener = await asyncpg.connect(asyncpg_dsn(TEST_DATABASE_URL))
    payloads: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(CHANNEL, lambda *args: payloads.put_nowait(args[3]))
    try:
        user_id = await owner.fetchval("SELECT id FROM users WHERE username = 'dispatcher'")
        now = datetime.now(UTC)
        await owner.execute(
            "INSERT INTO sessions (jti, user_id, issued_at, expires_at, started_at, address)"
            " VALUES ('doorbell-1', $1, $2, $3, $2, '127.0.0.1')",
            user_id,
            now,
            now + timedelta(hours=1),
        )
        async with owner.transaction():
            await owner.execute(
                "UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout'"
                " WHERE jti = 'doorbell-1'"
            )
            with pytest.raises(TimeoutError):  # not before the commit
                await asyncio.wait_for(payloads.get(), 0.3)
        assert "session doorbell-1" == await _rung(payloads)
        await owner.execute("UPDATE users SET active = active WHERE id = $1", user_id)
        assert f"user {user_id}" == await _rung(payloads)
        await owner.execute("DELETE FROM sessions WHERE jti = 'doorbell-1'")
        assert "session doorbell-1" == await _rung(payloads)
    finally:
        await listener.close()

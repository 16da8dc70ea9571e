"""Signed-in sessions for a bench's tablets: one per ambulance, as each crew's tablet has its own.

A server remembers the sessions it has read for a while (``units/session_cache.py``), so one
token shared by 5,000 tablets would be read from the database once per process per period,
where 5,000 tokens are read up to 5,000 times: the bench must send what the field sends.
Signing in 5,000 times through ``POST /auth/token`` would hash 5,000 passwords (argon2) and trip
the sign-in throttle, so the bench writes the sessions' rows itself and signs their tokens with
the servers' own key: what a sign-in stores and returns (``units.security.issue_token``, the
``sessions`` table), for the demo county's (synthetic) admin.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from dispatch.dsn import asyncpg_dsn
from dispatch.secret_file import signing_secret
from dispatch.settings import Settings
from units.security import TokenConfig, issue_token


def _token_config() -> TokenConfig:
    """The servers' token configuration, read as they read it (same environment, same key)."""
    settings = Settings()
    return TokenConfig(
        secret=signing_secret(settings),
        ttl=timedelta(minutes=settings.token_ttl_minutes),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
    )


async def session_tokens(database: str, username: str, count: int) -> list[str]:
    """``count`` tokens of ``username``, each of a session of its own, stored in ``database``
    (a SQLAlchemy URL, the owner's) as a sign-in stores it."""
    config = _token_config()
    connection = await asyncpg.connect(asyncpg_dsn(database))
    try:
        user = await connection.fetchrow("SELECT id, role FROM users WHERE username = $1", username)
        if user is None:
            raise LookupError(f"no user {username!r} in the bench database")
        now = datetime.now(UTC)
        issued = [
            issue_token(config, int(user["id"]), username, str(user["role"]), now)
            for _ in range(count)
        ]
        await connection.executemany(
            "INSERT INTO sessions (jti, user_id, issued_at, expires_at, started_at, address)"
            " VALUES ($1, $2, $3, $4, $3, 'bench')",
            [
                (t.claims.session_id, t.claims.user_id, t.claims.issued_at, t.claims.expires_at)
                for t in issued
            ],
        )
    finally:
        await connection.close()
    return [t.token for t in issued]

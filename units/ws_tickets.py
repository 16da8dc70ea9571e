"""One-time websocket tickets: a page asks for one with its bearer token
(``POST /auth/ws-ticket``) and opens its socket with ``?ticket=``, so no bearer token is ever
in a URL (nor in any proxy's access log). A ticket is good once, for a few seconds, on any API
process (it lives in PostgreSQL, hashed), and names the session it was asked for: the socket
lives as long as that session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from units.exceptions import NotAuthenticated

_ISSUE = text(
    "WITH purge AS (DELETE FROM ws_tickets WHERE expires_at < :purge_before)"
    " INSERT INTO ws_tickets (ticket_hash, session_jti, expires_at)"
    " VALUES (:ticket_hash, :jti, :expires_at)"
)
_REDEEM = text(
    "UPDATE ws_tickets SET used_at = :now"
    " WHERE ticket_hash = :ticket_hash AND used_at IS NULL AND expires_at > :now"
    " RETURNING session_jti"
)


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("utf-8", "surrogatepass")).hexdigest()


async def issue(db: AsyncSession, session_id: str, now: datetime, ttl: timedelta) -> str:
    """A new ticket for this session, good once within ``ttl``."""
    ticket = secrets.token_urlsafe(32)
    await db.execute(
        _ISSUE,
        {
            "ticket_hash": _digest(ticket),
            "jti": session_id,
            "expires_at": now + ttl,
            "purge_before": now - timedelta(hours=1),
        },
    )
    return ticket


async def redeem(db: AsyncSession, ticket: str, now: datetime) -> str:
    """The session id of an unused, unexpired ticket, which is used up; else NotAuthenticated."""
    if not ticket or len(ticket) > 128:
        raise NotAuthenticated("a websocket ticket is needed: POST /api/v1/auth/ws-ticket")
    jti = await db.scalar(_REDEEM, {"ticket_hash": _digest(ticket), "now": now})
    if jti is None:
        raise NotAuthenticated("the websocket ticket is unknown, used or expired: ask for another")
    return str(jti)

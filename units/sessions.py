"""Sessions: a row per token (its ``jti``), so that signing out, a password change, a disabled
account or expiry ends it everywhere — HTTP requests and websockets alike.

Every authenticated request reads the user through its open session in one indexed query
(``active_session``), or for a few seconds from its process's cache of what it read
(``units/session_cache.py``, emptied by the database's NOTIFY on any change); revocation is
this module's alone (``revoke``, ``revoke_all``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from units import session_cache
from units.exceptions import NotAuthenticated
from units.models import User, UserSession
from units.security import TokenClaims


class EndedBy(StrEnum):
    """Why a session ended before its expiry."""

    logout = "logout"
    password_changed = "password_changed"  # noqa: S105 - a reason, not a secret
    user_disabled = "user_disabled"
    renewed = "renewed"
    password_reset = "password_reset"  # noqa: S105 - a reason, not a secret


async def open_session(
    db: AsyncSession, claims: TokenClaims, address: str, started_at: datetime | None = None
) -> None:
    """Record the session a token was just issued for."""
    db.add(
        UserSession(
            jti=claims.session_id,
            user_id=claims.user_id,
            issued_at=claims.issued_at,
            expires_at=claims.expires_at,
            started_at=started_at or claims.issued_at,
            address=address[:64],
        )
    )
    await db.flush()


UNKNOWN_SESSION = "the session is unknown: sign in again"
EXPIRED = "the session has expired: sign in again"


def closed_reason(session: UserSession | None, user_active: bool, now: datetime) -> str | None:
    """Why a session may no longer be used at ``now`` (None: it may). Pure."""
    if session is None:
        return UNKNOWN_SESSION
    if session.revoked_at is not None:
        return f"the session has ended ({session.revoked_reason}): sign in again"
    if session.expires_at <= now:
        return EXPIRED
    if not user_active:
        return "the account is disabled"
    return None


async def open_session_by_id(
    db: AsyncSession, session_id: str, now: datetime
) -> tuple[UserSession, User]:
    """An open session (not revoked, not expired, its user active) and its user, else
    NotAuthenticated saying why."""
    found = await db.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.jti == session_id)
    )
    row = found.first()
    if row is None:
        raise NotAuthenticated(UNKNOWN_SESSION)
    reason = closed_reason(row[0], row[1].active, now)
    if reason is not None:
        raise NotAuthenticated(reason)
    return row[0], row[1]


async def closed_sessions(
    db: AsyncSession, session_ids: Collection[str], now: datetime
) -> dict[str, str]:
    """Of the sessions named, those that may no longer be used, with why: one statement for
    every open websocket of a process (the rules of ``open_session_by_id``)."""
    if not session_ids:
        return {}
    found = await db.execute(
        select(UserSession, User.active)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.jti.in_(list(session_ids)))
    )
    rows = {row[0].jti: (row[0], bool(row[1])) for row in found}
    closed = {}
    for session_id in session_ids:
        session, active = rows.get(session_id, (None, False))
        reason = closed_reason(session, active, now)
        if reason is not None:
            closed[session_id] = reason
    return closed


async def active_session(
    db: AsyncSession, claims: TokenClaims, now: datetime
) -> tuple[UserSession, User]:
    """The open session of a valid token and its active user, else NotAuthenticated."""
    session, user = await open_session_by_id(db, claims.session_id, now)
    _require_token_matches(claims, session.user_id, user.username)
    return session, user


def _require_token_matches(claims: TokenClaims, user_id: int, username: str) -> None:
    if user_id != claims.user_id or username != claims.username:
        raise NotAuthenticated("the token does not match its session")


def remembered_user(
    claims: TokenClaims, now: datetime, cache: session_cache.SessionCache | None
) -> User | None:
    """The token's user as the process's session cache remembers its session (a detached copy;
    the same checks as the row's), or None when the cache does not have it."""
    entry = cache.get(claims.session_id) if cache is not None else None
    if entry is None:
        return None
    if entry.expires_at <= now:
        raise NotAuthenticated(EXPIRED)
    _require_token_matches(claims, entry.user_id, entry.user_columns["username"])
    return entry.user()


async def signed_in_user(
    db: AsyncSession, claims: TokenClaims, now: datetime, cache: session_cache.SessionCache | None
) -> User:
    """The token's user: from the process's session cache when it has the session (merged into
    ``db`` without a query), else read and kept for the next."""
    remembered = remembered_user(claims, now, cache)
    if remembered is not None:
        return await db.merge(remembered, load=False)
    return await read_and_remember(db, claims, now, cache)


async def read_and_remember(
    db: AsyncSession, claims: TokenClaims, now: datetime, cache: session_cache.SessionCache | None
) -> User:
    """The token's user read from its session's row (the cache did not have it), kept in the
    cache for the next request unless a notification arrived meanwhile."""
    epoch = cache.epoch if cache is not None else 0
    session, user = await active_session(db, claims, now)
    if cache is not None:
        cache.put(claims.session_id, session, user, epoch)
    return user


async def is_open(db: AsyncSession, session_id: str, now: datetime) -> bool:
    """Whether a session (by its ``jti``) may still be used at ``now``: the rules of
    ``open_session_by_id`` as a boolean, for callers that only need a yes or no."""
    try:
        await open_session_by_id(db, session_id, now)
    except NotAuthenticated:
        return False
    return True


async def revoke(db: AsyncSession, session_id: str, reason: EndedBy, now: datetime) -> None:
    """End one session (signing out)."""
    session_cache.forget([session_id])
    await db.execute(
        update(UserSession)
        .where(UserSession.jti == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason.value)
    )


async def revoke_all(db: AsyncSession, user_id: int, reason: EndedBy, now: datetime) -> int:
    """End every open session of a user (password change, disabled account); how many."""
    result = await db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason.value)
        .returning(UserSession.jti)
    )
    ended = [row[0] for row in result.all()]
    session_cache.forget(ended)
    return len(ended)


async def renew(
    db: AsyncSession, claims: TokenClaims, now: datetime, ttl: timedelta, max_age: timedelta
) -> datetime:
    """Extend an open session by ``ttl`` from now, never past ``max_age`` after its sign-in;
    the new expiry. NotAuthenticated when the session may not be extended any more."""
    session, _ = await active_session(db, claims, now)
    limit = session.started_at + max_age
    if limit <= now + timedelta(minutes=1):
        raise NotAuthenticated("the session has reached its longest life: sign in again")
    session.expires_at = min(now + ttl, limit)
    session_cache.forget([claims.session_id])
    await db.flush()
    return session.expires_at

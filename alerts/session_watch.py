"""Every open websocket's session checked by one statement per process (issue 17's load: ten
thousand screens and tablets checking their own sessions every 15 s were 670 queries a second
and emptied the pool).

A socket registers its session and waits on a future; ``SessionWatch.run`` (a supervised loop)
checks every registered session every ``every`` seconds and resolves the futures of those that
ended (signed out, password changed, account disabled, revoked) with the reason. Expiry needs no
check: each socket knows its session's expiry and closes at it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from units.sessions import closed_sessions

log = structlog.get_logger(__name__)
Ended = asyncio.Future[str]


class SessionWatch:
    """The sessions of this process's open websockets, checked together."""

    def __init__(
        self, sessions: Callable[[], async_sessionmaker[AsyncSession]], every: float
    ) -> None:
        self._sessions = sessions
        self.every = every
        self._watched: dict[str, set[Ended]] = {}

    def register(self, session_id: str) -> Ended:
        """A future resolved with the reason when the session ends."""
        ended: Ended = asyncio.get_running_loop().create_future()
        self._watched.setdefault(session_id, set()).add(ended)
        return ended

    def release(self, session_id: str, ended: Ended) -> None:
        """The socket closed: stop watching for it."""
        waiting = self._watched.get(session_id)
        if waiting is not None:
            waiting.discard(ended)
            if not waiting:
                del self._watched[session_id]

    def watched(self) -> int:
        """How many sessions are watched."""
        return len(self._watched)

    async def check(self) -> int:
        """Check every watched session once; how many had ended."""
        ids = list(self._watched)
        if not ids:
            return 0
        async with self._sessions()() as db:
            closed = await closed_sessions(db, ids, datetime.now(UTC))
        for session_id, reason in closed.items():
            for ended in self._watched.get(session_id, ()):
                if not ended.done():
                    ended.set_result(reason)
        return len(closed)

    async def run(self) -> None:
        """Check every ``every`` seconds; a database away is logged and checked again later."""
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.check()
            except (SQLAlchemyError, OSError) as exc:
                log.warning("session_check_failed", error=str(exc), sessions=len(self._watched))

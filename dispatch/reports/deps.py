"""The session the reports read through: the report database when one is set (the standby,
``INFOFIRST_REPORT_DATABASE_URL``), else the request's own database.

A report that cannot reach the standby is still answered, from the main database (logged): the
standby is a relief for the primary, never a new way for the reports to fail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

import structlog
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.http.database import DatabaseUnreachable
from geo.deps import SessionDep

log = structlog.get_logger(__name__)


async def report_session(request: Request, db: SessionDep) -> AsyncIterator[AsyncSession]:
    """The session a report reads through: the standby's (read-only, rolled back at the end)
    when one is set and reachable, else the request's own."""
    replica = cast(
        async_sessionmaker[AsyncSession] | None,
        getattr(request.app.state, "report_sessionmaker", None),
    )
    standby = replica() if replica is not None else None
    if standby is not None:
        try:
            await standby.connection()  # opened now, so an unreachable standby falls back
        except DatabaseUnreachable as exc:
            await standby.close()
            standby = None
            log.warning("report_database_unreachable", error=str(exc), fallback="main database")
    if standby is None:
        yield db
        return
    async with standby:
        yield standby


ReportSessionDep = Annotated[AsyncSession, Depends(report_session, scope="function")]

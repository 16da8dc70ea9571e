"""The drills loop: a scheduled drill starts at its time (not a second before), and a started
drill whose case was closed is scored.

Each server process runs the loop under the supervisor; ``FOR UPDATE SKIP LOCKED`` makes each
drill start (and be scored) once across processes. Each check is one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.cases.models import Case
from dispatch.drills import service
from dispatch.drills.models import Drill

log = structlog.get_logger(__name__)


async def start_due(
    sessions: async_sessionmaker[AsyncSession], now: datetime, limit: int = 20
) -> list[int]:
    """Start the scheduled drills whose time has come; their ids."""
    async with sessions() as db, db.begin():
        due = (
            await db.scalars(
                select(Drill)
                .where(Drill.status == "scheduled", Drill.scheduled_at <= now)
                .order_by(Drill.scheduled_at, Drill.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for drill in due:
            await service.start(db, drill, now)
            log.info("drill_started", drill_id=drill.id, case_id=drill.case_id)
        return [drill.id for drill in due]


async def score_closed(
    sessions: async_sessionmaker[AsyncSession], now: datetime, limit: int = 20
) -> list[int]:
    """Score the started drills whose case was closed; their ids."""
    async with sessions() as db, db.begin():
        found = (
            await db.execute(
                select(Drill, Case)
                .join(Case, Case.id == Drill.case_id)
                .where(Drill.status == "started", Case.status == "closed")
                .order_by(Drill.id)
                .limit(limit)
                .with_for_update(of=Drill, skip_locked=True)
            )
        ).all()
        for drill, case in found:
            await service.finish(db, drill, case, now)
            log.info("drill_scored", drill_id=drill.id, case_id=case.id)
        return [drill.id for drill, _ in found]


async def run(
    sessions: async_sessionmaker[AsyncSession],
    every: float,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Check every ``every`` seconds until cancelled; a failed check is logged and tried again."""
    while True:
        try:
            await start_due(sessions, clock())
            await score_closed(sessions, clock())
        except (SQLAlchemyError, OSError) as exc:
            log.warning("drill_check_failed", error=type(exc).__name__)
        await asyncio.sleep(every)

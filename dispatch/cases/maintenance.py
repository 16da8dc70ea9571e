"""Owner-only maintenance: removing cases with their stamps (demo reset, the test suite).

Stamps (``case_events``) refuse UPDATE, DELETE and TRUNCATE by triggers, and a case with stamps
cannot be deleted (no cascade). Only the tables' owner may lift that, for one transaction:
``ALTER TABLE ... DISABLE TRIGGER USER`` is an owner's right the application role lacks, and it
is transactional (the triggers are enabled again before the commit, or by the rollback).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Select, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.models import Ecg, EcgReading
from dispatch.cases.models import Case, CaseEvent, DelayReason
from dispatch.drills.models import Drill


@asynccontextmanager
async def stamps_removable(db: AsyncSession) -> AsyncIterator[None]:
    """Within the block (and the caller's transaction), stamps may be deleted; owner only."""
    await db.execute(text("ALTER TABLE case_events DISABLE TRIGGER USER"))
    yield
    await db.execute(text("ALTER TABLE case_events ENABLE TRIGGER USER"))


async def remove_cases(db: AsyncSession, cases: Select[int]) -> None:
    """Delete the cases selected by ``cases``, their stamps, delay reasons and ECGs sent for
    reading, and the drills they were the cases of (owner only, see above; none cascades from
    a case)."""
    await db.execute(delete(Drill).where(Drill.case_id.in_(cases)))
    await db.execute(delete(DelayReason).where(DelayReason.case_id.in_(cases)))
    ecgs = select(Ecg.id).where(Ecg.case_id.in_(cases))
    await db.execute(delete(EcgReading).where(EcgReading.ecg_id.in_(ecgs)))
    await db.execute(delete(Ecg).where(Ecg.case_id.in_(cases)))
    async with stamps_removable(db):
        await db.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(cases)))
        await db.execute(delete(Case).where(Case.id.in_(cases)))

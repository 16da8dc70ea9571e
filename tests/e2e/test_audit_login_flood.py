"""Failed sign-ins reach the audit trail in batches while the server drains them (issue 12,
finding 3's flood must not queue alerts behind a commit per wrong password), and none is lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from units.audit import LoginFailureAudit
from units.login_guard import LoginFailure


async def recorded(db: AsyncSession) -> int:
    count = await db.scalar(
        text(
            "SELECT count(*) FROM audit_log"
            " WHERE action = 'auth.login_failed' AND username LIKE 'flood-%'"
        )
    )
    return int(count or 0)


async def test_a_flood_of_failures_is_written_in_batches_and_none_is_lost(
    sessionmaker: async_sessionmaker[AsyncSession], db: AsyncSession
) -> None:
    """120 failures while the drainer runs: queued (the hook writes nothing itself), written in
    batches of at most 50, every one recorded; after the drainer stops, flush writes the rest
    and a failure is written at once again."""
    audit = LoginFailureAudit(lambda: sessionmaker, max_batch=50)
    drainer = asyncio.create_task(audit.run())
    await asyncio.wait_for(audit.draining.wait(), 5)
    now = datetime.now(UTC)
    failures = [LoginFailure(f"flood-{i}", "192.0.2.7", now, "wrong_password") for i in range(120)]
    await asyncio.gather(*(audit.hook(failure) for failure in failures))
    await asyncio.wait_for(audit.drained.wait(), 10)
    drainer.cancel()
    await asyncio.gather(drainer, return_exceptions=True)
    await audit.flush()
    assert 120 == await recorded(db)
    await audit.hook(LoginFailure("flood-after", "192.0.2.7", now, "wrong_password"))
    assert 121 == await recorded(db)

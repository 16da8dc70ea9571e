"""Audit entries chained at commit (migration 0037), with transactions that really commit.

A transaction that has written its entry holds no chain lock until it commits: another
request's entry is chained and committed meanwhile (it waited for the first one's commit
before: the entry's INSERT took the lock). Entries are chained in commit order, the chain
verifies, nothing stays pending, and a rolled-back transaction leaves no entry.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from units import audit

ENTRY_IDS = "SELECT request_id, id FROM audit_log WHERE request_id = ANY(:ids)"


def entry(request_id: str) -> audit.Entry:
    return audit.Entry(action="test.at_commit", request_id=request_id, detail={"n": 1})


@pytest.mark.timeout(120)
async def test_an_entry_commits_while_another_transaction_has_written_its_own(
    engine: AsyncEngine,
) -> None:
    first_id, second_id, dropped_id = (f"at-commit-{uuid.uuid4()}" for _ in range(3))
    async with engine.connect() as first, engine.connect() as second:
        await first.begin()
        await audit.write(first, entry(first_id))  # written, not yet chained
        await second.begin()
        await audit.write(second, entry(second_id))
        await asyncio.wait_for(second.commit(), timeout=10)
        await first.commit()
        await first.begin()
        await audit.write(first, entry(dropped_id))
        await first.rollback()
    async with engine.connect() as reader:
        ids = {"ids": [first_id, second_id, dropped_id]}
        found = {str(r[0]): int(r[1]) for r in await reader.execute(text(ENTRY_IDS), ids)}
        assert set(found) == {first_id, second_id}
        assert found[second_id] < found[first_id]  # chained in commit order
        assert 0 == await reader.scalar(text("SELECT count(*) FROM audit_pending"))
        verdict = await audit.verify(reader)
        assert verdict.broken_id is None, verdict
        assert verdict.checked == await audit.count(reader)

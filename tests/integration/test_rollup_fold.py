"""The rollups folded at commit (migration 0036), with transactions that really commit.

A stamp's transaction that has rewritten a case's report rows holds no rollup lock until it
commits: another stamp of the same month, metric and facility commits meanwhile (it waited for
the first one's commit before: the rollups had one lock, taken by the writing statement).
Transactions writing many cases of crossing months and facilities, committed all at once, all
commit (no deadlock: each fold locks its rows in one order), and the rollups are then those
recomputed from what they count, with nothing left noted. A fold reads and empties only its
own transaction's notes, through their index (migrations 0038, 0039).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from dispatch.cases.maintenance import remove_cases
from dispatch.cases.models import Case
from dispatch.reports.rollup import fold_pending
from tests.integration.test_report_quality_rollup import BINS_DIFFER
from tests.integration.test_report_quality_rollup import (
    rollup_mismatches as quality_mismatches,
)
from tests.integration.test_report_rollup import jittered, rollup_mismatches
from tests.integration.test_report_sql import load_fixture
from tests.unit.test_report_fixtures import FIXTURES

NOTED = "SELECT (SELECT count(*) FROM report_facts_pending) + (SELECT count(*) FROM" \
    " report_cases_pending) + (SELECT count(*) FROM report_rollup_fold)"  # fmt: skip


@pytest.fixture
async def committing(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions whose commits are real; the cases they wrote are removed after the test."""
    made = async_sessionmaker(engine, expire_on_commit=False)
    yield made
    async with made() as db:
        await remove_cases(db, select(Case.id).where(Case.created_by == "test-fold"))
        await db.commit()


async def write_cases(db: AsyncSession, seed: int, count: int) -> list[int]:
    """``count`` random fixture cases (random days of February to May) in ``db``'s open
    transaction, marked as this test's."""
    rng = random.Random(seed)
    ids = [await load_fixture(db, jittered(rng.choice(FIXTURES), rng, i)) for i in range(count)]
    await db.execute(
        text("UPDATE cases SET created_by = 'test-fold' WHERE id = ANY(:ids)"), {"ids": ids}
    )
    return ids


async def check_rollups(made: async_sessionmaker[AsyncSession]) -> None:
    """What is committed: every rollup equals the one recomputed, nothing is left noted."""
    async with made() as db:
        assert [] == await rollup_mismatches(db)
        assert [] == await quality_mismatches(db)
        assert [] == list(await db.execute(text(BINS_DIFFER)))
        assert 0 == await db.scalar(text(NOTED))


@pytest.mark.timeout(120)
async def test_a_stamp_commits_while_another_has_rewritten_rows_of_the_same_month(
    committing: async_sessionmaker[AsyncSession],
) -> None:
    async with committing() as first, committing() as second:
        await write_cases(first, seed=5, count=1)  # open: its rows noted, not folded
        # the same fixture, month and metrics: the rollup rows the first will fold
        await write_cases(second, seed=5, count=1)
        await asyncio.wait_for(second.commit(), timeout=10)
        await first.commit()
    await check_rollups(committing)


@pytest.mark.timeout(300)
async def test_transactions_of_crossing_months_all_commit_and_the_rollups_add_up(
    committing: async_sessionmaker[AsyncSession],
) -> None:
    sessions = [committing() for _ in range(6)]
    try:
        for seed, db in enumerate(sessions):
            await write_cases(db, seed=seed, count=4)
        await asyncio.wait_for(asyncio.gather(*(db.commit() for db in sessions)), timeout=60)
    finally:
        for db in sessions:
            await db.close()
    await check_rollups(committing)
    async with committing() as db:  # removed cases are folded away at their commit too
        await remove_cases(db, select(Case.id).where(Case.created_by == "test-fold"))
        await db.commit()
    await check_rollups(committing)


@pytest.mark.timeout(120)
async def test_a_rolled_back_transaction_leaves_the_rollups_as_they_were(
    committing: async_sessionmaker[AsyncSession],
) -> None:
    async with committing() as db:
        before = await db.scalar(text("SELECT coalesce(sum(rows), 0) FROM report_rollup"))
        await db.rollback()
        await write_cases(db, seed=7, count=2)
        await db.rollback()
        after = await db.scalar(text("SELECT coalesce(sum(rows), 0) FROM report_rollup"))
    assert before == after
    await check_rollups(committing)


FOREIGN_NOTES = 20_000
SCANS = "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = :table"


async def test_the_fold_reads_and_empties_only_its_own_transactions_notes(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    """Migrations 0038 and 0039: a first fold on the near-empty notes table (the plan the
    connection keeps), then 20,000 notes under another transaction id — as many pages as the
    dead notes a read-model rebuild leaves — and a second fold: those notes are neither folded
    nor deleted, and neither fold scans the notes table (the index, whatever its size when the
    connection planned the fold); under 0036 the fold read and emptied the whole table."""
    async with engine.connect() as other:  # the notes tables as small as they get: the
        # connection plans its fold again (VACUUM changes their statistics) on a few rows
        await other.execution_options(isolation_level="AUTOCOMMIT")
        await other.execute(text("VACUUM report_facts_pending, report_cases_pending"))
    await load_fixture(db, FIXTURES[0])  # the case's read-model rows: this transaction's notes
    await fold_pending(db)
    await db.execute(
        text(
            "INSERT INTO report_facts_pending"
            " (drill, pathway, name, month, facility_id, minutes, met, s, tx)"
            " SELECT false, 'stemi', 'not-this-transaction', date '2025-03-01', '', 1.0, true,"
            " 1, '3'::xid8 FROM generate_series(1, :n)"
        ),
        {"n": FOREIGN_NOTES},
    )
    await load_fixture(db, FIXTURES[1])
    await fold_pending(db)
    for table in ("report_facts_pending", "report_cases_pending"):
        scans = (await db.execute(text(SCANS), {"table": table})).one()
        assert (0, True) == (scans.seq_scan, scans.idx_scan >= 4), (table, scans)  # 2 folds
    left = await db.scalar(text("SELECT count(*) FROM report_facts_pending WHERE tx = '3'::xid8"))
    mine = await db.scalar(
        text("SELECT count(*) FROM report_facts_pending WHERE tx = pg_current_xact_id()")
    )
    folded = await db.scalar(
        text("SELECT count(*) FROM report_rollup WHERE name = 'not-this-transaction'")
    )
    assert (FOREIGN_NOTES, 0, 0) == (left, mine, folded)

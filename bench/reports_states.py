"""The year report in the three states the read model is in in production (issue 17).

- ``fresh``: report_cases and report_facts just written (reloaded in one statement each from a
  stash of themselves, autovacuum off on them meanwhile): no page is all-visible yet, so an
  index-only scan visits the heap for every row.
- ``vacuumed``: right after ``VACUUM (ANALYZE)`` of both.
- ``stamps``: autovacuum back on, while another process rewrites a random case's read-model
  rows (``readmodel.refresh_case``, what each stamp pays, one transaction each) about ten times
  a second for the whole of the report runs; the achieved rate is reported.

Each state: the median of several runs (one untimed warm-up first), the same report each time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from collections.abc import Awaitable, Callable
from multiprocessing.synchronize import Event
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.common import median
from bench.reports_synthetic import dsn
from dispatch.reports import readmodel
from dispatch.reports.rollup import REBUILD_SQL

TABLES = ("report_cases", "report_facts")
STAMPS_PER_S = 10.0

Timed = Callable[[], Awaitable[list[float]]]


async def _sql(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def make_fresh(url: str) -> float:
    """Rewrite both read-model tables (autovacuum off on them); returns the seconds it took."""
    started = time.perf_counter()
    stash = [
        f"CREATE TABLE IF NOT EXISTS bench_stash_{t} AS SELECT * FROM {t}"  # noqa: S608 - fixed
        for t in TABLES
    ]
    await _sql(url, *stash)
    await _sql(
        url,
        *(f"ALTER TABLE {t} SET (autovacuum_enabled = false)" for t in TABLES),
        "SET maintenance_work_mem = '512MB'",
        "BEGIN",
        f"TRUNCATE {', '.join(TABLES)}",
        *(f"INSERT INTO {t} SELECT * FROM bench_stash_{t}" for t in TABLES),  # noqa: S608
        "COMMIT",
        *(f"ANALYZE {t}" for t in TABLES),
    )
    return time.perf_counter() - started


async def make_vacuumed(url: str) -> None:
    """VACUUM both tables, then let autovacuum work on them again."""
    await _sql(
        url,
        *(f"VACUUM (ANALYZE) {t}" for t in TABLES),
        *(f"ALTER TABLE {t} RESET (autovacuum_enabled)" for t in TABLES),
    )


async def rebuild_rollup(url: str) -> None:
    """The rollup recomputed from the facts (the generator's bulk load bypasses the triggers)."""
    await _sql(url, REBUILD_SQL)


async def _stream(url: str, cases: int, stop: Event, done: Any) -> None:
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine)
    rng = random.Random(17)
    count, started = 0, time.perf_counter()
    try:
        while not stop.is_set():
            async with sessions() as db, db.begin():
                await readmodel.refresh_case(db, rng.randint(1, cases))
            count += 1
            ahead = started + count / STAMPS_PER_S - time.perf_counter()
            if ahead > 0:
                await asyncio.sleep(ahead)  # pacing the stream, not waiting for an event
    finally:
        await engine.dispose()
        done.put((count, time.perf_counter() - started))


def _stream_process(url: str, cases: int, stop: Event, done: Any) -> None:
    asyncio.run(_stream(url, cases, stop, done))


async def under_stamps(url: str, cases: int, timed: Timed) -> tuple[list[float], float]:
    """``timed`` while another process refreshes a random case ~10 times a second; returns
    its times and the stamp rate achieved."""
    context = multiprocessing.get_context("spawn")
    stop, done = context.Event(), context.Queue()
    process = context.Process(target=_stream_process, args=(url, cases, stop, done))
    process.start()
    try:
        times = await timed()
    finally:
        stop.set()
        count, seconds = await asyncio.to_thread(done.get, True, 60)
        process.join(60)
    return times, count / seconds


async def three_states(url: str, cases: int, timed: Timed) -> dict[str, Any]:
    """The report's run times fresh, vacuumed and under a stamp stream, with their medians."""
    reload_s = await make_fresh(url)
    fresh = await timed()
    await make_vacuumed(url)
    vacuumed = await timed()
    streamed, rate = await under_stamps(url, cases, timed)
    states = {"fresh": fresh, "vacuumed": vacuumed, "stamps": streamed}
    return {
        **{f"{k}_median_s": round(median(v), 3) for k, v in states.items()},
        **{f"{k}_runs_s": [round(t, 3) for t in v] for k, v in states.items()},
        "stamps_per_s_achieved": round(rate, 1),
        "fresh_reload_s": round(reload_s, 1),
    }

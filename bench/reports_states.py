"""The year report in the three states the read model is in in production (issue 17).

- ``fresh``: report_cases and report_facts just written (reloaded in one statement each from a
  stash of themselves, autovacuum off on them meanwhile): no page is all-visible yet, so an
  index-only scan visits the heap for every row. The reload needs twice the read model's size
  free again; ``INFOFIRST_BENCH_REPORTS_FRESH=forget`` reaches the same state without a copy:
  ``pg_visibility``'s ``pg_truncate_visibility_map`` drops both tables' visibility maps (what
  a just-written table has none of). The untimed warm-up run sets the hint bits either way.
  The rollups the report reads (kept by triggers in each stamp's transaction) have their maps
  dropped in both ways too; the share of all-visible pages of all five is recorded.
- ``vacuumed``: right after ``VACUUM (ANALYZE)`` of both.
- ``stamps``: autovacuum back on, while another process rewrites a random case's read-model
  rows (``readmodel.refresh_case``, what each stamp pays, one transaction each) about ten times
  a second for the whole of the report runs; the achieved rate is reported.

Each state: the median of several runs (one untimed warm-up first), the same report each time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import time
from collections.abc import Awaitable, Callable
from multiprocessing.synchronize import Event
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.common import fetch_rows, median
from bench.reports_synthetic import dsn
from dispatch.reports import readmodel
from dispatch.reports.rollup import REBUILD_SQL

TABLES = ("report_cases", "report_facts")
# What the year report reads besides them (written by triggers in the stamp's transaction):
# their visibility maps are dropped for "fresh" too, and their pages counted.
ROLLUPS = ("report_rollup", "report_rollup_bins", "report_quality")
REPORT_TABLES = (*TABLES, *ROLLUPS)
STAMPS_PER_S = 10.0
WARM_STAMPS = 10  # stamps written before the report runs start beside the stream
FRESH_ENV = "INFOFIRST_BENCH_REPORTS_FRESH"
FRESH_METHODS = ("reload", "forget")

Timed = Callable[[], Awaitable[list[float]]]


async def _sql(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def fresh_method() -> str:
    """How the fresh state is made: ``reload`` (the default) or ``forget``."""
    method = os.environ.get(FRESH_ENV, FRESH_METHODS[0])
    if method not in FRESH_METHODS:
        raise ValueError(f"{FRESH_ENV}={method!r}: one of {', '.join(FRESH_METHODS)}")
    return method


async def make_fresh(url: str, method: str) -> float:
    """The report's tables as just written, autovacuum off on them: both read-model tables
    rewritten (``reload``) or their visibility maps dropped (``forget``), the rollups' maps
    dropped either way; returns the seconds it took."""
    started = time.perf_counter()
    forgotten = REPORT_TABLES if method == "forget" else ROLLUPS
    await _sql(
        url,
        "CREATE EXTENSION IF NOT EXISTS pg_visibility",
        *(f"ALTER TABLE {t} SET (autovacuum_enabled = false)" for t in REPORT_TABLES),
        *(f"SELECT pg_truncate_visibility_map('{t}')" for t in forgotten),
    )
    if method == "forget":
        await _sql(url, *(f"ANALYZE {t}" for t in TABLES))
        return time.perf_counter() - started
    stash = [
        f"CREATE TABLE IF NOT EXISTS bench_stash_{t} AS SELECT * FROM {t}"  # noqa: S608 - fixed
        for t in TABLES
    ]
    await _sql(url, *stash)
    await _sql(
        url,
        "SET maintenance_work_mem = '512MB'",
        "BEGIN",
        f"TRUNCATE {', '.join(TABLES)}",
        *(f"INSERT INTO {t} SELECT * FROM bench_stash_{t}" for t in TABLES),  # noqa: S608
        "COMMIT",
        *(f"ANALYZE {t}" for t in TABLES),
    )
    return time.perf_counter() - started


async def all_visible_share(url: str) -> float:
    """The share of the report's tables' pages marked all-visible (0 when fresh); needs
    ``pg_visibility``, which ``make_fresh`` creates."""
    names = ", ".join(f"'{t}'" for t in REPORT_TABLES)
    query = (
        "SELECT sum((pg_visibility_map_summary(t)).all_visible) AS visible,"  # noqa: S608 - fixed names
        " sum(pg_relation_size(t) / current_setting('block_size')::int) AS pages"
        f" FROM unnest(ARRAY[{names}]::regclass[]) AS t"
    )
    [row] = await fetch_rows(url, query)
    return float(row["visible"]) / max(1, int(row["pages"]))


async def server_autovacuum(url: str) -> str:
    """The server's ``autovacuum`` setting: with it off (some CI images), "autovacuum back on"
    only resets the tables' own setting, and nothing vacuums them during the stamps."""
    [row] = await fetch_rows(url, "SHOW autovacuum")
    return str(row["autovacuum"])


async def make_vacuumed(url: str) -> None:
    """VACUUM the report's tables, then let autovacuum work on them again."""
    await _sql(
        url,
        *(f"VACUUM (ANALYZE) {t}" for t in REPORT_TABLES),
        *(f"ALTER TABLE {t} RESET (autovacuum_enabled)" for t in REPORT_TABLES),
    )


async def rebuild_rollup(url: str) -> None:
    """The rollup recomputed from the facts (the generator's bulk load bypasses the triggers)."""
    await _sql(url, REBUILD_SQL)


async def _stream(url: str, cases: int, stop: Event, done: Any, going: Event) -> None:
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine)
    rng = random.Random(17)
    count, started = 0, time.perf_counter()
    try:
        while not stop.is_set():
            async with sessions() as db, db.begin():
                await readmodel.refresh_case(db, rng.randint(1, cases))
            count += 1
            if count == WARM_STAMPS:
                going.set()
            ahead = started + count / STAMPS_PER_S - time.perf_counter()
            if ahead > 0:
                await asyncio.sleep(ahead)  # pacing the stream, not waiting for an event
    finally:
        await engine.dispose()
        done.put((count, time.perf_counter() - started))


def _stream_process(url: str, cases: int, stop: Event, done: Any, going: Event) -> None:
    asyncio.run(_stream(url, cases, stop, done, going))


async def under_stamps(url: str, cases: int, timed: Timed) -> tuple[list[float], float]:
    """``timed`` while another process refreshes a random case ~10 times a second; returns
    its times and the stamp rate achieved."""
    context = multiprocessing.get_context("spawn")
    stop, done, going = context.Event(), context.Queue(), context.Event()
    process = context.Process(target=_stream_process, args=(url, cases, stop, done, going))
    process.start()
    try:
        # the report runs start once the stream is under way (its process started, its first
        # stamps written), so every run has stamps beside it
        if not await asyncio.to_thread(going.wait, 120):
            raise RuntimeError("the stamp stream wrote nothing in 120 s")
        times = await timed()
    finally:
        stop.set()
        count, seconds = await asyncio.to_thread(done.get, True, 60)
        process.join(60)
    return times, count / seconds


async def three_states(url: str, cases: int, timed: Timed) -> dict[str, Any]:
    """The report's run times fresh, vacuumed and under a stamp stream, with their medians."""
    method = fresh_method()
    reload_s = await make_fresh(url, method)
    visible = {"fresh": await all_visible_share(url)}
    fresh = await timed()
    await make_vacuumed(url)
    visible["vacuumed"] = await all_visible_share(url)
    vacuumed = await timed()
    streamed, rate = await under_stamps(url, cases, timed)
    states = {"fresh": fresh, "vacuumed": vacuumed, "stamps": streamed}
    return {
        **{f"{k}_median_s": round(median(v), 3) for k, v in states.items()},
        **{f"{k}_runs_s": [round(t, 3) for t in v] for k, v in states.items()},
        "stamps_per_s_achieved": round(rate, 1),
        "fresh_method": method,
        "server_autovacuum": await server_autovacuum(url),
        "all_visible_share_before": {k: round(v, 4) for k, v in visible.items()},
        "fresh_reload_s": round(reload_s, 1),
    }

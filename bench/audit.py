"""The audit trail's cost (issue 12, finding 11), against its baseline in the same run:

1. a stamp's request time (``POST /cases/{id}/events`` through the app, in process, on a real
   PostgreSQL) with the audit trail and without it (``audit_enabled=False``, the baseline,
   possible only here and in tests), interleaved, median of several rounds; and the audit
   statement alone (one entry, its own transaction vs an empty transaction);
2. ``infofirst audit verify`` over 1,000,000 entries (generated with INSERT ... SELECT
   generate_series: the chaining trigger gives each its hash), timed as a command.

Goals: under 1 ms p50 added to a stamp; verify under 10 s.
Run: ``.venv/bin/infofirst bench audit`` (writes bench/results/audit.json).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import median, percentile, write_results
from dispatch.app import create_app
from dispatch.http.database import make_engine, make_sessionmaker
from dispatch.settings import Settings
from units import audit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get(
    "INFOFIRST_BENCH_AUDIT_DATABASE_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_bench_audit",
)
ENTRIES, ENTRIES_QUICK = 1_000_000, 5_000
ROUNDS, ROUNDS_QUICK = 5, 1
STAMPS, STAMPS_QUICK = 200, 10  # per side and round
BATCH = 100_000
MILESTONES = ("unit_notified", "unit_en_route", "unit_on_scene", "first_medical_contact")
_GENERATE = text(
    "INSERT INTO audit_log (id, at, prev_hash, hash, user_id, username, role, address,"
    " request_id, action, method, path, object_type, object_id, case_id)"
    " SELECT 0, now(), '', '', 1, 'bench', 'admin', '127.0.0.1', md5(g::text), 'case.read',"
    " 'GET', '/api/v1/cases/' || g, 'case', g::text, g FROM generate_series(1, :n) g"
)


def cli(*args: str) -> tuple[float, str]:
    """Run an ``infofirst`` command on the bench database: its wall time and output."""
    env = {**os.environ, "INFOFIRST_DATABASE_URL": DATABASE, "INFOFIRST_ENV": "test"}
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own CLI
        [str(ROOT / ".venv/bin/infofirst"), *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"infofirst {' '.join(args)} failed:\n{done.stdout}{done.stderr}"[-3000:]
        )
    return elapsed, done.stdout


async def generate(engine: AsyncEngine, wanted: int) -> tuple[int, float]:
    """Entries up to ``wanted`` in all (earlier runs' kept): the total and the seconds taken."""
    start = time.perf_counter()
    async with engine.connect() as connection:
        have = await audit.count(connection)
    while have < wanted:
        n = min(BATCH, wanted - have)
        async with engine.begin() as connection:
            await connection.execute(_GENERATE, {"n": n})
        have += n
    return have, time.perf_counter() - start


async def stamp_times(quick: bool) -> dict[str, Any]:
    """Stamp request times with and without the audit trail, interleaved, per round."""
    engine = make_engine(Settings(env="test", database_url=DATABASE))
    sessions = make_sessionmaker(engine)
    clients = {}
    for side, enabled in (("audit", True), ("baseline", False)):
        app = create_app(
            Settings(env="test", database_url=DATABASE, audit_enabled=enabled, log_level="ERROR")
        )
        app.state.engine, app.state.sessionmaker = engine, sessions
        clients[side] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        )
    rounds: list[dict[str, float]] = []
    statement: list[dict[str, float]] = []
    try:
        login = await clients["audit"].post(
            "/api/v1/auth/token", data={"username": "admin", "password": "demo"}
        )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for _ in range(ROUNDS_QUICK if quick else ROUNDS):
            times: dict[str, list[float]] = {"audit": [], "baseline": []}
            for i in range(STAMPS_QUICK if quick else STAMPS):
                for side in ("audit", "baseline") if i % 2 else ("baseline", "audit"):
                    times[side].append(await _one_stamp(clients[side], headers, i))
            rounds.append(
                {f"{side}_p50_ms": round(median(v), 3) for side, v in times.items()}
                | {f"{side}_p90_ms": round(percentile(v, 90), 3) for side, v in times.items()}
            )
            statement.append(await _statement_alone(engine, 50 if quick else 500))
            print(rounds[-1], statement[-1])
    finally:
        for client in clients.values():
            await client.aclose()
        await engine.dispose()
    keys = ("audit_p50_ms", "baseline_p50_ms", "audit_p90_ms", "baseline_p90_ms")
    figures = {key: round(median([r[key] for r in rounds]), 3) for key in keys}
    figures["added_p50_ms"] = round(figures["audit_p50_ms"] - figures["baseline_p50_ms"], 3)
    for key in ("entry_p50_ms", "empty_p50_ms", "added_by_statement_p50_ms"):
        figures[key] = round(median([s[key] for s in statement]), 3)
    return {"rounds": rounds, "statement_rounds": statement, "figures": figures}


async def _one_stamp(client: httpx.AsyncClient, headers: dict[str, str], i: int) -> float:
    """Open a case every few stamps (untimed), then time one stamp."""
    case_id = _cases.get(client)
    if case_id is None or i % len(MILESTONES) == 0:
        opened = await client.post(
            "/api/v1/cases",
            json={"pathway": "stemi", "location": {"lon": 114.9, "lat": 33.44}},
            headers=headers,
        )
        opened.raise_for_status()
        case_id = _cases[client] = int(opened.json()["id"])
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    body = {"milestone": MILESTONES[i % len(MILESTONES)], "at": at}
    start = time.perf_counter()
    answer = await client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=headers)
    elapsed = (time.perf_counter() - start) * 1000
    answer.raise_for_status()
    return elapsed


_cases: dict[httpx.AsyncClient, int] = {}


async def _statement_alone(engine: AsyncEngine, n: int) -> dict[str, float]:
    """One entry in its own transaction vs an empty transaction (SELECT 1), interleaved."""
    entry = audit.Entry(
        action="stamp.create", user_id=1, username="bench", role="admin", case_id=1, path="/b"
    )
    with_entry: list[float] = []
    empty: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        async with engine.begin() as connection:
            await connection.execute(text("SELECT 1"))
            await audit.write(connection, entry)
        with_entry.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        async with engine.begin() as connection:
            await connection.execute(text("SELECT 1"))
        empty.append((time.perf_counter() - start) * 1000)
    return {
        "entry_p50_ms": median(with_entry),
        "empty_p50_ms": median(empty),
        "added_by_statement_p50_ms": median(with_entry) - median(empty),
    }


async def _verify_in_process() -> tuple[int, float]:
    engine = make_engine(Settings(env="test", database_url=DATABASE))
    try:
        async with engine.connect() as connection:
            start = time.perf_counter()
            verdict = await audit.verify(connection)
            seconds = time.perf_counter() - start
    finally:
        await engine.dispose()
    if verdict.broken_id is not None:
        raise RuntimeError(f"the bench chain is broken at {verdict.broken_id}")
    return verdict.checked, seconds


def main(quick: bool = False) -> dict[str, Any]:
    """Prepare the database, measure, write bench/results/audit(-quick).json."""
    cli("db", "upgrade")
    cli("demo", "load")
    stamps = asyncio.run(stamp_times(quick))

    async def fill() -> tuple[int, float]:
        engine = make_engine(Settings(env="test", database_url=DATABASE))
        try:
            return await generate(engine, ENTRIES_QUICK if quick else ENTRIES)
        finally:
            await engine.dispose()

    total, generated_s = asyncio.run(fill())
    command_s, output = cli("audit", "verify")
    checked, in_process_s = asyncio.run(_verify_in_process())
    figures = {
        **stamps["figures"],
        "entries": checked,
        "verify_command_s": round(command_s, 2),
        "verify_in_process_s": round(in_process_s, 2),
        "generate_s": round(generated_s, 1),
    }
    data = {
        "quick": quick,
        "question": "a stamp's request time with the audit trail vs without; audit verify",
        "method": {
            "stamps": "POST /cases/{id}/events through the app in process (httpx ASGI "
            "transport) on PostgreSQL, with and without the audit dependency, interleaved; "
            "median over rounds of each round's percentile",
            "statement": "one audit entry + SELECT 1 in a transaction vs SELECT 1 alone",
            "verify": "`infofirst audit verify` as a command (process start included) and "
            "audit.verify in process, over every entry of the bench database",
            "entries": f"generated by INSERT ... SELECT generate_series in batches of {BATCH:,}",
        },
        "verify_output": output.strip(),
        "total_entries": total,
        "figures": figures,
        "rounds": stamps["rounds"],
        "statement_rounds": stamps["statement_rounds"],
        "goals": {
            "stamp_added_p50_under_1ms": figures["added_p50_ms"] < 1.0,
            "verify_1m_under_10s": checked >= ENTRIES and figures["verify_command_s"] < 10,
        },
    }
    path = write_results("audit-quick" if quick else "audit", data)
    data["results_file"] = str(path)
    return data

"""etcd loses its quorum under writes (issue 17): two of the three members' hosts die.

Without a quorum Patroni cannot update the leader lock, and then "Postgres is immediately
demoted and started as read-only" so that a partitioned primary never runs beside a new one
(Patroni docs, "DCS Failsafe Mode", which the lab leaves off). Meanwhile writes answer 503
with Retry-After and are resent with the same Idempotency-Key; when the two members come back,
Patroni elects a primary again and the resent writes go through, none twice. The last
``HELD`` writes are sent only once no node is writable: otherwise a fast machine may have sent
them all before the demotion, leaving nothing to refuse. Measured: seconds
from the loss until no node accepts writes (``quorum_demote_s``), and from the members'
restart until a write succeeds again (``quorum_back_s``).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from tests.ha.clients import report, send_during, stored_keys, workload
from tests.ha.lab import Lab, Node, node_url

WRITES = 300
LOSE_AFTER = 40  # acknowledged writes before the quorum is lost
HELD = 150  # the last writes, sent only once no node is writable (so some meet the outage)
REFUSED_WHILE_DOWN = 10  # 503s seen after the demotion before the quorum comes back
STAMP_CASES = 10
LOST_MEMBERS = (1, 2)  # etcd2 and etcd3: etcd1 alone is no majority of three


async def writable(node: Node) -> bool:
    """Whether ``node`` accepts a connection and is out of recovery (a primary)."""
    try:
        connection = await asyncpg.connect(node_url(node.pg_port, "postgres"), timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    try:
        return not bool(await connection.fetchval("SELECT pg_is_in_recovery()", timeout=2))
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    finally:
        await connection.close(timeout=2)


async def until(what: str, check: Callable[[], Awaitable[bool]], within: float) -> float:
    """Await ``check()`` every 0.2 s until true (seconds it took); TimeoutError after ``within``."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > within:
            raise TimeoutError(f"{what}: not within {within} s")
        await asyncio.sleep(0.2)
    return time.monotonic() - start


@pytest.mark.timeout(600)
async def test_etcd_quorum_lost_under_writes(lab: Lab, http: httpx.AsyncClient) -> None:
    """No primary without a quorum (503 + Retry-After), one again with it, nothing written twice."""
    assert lab.etcd is not None
    work = await workload(lab, http, WRITES, LOSE_AFTER, STAMP_CASES)
    run = work.run
    run.hold_from = WRITES - HELD
    figures: dict[str, Any] = {}
    marks: dict[str, float] = {}

    async def no_writable_node() -> bool:
        return not any([await writable(node) for node in lab.nodes])

    async def refused_since_demotion() -> bool:
        late = [a for a in run.answers if a.status == 503 and a.sent_at > marks["demoted"]]
        return len(late) >= REFUSED_WHILE_DOWN

    async def lose_and_restore_quorum() -> None:
        marks["lost"] = time.monotonic()
        await asyncio.to_thread(lab.etcd.kill, *LOST_MEMBERS)  # type: ignore[union-attr]
        try:
            figures["quorum_demote_s"] = round(await until("demoted", no_writable_node, 90), 2)
            marks["demoted"] = time.monotonic()
            figures["quorum_unacknowledged_at_demotion"] = WRITES - len(run.acknowledged)
            run.released.set()
            await until("writes refused", refused_since_demotion, 60)
        finally:  # the quorum back even when a step failed: the next tests need the cluster
            run.released.set()
            marks["restored"] = time.monotonic()
            await asyncio.to_thread(lab.etcd.start, *LOST_MEMBERS)  # type: ignore[union-attr]

    try:
        await send_during(http, work.apis, run, lose_and_restore_quorum)
        after = [a.returned_at for a in run.acknowledged.values() if a.sent_at > marks["restored"]]
        figures["quorum_back_s"] = round(min(after) - marks["restored"], 2) if after else None
        refused = [a for a in run.answers if a.status == 503]
        figures["quorum_refused_503"] = len(refused)
        figures["quorum_acknowledged"] = len(run.acknowledged)
        primary, _ = await asyncio.to_thread(lab.settled)
        acked_keys = run.acknowledged_keys()
        stored = await stored_keys(primary.pg_port, acked_keys)
        figures["quorum_acknowledged_lost"] = sum(1 for key in acked_keys if key not in stored)
        figures["quorum_stored_twice"] = sum(1 for n in stored.values() if n > 1)
    finally:
        figures["quorum_statuses"] = dict(Counter(str(a.status) for a in run.answers))
        report(figures)

    assert WRITES == len(run.acknowledged), (figures, run.gave_up[:10])
    assert 0 == figures["quorum_acknowledged_lost"], figures
    assert 0 == figures["quorum_stored_twice"], figures
    assert not run.unexpected(), [(a.status, a.problem) for a in run.unexpected()[:10]]
    assert refused, figures
    assert all(a.retry_after for a in refused), [a for a in refused if not a.retry_after][:5]
    assert figures["quorum_back_s"] is not None, figures

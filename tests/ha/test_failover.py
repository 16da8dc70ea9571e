"""Failover on the HA lab (issue 17): the primary's host dies under 1,000 stamps and alerts.

While clients send a bounded number of stamps and alerts through both API processes, the
primary's host dies: its Patroni and its PostgreSQL (postmaster and backends) get SIGKILL, so
nothing renews its leader key and the synchronous standby is promoted (killing PostgreSQL alone
would only make its own Patroni restart it in place). Measured: the seconds from the kill until
a write sent after it succeeds (``failover_s``). Checked: every write that got a 2xx is in the
new primary (synchronous replication: ``acknowledged_lost`` is 0), and none twice; the
requests made during the failover got 503 with ``Retry-After`` and, resent with the same
Idempotency-Key, all succeeded; then the old primary rejoins as a standby.

The figures are added to the JSON object of ``INFOFIRST_HA_RESULT`` (``make ha-test`` prints it
as its last line).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.ha.clients import report, send_during, stored_keys, workload
from tests.ha.lab import Lab

WRITES = 1000
KILL_AFTER = 200  # acknowledged writes before the primary's host dies
STAMP_CASES = 25


@pytest.mark.timeout(900)
async def test_primary_host_dies_under_writes(lab: Lab, http: httpx.AsyncClient) -> None:
    """No acknowledged write lost, 503 + Retry-After during the failover, the old primary back
    as a standby."""
    work = await workload(lab, http, WRITES, KILL_AFTER, STAMP_CASES)
    old, run = work.primary, work.run
    figures: dict[str, Any] = {"writes": WRITES, "old_primary": old.name}
    killed_at: list[float] = []

    async def kill() -> None:
        killed_at.append(time.monotonic())
        await asyncio.to_thread(lab.kill_host, old)

    try:
        await send_during(http, work.apis, run, kill)
        killed = killed_at[0]
        new = lab.primary()
        after = [a.returned_at for a in run.acknowledged.values() if a.sent_at > killed]
        figures["failover_s"] = round(min(after) - killed, 2) if after else None
        figures["new_primary"] = new.name
        acked_keys = run.acknowledged_keys()
        stored = await stored_keys(new.pg_port, acked_keys)
        figures["acknowledged"] = len(acked_keys)
        figures["acknowledged_lost"] = sum(1 for key in acked_keys if key not in stored)
        figures["stored_twice"] = sum(1 for n in stored.values() if n > 1)
        figures["refused_503"] = run.count(503)
        figures["no_answer"] = run.count(0)
        figures["gave_up"] = len(run.gave_up)
        unexpected = run.unexpected()
        figures["other_status"] = len(unexpected)
        figures["resent_then_acknowledged"] = sum(1 for a in run.acknowledged.values() if a.attempt)

        # The old primary's host comes back: its Patroni rejoins it as a standby (pg_rewind).
        figures["rejoin_s"] = round(await asyncio.to_thread(lab.rejoin, old), 2)
    finally:
        report(figures)  # what was measured, even when a step failed

    assert new is not old, figures
    assert WRITES == figures["acknowledged"], (figures, run.gave_up[:10])
    assert 0 == figures["acknowledged_lost"], figures
    assert 0 == figures["stored_twice"], figures
    assert not unexpected, [(a.status, a.problem) for a in unexpected[:10]]
    refused = [a for a in run.answers if a.status == 503]
    assert refused, "no request met the failover: the kill came too late to test anything"
    assert all(a.retry_after for a in refused), [a for a in refused if not a.retry_after][:5]
    problems = {a.problem for a in refused}
    assert problems <= {"/problems/database-unavailable", "/problems/database-busy"}, problems
    assert figures["failover_s"] is not None
    assert figures["failover_s"] < 60, figures

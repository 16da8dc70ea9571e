"""The synchronous standby's host dies under writes (issue 17): writes continue, and the standby,
started again, catches up.

The lab runs Patroni with ``synchronous_mode: true`` and not ``synchronous_mode_strict``:
when the synchronous standby is gone and no other exists, Patroni sets
``synchronous_standby_names = ''`` (synchronous_mode stays on, and only the old primary may
take the leader lock), so commits wait for the dead standby only until Patroni's next loop
(Patroni docs, "Replication modes", "Synchronous mode"; strict mode would block writes
instead). Measured: the longest acknowledged request sent while the standby was dead, and the
seconds from its restart until it is the synchronous standby again with every acknowledged
write.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.ha.clients import report, send_during, stored_keys, stored_until, workload
from tests.ha.lab import Lab

WRITES = 300
KILL_AFTER = 60
STAMP_CASES = 10


@pytest.mark.timeout(600)
async def test_standby_host_dies_under_writes(lab: Lab, http: httpx.AsyncClient) -> None:
    """Every write acknowledged with the standby dead; back, it has them all and is sync again."""
    work = await workload(lab, http, WRITES, KILL_AFTER, STAMP_CASES)
    primary, standby, run = work.primary, work.standby, work.run
    figures: dict[str, Any] = {}
    killed_at: list[float] = []

    async def kill() -> None:
        killed_at.append(time.monotonic())
        await asyncio.to_thread(lab.kill_host, standby)

    try:
        await send_during(http, work.apis, run, kill)
        killed = killed_at[0]
        during = [a for a in run.acknowledged.values() if a.sent_at > killed]
        figures["standby_death_acknowledged"] = len(run.acknowledged)
        figures["standby_death_writes_while_dead"] = len(during)
        slowest = max((a.returned_at - a.sent_at for a in during), default=None)
        figures["standby_death_max_write_s"] = round(slowest, 2) if slowest else None
        figures["standby_death_refused_503"] = run.count(503)
        acked_keys = run.acknowledged_keys()
        on_primary = await stored_keys(primary.pg_port, acked_keys)
        figures["standby_death_lost"] = sum(1 for key in acked_keys if key not in on_primary)

        # The standby's host comes back: it streams what it missed and is synchronous again.
        start = time.monotonic()
        await asyncio.to_thread(lab.rejoin, standby, "/sync")
        on_standby = await stored_until(standby.pg_port, acked_keys, 60)
        figures["standby_catchup_s"] = round(time.monotonic() - start, 2)
        figures["standby_missing_after_catchup"] = sum(
            1 for key in acked_keys if key not in on_standby
        )
    finally:
        report(figures)

    assert lab.primary() is primary, "the primary should not change when the standby dies"
    assert WRITES == len(run.acknowledged), (figures, run.gave_up[:10])
    assert len(during) >= WRITES // 2, figures  # writes went on while the standby was dead
    assert 0 == figures["standby_death_lost"], figures
    assert 0 == figures["standby_missing_after_catchup"], figures
    assert not run.unexpected(), [(a.status, a.problem) for a in run.unexpected()[:10]]
    assert all(n == 1 for n in on_primary.values()), figures

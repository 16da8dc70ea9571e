"""A PostgreSQL restart under a connected screen: senders get a clear 503 while it is down,
the service recovers by itself, and no committed alert is lost.

RISK: this stops the machine's shared PostgreSQL server. It must run after every other test
that uses it: it is marked ``stops_postgres``, and ``tests/conftest.py`` moves such tests to the
end of the session whatever the files' names or the order of the paths given (tests/ordering.py);
before stopping the server the test waits until no other client is in the middle of a query or
a transaction (failing loudly if one stays). Do not run tests that need PostgreSQL in parallel
with this one (e.g. under pytest-xdist). PostgreSQL is always started again in a ``finally``.
"""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.reliability.conftest import Cluster
from tests.reliability.servers import (
    Screen,
    Sent,
    Server,
    alert_body,
    bearer,
    contiguous,
    eventually,
    open_case,
    post_alert,
    sign_in,
    stream_head,
)

pytestmark = pytest.mark.stops_postgres

SENDER = "township-th-nandun"
RECEIVER = "cathlab-county-hospital"
COUNTY = "county-hospital"
CLUSTER = ("15", "main")
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Other clients of the shared server that are working right now (idle ones just reconnect).
BUSY_OTHERS = (
    "SELECT pid, datname, application_name, state FROM pg_stat_activity"
    " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
    " AND datname IS DISTINCT FROM $1 AND state <> 'idle'"
)


def pg_ctlcluster(action: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """``pg_ctlcluster 15 main ACTION`` (as root, without systemd)."""
    return subprocess.run(  # noqa: S603 - fixed arguments
        ["pg_ctlcluster", "--skip-systemctl-redirect", *CLUSTER, action, *extra],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def ensure_started() -> None:
    """Start the cluster unless it is running (status 0: running, 3: stopped)."""
    if 0 != pg_ctlcluster("status").returncode:
        started = pg_ctlcluster("start")
        assert 0 == started.returncode, started.stderr


async def wait_until_others_idle(database: str) -> None:
    """Wait (30 s at most) until no other client of the server is in a query or transaction."""
    connection = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:

        async def idle() -> bool:
            return not await connection.fetch(BUSY_OTHERS, database)

        if not await eventually(idle, 30, every=0.2):
            busy = [dict(row) for row in await connection.fetch(BUSY_OTHERS, database)]
            pytest.fail(f"other clients are busy, PostgreSQL not restarted: {busy}")
    finally:
        await connection.close(timeout=2)


@dataclass
class Senders:
    """Township units sending alerts without pause (a bounded number), every answer kept."""

    http: httpx.AsyncClient
    server: Server
    headers: dict[str, str]
    case_id: int
    answers: list[tuple[int, Sent]] = field(default_factory=list)  # (status, result)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _count: int = 0

    async def run(self, limit: int = 2000) -> None:
        while not self._stop.is_set() and self._count < limit:
            self._count += 1
            body = alert_body(self.case_id, self._count)
            sent = await post_alert(self.http, self.server, self.headers, body)
            self.answers.append((sent.status, sent))
            if 201 != sent.status:
                await asyncio.sleep(0.02)  # as a client would, briefly

    def stop(self) -> None:
        self._stop.set()

    def count(self, status: int) -> int:
        return sum(1 for code, _ in self.answers if code == status)


async def wait_for_count(senders: Senders, status: int, count: int, within: float) -> None:
    """Wait until the senders have had ``count`` answers with ``status``."""

    async def enough() -> bool:
        return senders.count(status) >= count

    assert await eventually(enough, within, every=0.05), senders.answers


async def test_a_postgres_restart_loses_no_alert(cluster: Cluster, http: httpx.AsyncClient) -> None:
    """PostgreSQL restarted under senders: 201 or 503 only, ready again, each 201 delivered once."""
    (a,) = cluster.get("a")
    sender = bearer(await sign_in(http, a, SENDER))
    receiver = await sign_in(http, a, RECEIVER)
    case_id = await open_case(http, a, sender)
    head = await stream_head(http, a, receiver, COUNTY)
    screen = Screen([a], f"/ws/facilities/{COUNTY}/alerts", receiver, since=head)
    screen.start()
    senders = [Senders(http, a, sender, case_id) for _ in range(3)]
    sending = [asyncio.create_task(s.run()) for s in senders]
    try:
        assert await screen.wait_for(lambda s: len(s.connects) >= 1, 5), screen.closes
        await wait_for_count(senders[0], 201, 3, 10)
        await wait_until_others_idle(make_url(cluster.database_url).database or "")
        try:
            stopped = await asyncio.to_thread(pg_ctlcluster, "stop", "-m", "fast")
            assert 0 == stopped.returncode, stopped.stderr
            await wait_for_count(senders[0], 503, 3, 10)
            not_ready = await asyncio.to_thread(a.readyz)
        finally:
            await asyncio.to_thread(ensure_started)
        await asyncio.to_thread(a.wait_ready, 30)  # the pool and the listener are back
        after = senders[0].count(201)
        await wait_for_count(senders[0], 201, after + 3, 10)
    finally:
        for each in senders:
            each.stop()
        await asyncio.gather(*sending)
    try:
        answers = [answer for each in senders for answer in each.answers]
        posted = {sent.alert_id for code, sent in answers if 201 == code}
        done = await screen.wait_for(lambda s: posted <= set(s.arrived), 10)
        assert done, f"missing {posted - set(screen.arrived)}; {screen.closes}"
    finally:
        await screen.stop()

    assert {201, 503} == {code for code, _ in answers}, [s.body for c, s in answers if c >= 500]
    for code, refused in answers:
        if 503 == code:
            assert "/problems/database-unavailable" == refused.body["type"], refused.body
    assert 503 == not_ready[0]
    frames = screen.unique_by_seq()
    seqs = [int(f["seq"]) for f in frames]
    assert head + 1 == seqs[0]
    assert contiguous(seqs), seqs
    assert sorted(posted) == sorted(screen.created_ids())  # each once; no 201 went missing

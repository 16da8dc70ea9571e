"""The HA lab for the tests of tests/ha (collected only under ``make ha-test``, which sets
``INFOFIRST_HA_TEST=1``: see tests/conftest.py). The lab is started once for the session and
torn down completely afterwards, whatever happened (``tests.ha.lab.Lab``). Every test starts
by waiting for a primary and its synchronous standby (``Lab.settled``)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.ha.clients import report
from tests.ha.lab import Lab


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """Three etcd members, two Patroni nodes (node1 primary, node2 its synchronous standby), two
    APIs; one lab for the whole session."""
    start = time.monotonic()
    with Lab() as running:
        figures = {f"lab_{name}": round(value, 2) for name, value in running.timings.items()}
        report({**figures, "lab_up_s": round(time.monotonic() - start, 2)})
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for 127.0.0.1 (a 15 s timeout per request)."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
    async with httpx.AsyncClient(timeout=15, limits=limits) as client:
        yield client

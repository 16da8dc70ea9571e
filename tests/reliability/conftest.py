"""Fixtures of the reliability tests: their own database, real server processes, signed-in users.

The database (``INFOFIRST_RELIABILITY_DATABASE_URL``, default ``infofirst_reliability`` on the
local server) is created and migrated once per run, the demo county loaded, and every case and
alert of an earlier run removed, so each run starts from empty streams
(``tests.databases.prepare_demo_database``). Server processes are started by the tests
(``servers.running``) and always stopped in a ``finally``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.databases import prepare_demo_database
from tests.reliability.servers import Server, start_server

RELIABILITY_DATABASE_URL = os.environ.get(
    "INFOFIRST_RELIABILITY_DATABASE_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_reliability",
)


@pytest.fixture(scope="session")
async def reliability_db() -> str:
    """The reliability database: migrated, the demo county loaded, no cases or alerts."""
    return await prepare_demo_database(RELIABILITY_DATABASE_URL, empty="cases_and_alerts")


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the server processes write their logs."""
    return tmp_path_factory.mktemp("servers")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for 127.0.0.1 with room for many concurrent requests."""
    limits = httpx.Limits(max_connections=128, max_keepalive_connections=32)
    async with httpx.AsyncClient(timeout=15, limits=limits) as client:
        yield client


# Settings of the shared servers: fast heartbeats and listener checks, the default 2 s poll (the
# safety net under NOTIFY); alerts that nobody answers do not escalate during the run, and an
# alert that is due (the escalation test's, sent through its own server) is reminded every 1 s
# whichever process escalates it.
COUNTY_SETTINGS = {
    "heartbeat_seconds": "1",
    "alert_poll_seconds": "2",
    "listener_check_seconds": "1",
    "ws_queue_size": "64",
    "alert_ack_timeout_seconds": "3600",
    "escalation_reminder_seconds": "1",
}


@dataclass
class Cluster:
    """The run's shared server processes, by name; a dead one is started again when asked for."""

    database_url: str
    log_dir: Path
    settings: dict[str, str]
    running: dict[str, Server] = field(default_factory=dict)

    def get(self, *names: str) -> list[Server]:
        """The named servers, alive and ready (the missing or dead ones started together)."""
        for name in names:
            server = self.running.get(name)
            if server is None or server.process.poll() is not None:
                self.running[name] = start_server(
                    name, self.database_url, self.log_dir, **self.settings
                )
        for name in names:
            self.running[name].wait_ready()
        return [self.running[name] for name in names]

    def stop_all(self) -> None:
        for server in self.running.values():
            server.stop()


@pytest.fixture(scope="session")
def cluster(reliability_db: str, log_dir: Path) -> Iterator[Cluster]:
    """The shared server processes of the run (stopped at its end, whatever happened)."""
    found = Cluster(reliability_db, log_dir, COUNTY_SETTINGS)
    try:
        yield found
    finally:
        found.stop_all()

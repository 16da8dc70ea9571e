"""Shared fixtures: a real PostGIS test database, a rolled-back transaction per test, the app.

The test database (``INFOFIRST_TEST_DATABASE_URL``, default ``infofirst_test`` on the local
server) is created and migrated once per run, and the synthetic demo county is loaded into it
(``tests.databases.prepare_demo_database``, as for the browser and reliability databases).
Each test then runs inside a transaction that is rolled back, so tests never see each other.
A database that cannot be reached, or lacks PostGIS, fails the run; a skipped test fails it too.
Tests marked ``stops_postgres`` run after every other test of the session (``tests/ordering.py``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from dispatch.app import create_app
from dispatch.demo.county import DemoCounty, build_demo_county
from dispatch.http.database import make_engine
from dispatch.settings import Settings
from geo.runtime import RoadRuntime
from tests.databases import prepare_demo_database
from tests.ordering import order_items

# Test data kept in the repository (tests/data/README.md: what it is, and its ODbL licence).
TEST_DATA = Path(__file__).resolve().parent / "data"
CHENGDU_PBF = TEST_DATA / "chengdu.osm.pbf"

# The test suite's own signing secret (the only secret anywhere that is not generated per install;
# the product has none built in): the apps and the servers the tests start inherit it.
os.environ.setdefault("INFOFIRST_SECRET_KEY", "test-suite-only-signing-secret-0123456789abcdef")

# The HA lab's tests (tests/ha: etcd, Patroni, PostgreSQL nodes of their own) run only under
# `make ha-test`, never in `make test`.
collect_ignore = [] if os.environ.get("INFOFIRST_HA_TEST") == "1" else ["ha"]

TEST_DATABASE_URL = os.environ.get(
    "INFOFIRST_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_test"
)


@pytest.hookimpl(trylast=True)  # after any plugin that reorders or deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``stops_postgres`` run last in the session, whatever their file's name."""
    items[:] = order_items(items)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is a failure: the run must prove everything it claims."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter is not None:
            reporter.write_line(f"FAILED: {len(skipped)} test(s) skipped; skips are failures here")


# Chains this transaction's audit entries as they are written, not at its commit (0037).
CHAIN_AUDIT_NOW = "SET CONSTRAINTS audit_pending_chain IMMEDIATE"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings pointing at the test database."""
    return Settings(env="test", database_url=TEST_DATABASE_URL, log_json=True, log_level="WARNING")


@pytest.fixture(scope="session")
def demo_county() -> DemoCounty:
    """The synthetic demo county, as generated."""
    return build_demo_county()


@pytest.fixture(scope="session")
async def engine(settings: Settings, demo_county: DemoCounty) -> AsyncIterator[AsyncEngine]:
    """An engine on the migrated test database, with the demo county loaded (committed)."""
    await prepare_demo_database(settings.database_url, empty="reset", county=demo_county)
    engine = make_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        # Audit entries are chained when their transaction commits (migration 0037), which
        # this one never does: here each is chained as it is written, so a test reads it
        # (tests/integration/test_audit_at_commit.py commits for real).
        await connection.execute(text(CHAIN_AUDIT_NOW))
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions joined to the test's transaction (their commits are savepoints)."""
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def db(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in the test's rolled-back transaction."""
    async with sessionmaker() as session:
        yield session


@pytest.fixture(scope="session")
async def demo_roads(settings: Settings, engine: AsyncEngine) -> RoadRuntime:
    """The road runtime over the demo county's committed roads, built once for the run."""
    runtime = RoadRuntime(
        access_speed_kmh=settings.access_speed_kmh,
        max_snap_m=settings.max_snap_m,
        coverage_margin_m=settings.coverage_margin_m,
    )
    await runtime.refresh(async_sessionmaker(engine))
    assert runtime.engine is not None, "the demo county's roads did not load"
    return runtime


@pytest.fixture
def app(
    settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_roads: RoadRuntime,
) -> FastAPI:
    """The app, its requests running in the test's transaction, on the demo county's roads."""
    application = create_app(settings)
    application.state.engine = engine
    application.state.sessionmaker = sessionmaker
    application.state.roads = demo_roads
    return application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


Login = Callable[[str], Awaitable[dict[str, str]]]


@pytest.fixture
def login(client: httpx.AsyncClient) -> Login:
    """Sign in as a demo user (password ``demo``) and return the Authorization header."""

    async def sign_in(username: str) -> dict[str, str]:
        response = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": "demo"}
        )
        assert 200 == response.status_code, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return sign_in

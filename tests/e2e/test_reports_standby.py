"""Reports read from the standby (issue 17): with ``INFOFIRST_REPORT_DATABASE_URL`` set, the
report endpoints read through that database, read-only, and fall back to the main database
when it cannot be reached.

The "standby" here is the test database through a connection of its own: it sees only what is
committed, so the fixture cases stamped in the test's open transaction are exactly what a
lagging standby has not got yet — which tells which database a report read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from structlog.testing import capture_logs

from dispatch.http.database import make_report_engine, make_sessionmaker
from dispatch.settings import Settings
from tests.conftest import TEST_DATABASE_URL, Login
from tests.e2e.cases_helpers import signed_in
from tests.e2e.reports_helpers import get_report, load_all

UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/infofirst_test"


def case_ids(response: httpx.Response) -> set[int]:
    assert 200 == response.status_code, response.text
    return {row["case_id"] for row in response.json()["cases"]}


async def standby_of(app: FastAPI, url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    settings = Settings(env="test", database_url=TEST_DATABASE_URL, report_database_url=url)
    engine = make_report_engine(settings)
    assert engine is not None
    app.state.report_sessionmaker = make_sessionmaker(engine)
    try:
        yield app.state.report_sessionmaker
    finally:
        del app.state.report_sessionmaker
        await engine.dispose()


@pytest.fixture
async def standby(app: FastAPI) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The app's reports reading the committed test database (the 'standby')."""
    async for sessions in standby_of(app, TEST_DATABASE_URL):
        yield sessions


@pytest.fixture
async def unreachable(app: FastAPI) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The app's reports pointed at a database nobody listens for."""
    async for sessions in standby_of(app, UNREACHABLE):
        yield sessions


async def test_without_a_report_database_the_report_reads_the_main_one(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Unset (the default): the report counts the cases of the request's own database."""
    loaded = await load_all(client, login)
    headers = await signed_in(login, "auditor")
    assert loaded["a47"] in case_ids(await get_report(client, headers))


async def test_with_a_report_database_the_report_reads_it_and_only_it(
    client: httpx.AsyncClient, login: Login, standby: async_sessionmaker[AsyncSession]
) -> None:
    """Set: the report answers from the standby, which has not got the cases written in the
    main database's open transaction; the ECG and QC reports answer from it too."""
    loaded = await load_all(client, login)
    headers = await signed_in(login, "auditor")
    answer = await get_report(client, headers)
    if answer.status_code == 404:  # the standby has no case at all in the period
        assert "/problems/empty-period" == answer.json()["type"]
    else:
        assert loaded["a47"] not in case_ids(answer)
    for path in ("/api/v1/reports/ecg-reading", "/api/v1/qc/units/th-nandun"):
        answer = await client.get(
            path, params={"from": "2026-01-01", "to": "2026-01-31"}, headers=headers
        )
        assert 200 == answer.status_code, (path, answer.text)


async def test_the_report_database_is_read_only(
    standby: async_sessionmaker[AsyncSession],
) -> None:
    """Every transaction on the report connection is read-only: a write is refused."""
    async with standby() as db:
        assert "on" == await db.scalar(text("SHOW transaction_read_only"))
        with pytest.raises(DBAPIError, match="read-only transaction"):
            await db.execute(text("CREATE TEMP TABLE t_probe (x int)"))


async def test_an_unreachable_report_database_falls_back_to_the_main_one(
    client: httpx.AsyncClient, login: Login, unreachable: async_sessionmaker[AsyncSession]
) -> None:
    """Nobody listening where the standby should be: the report is still answered, from the
    main database (its open transaction's cases counted), and the fallback is logged."""
    loaded = await load_all(client, login)
    headers = await signed_in(login, "auditor")
    with capture_logs() as logs:
        ids = case_ids(await get_report(client, headers))
    assert loaded["a47"] in ids
    assert "report_database_unreachable" in [entry["event"] for entry in logs]

"""The pool's ping on checkout (dispatch/http/database.py): one ``SELECT 1`` instead of
SQLAlchemy's BEGIN, ``;``, ROLLBACK; a pooled connection the server ended is found dead at
checkout and replaced, so the request using it never sees the error."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from dispatch.http.database import make_engine, make_sessionmaker
from dispatch.settings import Settings
from tests.conftest import TEST_DATABASE_URL

# the test database, created and migrated (these tests open engines of their own on it)
pytestmark = pytest.mark.usefixtures("engine")


@contextmanager
def statements_sent(engine: Any) -> Iterator[list[str]]:
    """The statements asyncpg is asked to run on ``engine``'s connections (pings included)."""
    sent: list[str] = []

    def log(record: Any) -> None:
        sent.append(" ".join(record.query.split()))

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.run_async(lambda connection: _add(connection, log))

    event.listen(engine.sync_engine, "connect", on_connect)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "connect", on_connect)


async def _add(connection: Any, log: Any) -> None:
    connection.add_query_logger(log)


async def test_a_checkout_pings_once_and_replaces_a_connection_the_server_ended() -> None:
    """Second checkout: one SELECT 1 before the request's own statements; after the server
    ends the pooled connection (pg_terminate_backend), the next checkout's query succeeds on a
    new connection."""
    engine = make_engine(Settings(env="test", database_url=TEST_DATABASE_URL), pool_size=1)
    try:
        with statements_sent(engine) as sent:
            async with engine.connect() as connection:
                first_pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            sent.clear()
            async with engine.connect() as connection:
                assert first_pid == await connection.scalar(text("SELECT pg_backend_pid()"))
            # before the connection's own transaction: the ping alone (the pre-ping sent
            # BEGIN; ; ROLLBACK; there)
            assert ["SELECT 1"] == sent[: sent.index("BEGIN;")]
        admin = make_engine(Settings(env="test", database_url=TEST_DATABASE_URL), pool_size=1)
        try:
            async with admin.connect() as killer:
                ended = await killer.scalar(
                    text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid}
                )
                assert ended is True
        finally:
            await admin.dispose()
        async with engine.connect() as connection:
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
        assert pid != first_pid
    finally:
        await engine.dispose()


async def test_an_autocommit_engine_sends_no_begin_and_no_rollback() -> None:
    """The alert listener's engine (``autocommit=True``): a session's statements are sent with
    the ping only, each in a transaction of its own (two get two transaction ids); the default
    engine wraps the same two in one BEGIN ... ROLLBACK."""
    settings = Settings(env="test", database_url=TEST_DATABASE_URL)
    # the reads are prepared statements, which asyncpg's query log leaves out
    transaction = text("SELECT txid_current()")
    cases = ((True, ["SELECT 1"], 2), (False, ["SELECT 1", "BEGIN;", "ROLLBACK;"], 1))
    for autocommit, simple_queries, transactions in cases:
        engine = make_engine(settings, pool_size=1, autocommit=autocommit)
        try:
            with statements_sent(engine) as sent:
                async with make_sessionmaker(engine)() as db:
                    ids = {await db.scalar(transaction), await db.scalar(transaction)}
                assert transactions == len(ids)
                await asyncio.sleep(0)  # asyncpg hands each query's log to the loop: call_soon
                assert simple_queries == sent
        finally:
            await engine.dispose()

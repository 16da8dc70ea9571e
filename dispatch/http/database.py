"""The async engine and session factory (created by the app's lifespan or a CLI command)."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import TargetServerAttributeNotMatched
from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from dispatch.settings import Settings

REPORTS_APPLICATION = "infofirst-reports"  # application_name of the report connections
REPORT_CONNECTION_SECONDS = 300  # a report connection's longest life (then it picks its host again)
TRACK_APPLICATION = "infofirst-track"  # of the GPS track writer's (units/track_writer.py)
FANOUT_APPLICATION = "infofirst-fanout"  # of the alert listener's reads (alerts/hub.py)


class DatabaseUnreachable(ConnectionError):
    """Opening a database connection failed at the network level (refused, reset, timed out,
    unknown host). asyncpg raises these as plain ``OSError``s, which SQLAlchemy passes through
    unwrapped; the engine re-raises them as this, so only they answer "database unavailable"
    (a ``TimeoutError`` or file error anywhere else is an ordinary 500). So is a multi-host URL
    (``target_session_attrs=read-write``) none of whose servers is writable right now: during a
    failover, before the standby is promoted."""


def _connect(dialect: Dialect, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as exc:  # ConnectionRefusedError, ConnectionResetError, TimeoutError, ...
        raise DatabaseUnreachable(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # the dialect's translation of asyncpg's error, the cause kept
        if isinstance(exc.__cause__, TargetServerAttributeNotMatched):
            raise DatabaseUnreachable(f"no writable server: {exc}") from exc
        raise


PING_TIMEOUT_SECONDS = 5.0


def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Pessimistic disconnect handling on every checkout, in one round trip: ``SELECT 1`` as a
    simple query. SQLAlchemy's own ``pool_pre_ping`` on asyncpg runs BEGIN, ``;`` and ROLLBACK:
    three round trips before each request's own BEGIN (issue 17, the write path). A connection that
    fails it invalidates the pool (after a failover every pooled connection is dead), and the
    pool checks out a new one, as the pre-ping does."""
    try:
        dbapi_connection.run_async(
            lambda connection: connection.execute("SELECT 1", timeout=PING_TIMEOUT_SECONDS)
        )
    except Exception as exc:  # whatever failed, this connection is not usable
        raise InvalidatePoolError(f"ping failed: {type(exc).__name__}") from exc


def make_engine(
    settings: Settings,
    pool_size: int | None = None,
    application_name: str = "infofirst",
    autocommit: bool = False,
) -> AsyncEngine:
    """An asyncpg engine with a checked pool (stale connections are replaced, not reused);
    a connection that cannot be opened raises ``DatabaseUnreachable``; its errors never show
    the statement's parameters (``hide_parameters``). ``pool_size``: a fixed pool of that
    many (the GPS track writer's), else the settings' pool with as many again on demand.
    ``autocommit``: each statement on its own, no BEGIN and ROLLBACK around it (for readers
    of one statement, e.g. the alert listener's)."""
    engine = create_async_engine(
        settings.database_url,
        isolation_level="AUTOCOMMIT" if autocommit else None,
        pool_size=pool_size or settings.database_pool_size,
        max_overflow=0 if pool_size else settings.database_pool_size,
        pool_timeout=10,
        hide_parameters=True,  # no statement's parameters (patient data) in any error or log
        connect_args={"timeout": 5, "server_settings": {"application_name": application_name}},
    )
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "checkout", _ping)
    return engine


def make_report_engine(settings: Settings) -> AsyncEngine | None:
    """The engine the reports read through (``INFOFIRST_REPORT_DATABASE_URL``, e.g. the
    standby), every transaction read-only; None when the reports read the main database."""
    if not settings.report_database_url:
        return None
    server_settings = {
        "application_name": REPORTS_APPLICATION,
        "default_transaction_read_only": "on",
    }
    engine = create_async_engine(
        settings.report_database_url,
        pool_size=max(1, settings.database_pool_size // 2),
        max_overflow=0,
        pool_timeout=10,
        # a connection chooses its host when it opens (e.g. target_session_attrs=prefer-standby):
        # reopened every 5 min, the reports move back to a standby after a failover or after
        # one was opened while no standby was up
        pool_recycle=REPORT_CONNECTION_SECONDS,
        hide_parameters=True,
        connect_args={"timeout": 5, "server_settings": server_settings},
    )
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "checkout", _ping)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)

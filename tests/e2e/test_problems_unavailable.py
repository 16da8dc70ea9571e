"""Only a database that cannot be reached answers 503 "database unavailable": any other
``OSError`` (a file error, a ``TimeoutError``) is a plain 500 with no stack trace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from dispatch.app import create_app
from dispatch.http.database import make_engine, make_sessionmaker
from dispatch.settings import Settings
from tests.server_process import free_port


@pytest.fixture
async def failing_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app with routes that raise a file error and a timeout."""

    async def missing_file() -> None:
        raise FileNotFoundError(2, "No such file or directory", "/srv/secret/path.geojson")

    async def timed_out() -> None:
        raise TimeoutError("the gazetteer lookup timed out")

    app.add_api_route("/test/missing-file", missing_file)
    app.add_api_route("/test/timeout", timed_out)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.mark.parametrize("path", ["/test/missing-file", "/test/timeout"])
async def test_other_os_errors_are_a_plain_500(
    failing_client: httpx.AsyncClient, path: str
) -> None:
    """A file error or a timeout outside the database is a 500 internal error, not a 503."""
    response = await failing_client.get(path)
    body = response.json()
    assert (500, "/problems/internal-error", "an unexpected error was logged") == (
        response.status_code,
        body["type"],
        body["detail"],
    )
    assert "Retry-After" not in response.headers
    assert "/srv/secret" not in response.text
    assert "Traceback" not in response.text


async def test_a_database_that_refuses_connections_is_a_503(settings: Settings) -> None:
    """Nothing listening where the database should be: 503 database unavailable, Retry-After."""
    dead = settings.model_copy(
        update={"database_url": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"}
    )
    app = create_app(dead)
    engine = make_engine(dead)
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.post(
                "/api/v1/auth/token", data={"username": "admin", "password": "demo"}
            )
    finally:
        await engine.dispose()
    assert (503, "/problems/database-unavailable", "5") == (
        response.status_code,
        response.json()["type"],
        response.headers.get("Retry-After"),
    )


async def _sign_in_answer(settings: Settings, **engine_options: object) -> httpx.Response:
    """The app's answer to a sign-in on an engine made from ``settings`` (created, disposed)."""
    app = create_app(settings)
    engine = make_engine(settings)
    if engine_options:
        engine = create_async_engine(settings.database_url, **engine_options)  # type: ignore[arg-type]
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            if engine_options:  # hold the pool's only connection while the request waits
                async with engine.connect():
                    return await http.post(
                        "/api/v1/auth/token", data={"username": "admin", "password": "demo"}
                    )
            return await http.post(
                "/api/v1/auth/token", data={"username": "admin", "password": "demo"}
            )
    finally:
        await engine.dispose()


async def test_a_database_with_no_connection_left_is_a_503(
    settings: Settings, engine: AsyncEngine
) -> None:
    """PostgreSQL refusing a connection for lack of slots (SQLSTATE 53300) is a 503 to retry."""
    role = "infofirst_test_no_slots"
    async with engine.begin() as connection:
        exists = await connection.scalar(
            text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        )
        if not exists:
            await connection.execute(text(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0"))
    url = make_url(settings.database_url).set(username=role)
    full = settings.model_copy(update={"database_url": url.render_as_string(hide_password=False)})
    response = await _sign_in_answer(full)
    assert (503, "/problems/database-unavailable", "5") == (
        response.status_code,
        response.json()["type"],
        response.headers.get("Retry-After"),
    )


async def test_no_free_pooled_connection_in_time_is_a_503(settings: Settings) -> None:
    """A request that waited out the pool's timeout is a 503 database-busy, not a 500."""
    response = await _sign_in_answer(settings, pool_size=1, max_overflow=0, pool_timeout=0.2)
    assert (503, "/problems/database-busy", "1") == (
        response.status_code,
        response.json()["type"],
        response.headers.get("Retry-After"),
    )


def _same_server_twice(settings: Settings, attrs: str) -> str:
    """The test database's server named twice in a multi-host URL with ``attrs``."""
    url = make_url(settings.database_url)
    where = f"{url.host}:{url.port or 5432}"
    base = url.set(host=None, port=None).render_as_string(hide_password=False)
    return f"{base}?host={where}&host={where}&target_session_attrs={attrs}"


async def test_no_writable_server_among_the_hosts_is_a_503(settings: Settings) -> None:
    """A multi-host URL none of whose servers has the attributes asked for (during a failover:
    no primary yet, ``TargetServerAttributeNotMatched``) is a 503 to retry, not a 500."""
    standby_only = _same_server_twice(settings, "standby")  # the test server is a primary
    response = await _sign_in_answer(settings.model_copy(update={"database_url": standby_only}))
    assert (503, "/problems/database-unavailable", "5") == (
        response.status_code,
        response.json()["type"],
        response.headers.get("Retry-After"),
    )


async def test_a_multi_host_url_reaches_the_writable_server(settings: Settings) -> None:
    """The same URL asking for read-write finds the server and signs in (the control case)."""
    writable = _same_server_twice(settings, "read-write")
    response = await _sign_in_answer(settings.model_copy(update={"database_url": writable}))
    assert 200 == response.status_code, response.text


async def test_a_server_turned_read_only_is_a_503(settings: Settings) -> None:
    """A write refused by a server that has become read-only under the connection (SQLSTATE
    25006: a primary demoting itself) is a 503 to retry: nothing was written."""
    read_only = {"server_settings": {"default_transaction_read_only": "on"}}
    response = await _sign_in_answer(settings, connect_args=read_only)
    assert (503, "/problems/database-unavailable", "5") == (
        response.status_code,
        response.json()["type"],
        response.headers.get("Retry-After"),
    )

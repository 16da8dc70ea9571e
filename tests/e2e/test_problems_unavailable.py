"""Only a database that cannot be reached answers 503 "database unavailable": any other
``OSError`` (a file error, a ``TimeoutError``) is a plain 500 with no stack trace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

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

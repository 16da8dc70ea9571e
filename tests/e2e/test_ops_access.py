"""The operations surface (issue 12, finding 12): /readyz, /metrics and the API docs only for a
client inside the operations networks or a signed-in admin; /healthz stays public."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from dispatch.app import create_app
from dispatch.settings import Settings
from tests.conftest import Login

GUARDED = ("/readyz", "/metrics", "/api/v1/docs", "/api/v1/openapi.json")
STRANGER = "203.0.113.7"  # TEST-NET-3: outside the default (loopback) operations networks


def client_at(app: FastAPI, host: str) -> httpx.AsyncClient:
    """An in-process client whose requests come from ``host``."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
async def stranger(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_at(app, STRANGER) as http:
        yield http


async def statuses(http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> list[int]:
    return [(await http.get(path, headers=headers)).status_code for path in GUARDED]


async def test_a_stranger_gets_404_on_the_operations_surface(stranger: httpx.AsyncClient) -> None:
    """Without a token, from outside the networks: 404 problem+json, and /healthz still 200."""
    assert [404, 404, 404, 404] == await statuses(stranger)
    response = await stranger.get("/metrics")
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "infofirst_http_requests_total" not in response.text
    health = await stranger.get("/healthz")
    assert (200, {"status": "ok"}) == (health.status_code, health.json())


async def test_a_signed_in_admin_reads_it_from_anywhere(
    stranger: httpx.AsyncClient, login: Login
) -> None:
    """An admin's bearer token opens every operations endpoint from outside the networks."""
    headers = await login("admin")
    assert [200, 200, 200, 200] == await statuses(stranger, headers)
    document = (await stranger.get("/api/v1/openapi.json", headers=headers)).json()
    assert "/api/v1/cases" in document["paths"]


@pytest.mark.parametrize("username", ["dispatcher", "auditor", "township-th-nandun"])
async def test_other_roles_and_bad_tokens_get_404(
    stranger: httpx.AsyncClient, login: Login, username: str
) -> None:
    """A signed-in non-admin, or a forged token, is refused like a stranger."""
    assert [404, 404, 404, 404] == await statuses(stranger, await login(username))
    forged = {"Authorization": "Bearer not-a-token"}
    assert [404, 404, 404, 404] == await statuses(stranger, forged)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
async def test_loopback_reads_it_without_a_token(app: FastAPI, host: str) -> None:
    """The default networks are loopback, IPv4 and IPv6 (the tests' and bench's own calls)."""
    async with client_at(app, host) as http:
        assert [200, 200, 200, 200] == await statuses(http)


async def test_a_request_through_an_untrusted_proxy_is_not_admitted_by_address(
    client: httpx.AsyncClient,
) -> None:
    """Behind a proxy uvicorn does not trust, the peer (127.0.0.1) is the proxy, not the client."""
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        response = await client.get("/metrics", headers={header: "198.51.100.1"})
        assert 404 == response.status_code, header


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("10.20.0.0", 200),  # first address of the network
        ("10.20.255.255", 200),  # last address
        ("10.19.255.255", 404),  # just below
        ("10.21.0.0", 404),  # just above
        ("127.0.0.1", 404),  # loopback is no longer listed
    ],
)
async def test_configured_networks_at_their_bounds(app: FastAPI, host: str, status: int) -> None:
    """INFOFIRST_OPS_NETWORKS replaces the default; its bounds are inclusive."""
    settings: Settings = app.state.settings
    configured = create_app(settings.model_copy(update={"ops_networks": ["10.20.0.0/16"]}))
    configured.state.engine = app.state.engine
    configured.state.sessionmaker = app.state.sessionmaker
    configured.state.roads = app.state.roads
    async with client_at(configured, host) as http:
        assert [status] * 4 == await statuses(http)

"""Security headers on every response (issue 12, finding 12: no HSTS)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.conftest import Login

ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response: httpx.Response) -> dict[str, list[str]]:
    names = [*ALWAYS, "strict-transport-security"]
    return {name: response.headers.get_list(name) for name in names}


async def test_every_kind_of_response_carries_them(client: httpx.AsyncClient, login: Login) -> None:
    """JSON, a problem, a page, a static file and a 413 from the body limit: each header once."""
    headers = await login("dispatcher")
    responses = [
        await client.get("/healthz"),
        await client.get("/api/v1/facilities/county-hospital", headers=headers),
        await client.get("/api/v1/cases/1"),  # 401 problem
        await client.get("/"),  # a page with its own CSP and nosniff
        await client.post("/api/v1/auth/token", content=b"x" * 2_000_000),  # 413
    ]
    assert [401, 413] == [r.status_code for r in responses[2:3] + responses[4:]]
    for response in responses:
        found = security_headers(response)
        assert {name: [value] for name, value in ALWAYS.items()} == {
            name: found[name] for name in ALWAYS
        }, response.url
        assert [] == found["strict-transport-security"], "no HSTS over plain http"
    assert "frame-ancestors 'none'" in responses[3].headers["content-security-policy"]


async def test_hsts_only_over_https(app: FastAPI) -> None:
    """A request that came over https gets Strict-Transport-Security (a year, subdomains)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as http:
        response = await http.get("/healthz")
    assert [HSTS] == response.headers.get_list("strict-transport-security")
    assert ["DENY"] == response.headers.get_list("x-frame-options")

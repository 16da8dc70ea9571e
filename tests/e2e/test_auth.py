"""Signing in, and every endpoint refusing requests without a valid token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from tests.conftest import Login
from units.security import TokenConfig, issue_token

PROTECTED = [
    ("GET", "/api/v1/facilities"),
    ("GET", "/api/v1/facilities/county-hospital"),
    ("PATCH", "/api/v1/facilities/county-hospital"),
    ("GET", "/api/v1/ambulances"),
    ("POST", "/api/v1/ambulances/amb-01/positions"),
    ("POST", "/api/v1/ambulances/amb-01/status"),
    ("GET", "/api/v1/places?q=wang"),
    ("GET", "/api/v1/auth/me"),
]


async def test_demo_user_gets_a_bearer_token(client: httpx.AsyncClient) -> None:
    """A demo user with password demo gets a bearer token naming its role and facility."""
    response = await client.post(
        "/api/v1/auth/token", data={"username": "cathlab-county-hospital", "password": "demo"}
    )
    body = response.json()
    assert 200 == response.status_code
    assert "bearer" == body["token_type"]
    assert ("cathlab", "county-hospital") == (body["role"], body["facility_id"])


async def test_wrong_password_is_401_problem(client: httpx.AsyncClient) -> None:
    """A wrong password and an unknown user get the same 401 problem."""
    wrong = await client.post("/api/v1/auth/token", data={"username": "admin", "password": "x"})
    unknown = await client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
    assert (401, 401) == (wrong.status_code, unknown.status_code)
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert "application/problem+json" == wrong.headers["content-type"]


async def test_every_endpoint_needs_a_token(client: httpx.AsyncClient) -> None:
    """Without a token every API endpoint answers 401 problem+json."""
    for method, path in PROTECTED:
        response = await client.request(method, path, json={})
        assert 401 == response.status_code, (method, path)
        assert "/problems/not-authenticated" == response.json()["type"], (method, path)


async def test_forged_and_expired_tokens_are_refused(client: httpx.AsyncClient) -> None:
    """A token signed with another key, or expired, is a 401."""
    forged = issue_token(
        TokenConfig("another-secret-another-secret-32", timedelta(hours=1)),
        1,
        "admin",
        "admin",
        datetime.now(UTC),
    ).token
    expired = issue_token(
        TokenConfig(client._transport.app.state.token_config.secret, timedelta(minutes=1)),  # type: ignore[attr-defined]
        1,
        "admin",
        "admin",
        datetime.now(UTC) - timedelta(hours=2),
    ).token
    for token in (forged, expired, "not-a-token"):
        response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert 401 == response.status_code


async def test_me_names_the_user(client: httpx.AsyncClient, login: Login) -> None:
    """GET /auth/me returns who the token belongs to."""
    response = await client.get("/api/v1/auth/me", headers=await login("crew-amb-03"))
    assert ("crew-amb-03", "crew", "amb-03") == (
        response.json()["username"],
        response.json()["role"],
        response.json()["ambulance_id"],
    )


# Open by design: signing in, and the pages' configuration (the synthetic banner, the tile URL).
OPEN = {"/api/v1/auth/token", "/api/v1/web/config"}


async def test_every_api_operation_needs_a_token(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Every API operation in the OpenAPI document but sign-in answers 401 without a token."""
    checked = []
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/v1/") or path in OPEN:
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            response = await client.request(method.upper(), concrete)
            checked.append((method, path, response.status_code))
    assert [] == [c for c in checked if c[2] != 401]
    assert len(checked) >= 30

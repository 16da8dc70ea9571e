"""Operations endpoints: liveness, readiness and Prometheus metrics, without a token from
loopback (the default operations networks; strangers: tests/e2e/test_ops_access.py)."""

from __future__ import annotations

import re

import httpx

from tests.conftest import Login


async def test_healthz_is_ok_without_a_token(client: httpx.AsyncClient) -> None:
    """GET /healthz answers 200 {"status": "ok"} without a token."""
    response = await client.get("/healthz")
    assert (200, {"status": "ok"}) == (response.status_code, response.json())


async def test_readyz_reports_the_database_and_postgis(client: httpx.AsyncClient) -> None:
    """GET /readyz answers 200 with the database check ok and a PostGIS version, without a token."""
    response = await client.get("/readyz")
    body = response.json()
    assert 200 == response.status_code
    assert True is body["ready"]
    assert True is body["checks"]["database"]["ok"]
    assert str(body["checks"]["database"]["postgis"])[0].isdigit()


async def test_metrics_count_requests_by_route(client: httpx.AsyncClient, login: Login) -> None:
    """GET /metrics serves Prometheus text counting requests by route template and status."""
    headers = await login("admin")
    await client.get("/api/v1/facilities/county-hospital", headers=headers)
    response = await client.get("/metrics")
    assert 200 == response.status_code
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE infofirst_http_requests_total counter" in response.text
    counted = re.search(
        r'^infofirst_http_requests_total\{method="GET",route="[^"]*/facilities/\{facility_id\}",'
        r'status="200"\} (\d+)\.0$',
        response.text,
        re.MULTILINE,
    )
    assert counted is not None
    assert int(counted.group(1)) >= 1
    assert "infofirst_http_request_seconds_bucket" in response.text


async def test_ops_endpoints_ignore_a_bad_token(client: httpx.AsyncClient) -> None:
    """A garbage bearer token does not stop the operations endpoints from answering."""
    headers = {"Authorization": "Bearer not-a-token"}
    statuses = [
        (await client.get(path, headers=headers)).status_code
        for path in ("/healthz", "/readyz", "/metrics")
    ]
    assert [200, 200, 200] == statuses

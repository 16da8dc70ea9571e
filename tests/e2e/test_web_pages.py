"""The web pages and their static files, served by the app (no browser: see tests/browser)."""

from __future__ import annotations

import httpx
import pytest

PAGES = (
    "/",
    "/console",
    "/field",
    "/cathlab/county-hospital",
    "/cathlab/county-hospital/pad",
    "/reports",
    "/ecg",
)


@pytest.mark.parametrize("path", PAGES)
async def test_each_page_is_html_with_a_same_origin_policy(
    client: httpx.AsyncClient, path: str
) -> None:
    """Every page is served without a token, as HTML, revalidated, same-origin scripts only."""
    response = await client.get(path)
    assert 200 == response.status_code
    assert response.headers["content-type"].startswith("text/html")
    assert "no-cache" == response.headers["cache-control"]
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self';" in policy
    assert '<header id="app-header">' in response.text


async def test_cathlab_page_refuses_a_malformed_facility_id(client: httpx.AsyncClient) -> None:
    """/cathlab/{id} answers 422 problem+json for an id that cannot be a facility's."""
    response = await client.get("/cathlab/Not_A_Slug!")
    assert 422 == response.status_code
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_static_modules_are_served_as_javascript(client: httpx.AsyncClient) -> None:
    """The shared modules and the vendored Leaflet come from /static, revalidated every load."""
    for path in ("/static/js/core.js", "/static/js/stream.js", "/static/vendor/leaflet/leaflet.js"):
        response = await client.get(path)
        assert 200 == response.status_code, path
        assert "javascript" in response.headers["content-type"]
        assert "no-cache" == response.headers["cache-control"]
    licence = await client.get("/static/vendor/leaflet/LICENSE")
    assert "BSD 2-Clause License" in licence.text


async def test_web_config_says_the_demo_is_loaded_without_a_token(
    client: httpx.AsyncClient,
) -> None:
    """GET /api/v1/web/config reports synthetic data, no tile URL by default, and the pathways."""
    response = await client.get("/api/v1/web/config")
    body = response.json()
    assert 200 == response.status_code
    assert True is body["synthetic"]
    assert None is body["tile_url"]
    assert 10.0 == body["heartbeat_seconds"]
    assert (20.0, 120.0) == (body["wall_alarm_repeat_seconds"], body["wall_silence_seconds"])
    assert "Asia/Shanghai" == body["time_zone"]
    stemi = next(p for p in body["pathways"] if p["id"] == "stemi")
    assert ["pci"] == stemi["receivers_need"]
    assert "first_ecg" in stemi["milestones"]
    # The coded delay reasons (issue 14), the API's own list, in both languages.
    busy = next(r for r in body["delay_reasons"] if r["code"] == "cathlab_busy")
    assert ("导管室占用", "Cath lab busy") == (busy["label_zh"], busy["label_en"])
    assert "other" == body["delay_reasons"][-1]["code"]

"""Steps of the wall-screen tests: an empty board to start from, an ECG uploaded by the sender,
and where a button is on the screen."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from playwright.async_api import Locator, expect

from tests.browser.ecg import synthetic_ecg_png
from tests.browser.helpers import API, token

WALL = {"width": 1920, "height": 1080}


async def clear_board(http: httpx.AsyncClient, facility_id: str) -> None:
    """Cancel (as the dispatcher) every open alert to the facility, left by earlier tests."""
    dispatcher = await token(http, "dispatcher")
    found = await http.get(f"{API}/alerts?open=true&limit=500", headers=dispatcher)
    assert 200 == found.status_code, found.text
    for alert in found.json():
        if alert["to_facility_id"] == facility_id and alert["closed_at"] is None:
            cancelled = await http.post(
                f"{API}/alerts/{alert['id']}/cancel",
                json={"reason": "browser test: an empty board"},
                headers=dispatcher,
            )
            assert 200 == cancelled.status_code, cancelled.text


async def upload_ecg(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    """A synthetic ECG image uploaded by the sender; its attachment id."""
    png = await asyncio.to_thread(synthetic_ecg_png)
    response = await http.post(
        f"{API}/attachments",
        files={"file": ("ecg-synthetic.png", png, "image/png")},
        headers=headers,
    )
    assert 201 == response.status_code, response.text
    return str(response.json()["id"])


async def assert_on_screen(locator: Locator) -> None:
    """The element is visible and wholly inside the 1920x1080 viewport (no scrolling)."""
    await expect(locator).to_be_visible()
    box = await locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0, box
    assert box["y"] >= 0, box
    assert box["x"] + box["width"] <= WALL["width"], box
    assert box["y"] + box["height"] <= WALL["height"], box


async def beeps(page: Any) -> int:
    """How many alarm beeps the page has played."""
    return int(await page.evaluate("() => window.__alarmBeeps || 0"))

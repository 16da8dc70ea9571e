"""The wall screen survives a server restart: it says the connection is lost, reconnects by
itself, and catches up with what happened meanwhile, never showing an alert twice."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import NETWORK_ERRORS, Pages
from tests.browser.helpers import (
    API,
    CATHLAB,
    TOWNSHIP,
    open_case,
    send_alert,
    sign_in,
    token,
)
from tests.browser.server import WebServer


async def test_wall_screen_survives_server_restart_and_catches_up_without_duplicates(
    pages: Pages, server: WebServer, spare_server: WebServer, http: httpx.AsyncClient
) -> None:
    """Alerts sent and answered while the screen's server is down show once after it returns."""
    pages.allow(*NETWORK_ERRORS)  # the server is down on purpose
    screen = await pages.new(f"/cathlab/{CATHLAB}", width=1600, height=900)
    await sign_in(screen, f"cathlab-{CATHLAB}")
    await expect(screen.locator("body")).to_have_attribute("data-live", "live")
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, "重启测试")
    tag = uuid.uuid4().hex[:6]
    before = await send_alert(http, township, case_id, f"重启前 {tag}")
    await expect(screen.locator(f".alert-card[data-alert-id='{before['id']}']")).to_be_visible()

    await asyncio.to_thread(server.stop)
    try:
        await _while_down(screen, server, spare_server, township, case_id, before, tag)
    finally:
        if server.process is None or server.process.poll() is not None:
            await asyncio.to_thread(server.start)  # the rest of the run needs it


async def _while_down(
    screen: Page,
    server: WebServer,
    spare: WebServer,
    township: dict[str, str],
    case_id: int,
    before: dict[str, Any],
    tag: str,
) -> None:
    """Banner while down; an alert sent and one answered through the spare; back, caught up."""
    await expect(screen.locator("#conn-banner")).to_be_visible()
    await expect(screen.locator("body")).to_have_attribute("data-live", "offline")

    async with httpx.AsyncClient(base_url=spare.url, timeout=15) as meanwhile:
        during = await send_alert(meanwhile, township, case_id, f"重启期间 {tag}")
        cathlab = await token(meanwhile, f"cathlab-{CATHLAB}")
        answered = await meanwhile.post(
            f"{API}/alerts/{before['id']}/ack", json={"action": "acknowledged"}, headers=cathlab
        )
        assert 200 == answered.status_code, answered.text

    await asyncio.to_thread(server.start)  # the same port: the page reconnects by itself
    caught_up = screen.locator(f".alert-card[data-alert-id='{during['id']}']")
    await expect(caught_up).to_be_visible(timeout=20_000)
    await expect(screen.locator("#conn-banner")).to_be_hidden()
    await expect(screen.locator("body")).to_have_attribute("data-live", "live")
    first = screen.locator(f".alert-card[data-alert-id='{before['id']}']")
    await expect(first).to_have_attribute("data-status", "acknowledged")
    assert 1 == await first.count()
    assert 1 == await caught_up.count()
    cards = await screen.locator(".alert-card").evaluate_all(
        "cards => cards.map(card => card.dataset.alertId)"
    )
    assert len(cards) == len(set(cards)), f"an alert shows twice: {cards}"
    connects = await screen.evaluate("window.infofirstStream.connects")
    assert connects >= 2

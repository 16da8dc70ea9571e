"""A wall screen's kiosk stays signed in across a browser restart at night (issue 13, item 5):
with "keep this screen signed in" ticked, a restarted browser (a new context holding only what
the browser keeps on disk: its localStorage) comes back signed in and catches up on an alert
sent while it was closed; without it, it asks to sign in; after a sign-out the kept token is
refused."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, open_case, send_alert, token

WALL = f"/cathlab/{CATHLAB}"
USER = f"cathlab-{CATHLAB}"


async def reopened(pages: Pages, state: Any) -> tuple[BrowserContext, Page]:
    """The browser started again: a new context with the kept storage, the wall opened."""
    context = await pages.browser.new_context(
        base_url=pages.base_url, storage_state=state, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    pages.contexts.append(context)
    page = await context.new_page()
    await page.goto(WALL)
    return context, page


async def signed_in_wall(pages: Pages, keep: bool) -> Page:
    page = await pages.new(WALL, width=1920, height=1080)
    await page.locator("#login-form input[name=username]").fill(USER)
    await page.locator("#login-form input[name=password]").fill("demo")
    if keep:
        await page.locator("#keep-signed-in").check()
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.locator("#who")).to_have_attribute("data-username", USER)
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    return page


async def test_a_kept_wall_comes_back_signed_in_after_a_browser_restart(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    wall = await signed_in_wall(pages, keep=True)
    state = await wall.context.storage_state()
    await wall.context.close()  # the browser is closed (a restart at night)
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, "夜间重启")
    tag = uuid.uuid4().hex[:6]
    meanwhile = await send_alert(http, township, case_id, f"重启期间 {tag}")
    _, again = await reopened(pages, state)
    await expect(again.locator("#who")).to_have_attribute("data-username", USER)
    await expect(again.locator("#login")).to_be_hidden()
    await expect(again.locator(f".alert-card[data-alert-id='{meanwhile['id']}']")).to_be_visible()

    kept = await again.evaluate("localStorage.getItem('infofirst.token.kept')")
    await again.locator("#logout").click()
    await expect(again.locator("#login")).to_be_visible()
    assert None is await again.evaluate("localStorage.getItem('infofirst.token.kept')")
    refused = await http.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {kept}"})
    assert 401 == refused.status_code


async def test_without_keeping_a_restarted_browser_asks_to_sign_in(pages: Pages) -> None:
    wall = await signed_in_wall(pages, keep=False)
    state = await wall.context.storage_state()
    await wall.context.close()
    _, again = await reopened(pages, state)
    await expect(again.locator("#login")).to_be_visible()
    await expect(again.locator("#who")).to_be_hidden()

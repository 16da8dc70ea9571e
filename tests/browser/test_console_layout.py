"""The console at 1366x768 (issue 13, item 11): nothing overflows, escalation reminders have
their own panel (one entry per alert, no toasts), the case list is one call per refresh and
counts every active case, and a second call for the same place warns."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import httpx
from playwright.async_api import Page, Request, expect

from tests.browser.conftest import SERVER_SETTINGS, Pages
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, open_case, send_alert, sign_in, token
from tests.browser.server import WebServer

VILLAGE_ID = "v-0052"  # 吴庄村, 南顿镇 (synthetic demo village)
COUNTY_PHONE = "0394-555-1000"  # the demo county hospital's (synthetic) phone

OVERFLOW = """() => {
  const root = document.documentElement;
  const wrap = document.querySelector('.table-wrap');
  const go = document.getElementById('coords-go').getBoundingClientRect();
  const panel = document.getElementById('call-panel').getBoundingClientRect();
  return {
    page: root.scrollWidth - root.clientWidth,
    table: wrap.scrollWidth - wrap.clientWidth,
    locate: Math.max(0, go.right - Math.min(panel.right, root.clientWidth)),
  };
}"""


async def console(pages: Pages) -> Page:
    page = await pages.new("/console", width=1366, height=768)
    await sign_in(page, "dispatcher")
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    return page


async def test_nothing_overflows_at_1366_in_either_language(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """At 1366x768 the page, the case table and the locate button fit, in Chinese and English."""
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, "胸痛，布局测试")
    page = await console(pages)
    await expect(page.locator(f"#cases-body tr[data-case-id='{case_id}']")).to_be_visible()
    await expect(page.locator("#coords-go")).to_be_visible()
    assert {"page": 0, "table": 0, "locate": 0} == await page.evaluate(OVERFLOW)
    await page.locator("#lang-switch").click()
    await expect(page.locator("#coords-go")).to_have_text("Locate")
    assert {"page": 0, "table": 0, "locate": 0} == await page.evaluate(OVERFLOW)


async def test_the_list_is_one_call_and_counts_every_active_case(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Refreshing the list asks GET /cases once, never each case; the count is the server's."""
    page = await console(pages)
    asked: list[str] = []

    def note(request: Request) -> None:
        if "/api/v1/cases" in request.url:
            asked.append(request.url)

    page.on("request", note)
    async with page.expect_request(re.compile(r"/api/v1/cases\?status=active"), timeout=15_000):
        pass
    dispatcher = await token(http, "dispatcher")
    listed = await http.get(
        f"{API}/cases", params={"status": "active", "limit": 1}, headers=dispatcher
    )
    await expect(page.locator("#cases-count")).to_have_text(listed.headers["X-Total-Count"])
    assert [] == [url for url in asked if re.search(r"/api/v1/cases/\d+$", url)]


async def test_a_second_call_for_the_same_place_warns(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """A new call at a village with a case opened minutes ago names that case; another
    village far away does not."""
    dispatcher = await token(http, "dispatcher")
    opened = await http.post(
        f"{API}/cases",
        json={"pathway": "stemi", "location": {"lon": 114.739124, "lat": 33.539841}},
        headers=dispatcher,
    )
    assert 201 == opened.status_code, opened.text
    case_id = opened.json()["id"]
    page = await console(pages)
    await expect(page.locator(f"#cases-body tr[data-case-id='{case_id}']")).to_be_visible()
    await page.locator("#place-search").fill("吴庄")
    await page.locator(f"#place-results button[data-place-id='{VILLAGE_ID}']").click()
    warning = page.locator("#call-duplicate")
    await expect(warning).to_be_visible()
    await expect(warning).to_contain_text(f"#{case_id}")
    await page.locator("#place-search").fill("guozhuang")
    await page.locator("#place-results button.place").first.click()
    await expect(warning).to_be_hidden()
    cancelled = await http.post(
        f"{API}/cases/{case_id}/cancel", json={"reason": "浏览器测试"}, headers=dispatcher
    )
    assert 200 == cancelled.status_code, cancelled.text


async def test_escalations_have_their_own_panel_one_entry_per_alert(
    pages: Pages,
    http: httpx.AsyncClient,
    browser_db: str,
    log_dir: Path,
    make_server: list[WebServer],
) -> None:
    """An unanswered alert escalates into the escalation panel once, with the centre's phone,
    and no toast; answered, the panel goes."""
    quick = WebServer(
        "escalating-panel",
        browser_db,
        log_dir,
        {**SERVER_SETTINGS, "alert_ack_timeout_seconds": "1"},
    )
    make_server.append(quick)
    await asyncio.to_thread(quick.start)
    try:
        page = await console(pages)
        async with httpx.AsyncClient(base_url=quick.url, timeout=15) as sender:
            township = await token(sender, f"township-{TOWNSHIP}")
            case_id = await open_case(sender, township, "胸闷，升级测试")
            alert = await send_alert(
                sender, township, case_id, f"浏览器测试 {uuid.uuid4().hex[:6]}：无人应答"
            )
        entry = page.locator(f"#escalations li[data-alert-id='{alert['id']}']")
        await expect(entry).to_be_visible(timeout=15_000)
        await expect(entry.locator("a.escalation-phone")).to_have_text(f"请致电 {COUNTY_PHONE}")
        await expect(page.locator("#escalations li")).to_have_count(1)
        await expect(page.locator(".toast", has_text="升级")).to_have_count(0)
    finally:
        await asyncio.to_thread(quick.stop)
    cathlab = await token(http, f"cathlab-{CATHLAB}")
    answer = await http.post(
        f"{API}/alerts/{alert['id']}/ack", json={"action": "acknowledged"}, headers=cathlab
    )
    assert 200 == answer.status_code, answer.text
    await expect(page.locator("#escalations-panel")).to_be_hidden()

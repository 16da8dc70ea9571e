"""The console at 1366x768 (issue 13, item 11): nothing overflows, the case list is one call per
refresh and counts every active case, and a second call for the same place warns (the
escalation panel: test_console.py)."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page, Request, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, TOWNSHIP, open_case, sign_in, token

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

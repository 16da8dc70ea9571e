"""A failed refresh of the page's data is shown, not hidden: the header says the data is stale
since when (in both languages) until a refresh succeeds again."""

from __future__ import annotations

import re

from playwright.async_api import Route, expect

from tests.browser.conftest import NETWORK_ERRORS, Pages
from tests.browser.helpers import sign_in

ACTIVE_CASES = re.compile(r"/api/v1/cases\?status=active")
REFRESH_MS = 25_000  # the console polls the active cases every 10 s


async def test_a_failed_case_refresh_shows_stale_until_the_next_one_works(pages: Pages) -> None:
    """The console's cases failing to load shows 'stale since HH:MM'; the next load clears it."""
    pages.allow(*NETWORK_ERRORS)  # the cases request is cut on purpose
    page = await pages.new("/console", width=1600, height=1100)
    await sign_in(page, "dispatcher")
    stale = page.locator("#stale")
    await expect(stale).to_be_hidden()
    await expect(page.locator("#cases-count")).to_have_text(re.compile(r"^\d+$"))

    async def cut(route: Route) -> None:
        await route.abort()

    await page.route(ACTIVE_CASES, cut)
    await expect(stale).to_be_visible(timeout=REFRESH_MS)
    await expect(stale).to_have_text(re.compile(r"^数据未更新（自 \d\d:\d\d）$"))
    assert "cases" == await stale.get_attribute("data-what")
    await page.locator("#lang-switch").click()
    await expect(stale).to_have_text(re.compile(r"^Stale since \d\d:\d\d$"))

    await page.unroute(ACTIVE_CASES, cut)
    await expect(stale).to_be_hidden(timeout=REFRESH_MS)

"""The village search on the console at 1366x768 (issue 13, item 13): a township and a village
together in either order, results of an earlier text not clickable while the new ones load, and
Enter with two villages of one name asks which."""

from __future__ import annotations

import asyncio

from playwright.async_api import Page, Route, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import sign_in

NANDUN_WUZHUANG = "v-0052"  # 吴庄村, 南顿镇 (synthetic demo village)
FANJI_WUZHUANG = "v-0314"  # 吴庄村, 范集镇


async def console(pages: Pages) -> Page:
    page = await pages.new("/console", width=1366, height=768)
    await sign_in(page, "dispatcher")
    return page


async def test_township_and_village_in_either_order_then_enter_picks_it(pages: Pages) -> None:
    """南顿镇吴庄 and 吴庄村南顿镇 both list the Nandun village first; Enter picks it."""
    page = await console(pages)
    search = page.locator("#place-search")
    for query in ("南顿镇吴庄", "吴庄村南顿镇"):
        await search.fill(query)
        await expect(page.locator("#place-results")).not_to_have_attribute("aria-busy", "true")
        first = page.locator("#place-results button.place").first
        await expect(first).to_have_attribute("data-place-id", NANDUN_WUZHUANG)
    await search.press("Enter")
    await expect(page.locator("#call-location")).to_contain_text("吴庄村（南顿镇）")


async def test_enter_with_two_villages_of_one_name_asks_which(pages: Pages) -> None:
    """吴庄 + Enter picks nothing and asks; the dispatcher picks the Fanji one."""
    page = await console(pages)
    await page.locator("#place-search").fill("吴庄")
    await page.locator("#place-search").press("Enter")
    await expect(page.locator("#place-ask")).to_contain_text("有 2 个“吴庄村”")
    await expect(page.locator("#call-location")).to_contain_text("尚未选择位置")
    await page.locator(f"#place-results button[data-place-id='{FANJI_WUZHUANG}']").click()
    await expect(page.locator("#call-location")).to_contain_text("吴庄村（范集镇）")
    await expect(page.locator("#place-ask")).to_be_hidden()


async def test_results_of_an_earlier_text_are_not_clickable_while_new_ones_load(
    pages: Pages,
) -> None:
    """Typing again greys out and disables the old results until the new answer comes."""
    page = await console(pages)
    await page.locator("#place-search").fill("guozhuang")
    old = page.locator("#place-results button.place").first
    await expect(old).to_be_enabled()
    release = asyncio.Event()

    async def slow(route: Route) -> None:
        await release.wait()
        await route.continue_()

    await page.route("**/api/v1/places?*", slow)
    await page.locator("#place-search").fill("吴庄")
    await expect(page.locator("#place-results")).to_have_attribute("aria-busy", "true")
    await expect(old).to_be_disabled()
    release.set()
    await expect(page.locator("#place-results")).not_to_have_attribute("aria-busy", "true")
    fresh = page.locator(f"#place-results button[data-place-id='{NANDUN_WUZHUANG}']")
    await expect(fresh).to_be_enabled()

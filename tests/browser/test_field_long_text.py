"""Long text on a tablet: the free-text fields stop at the server's limit and count while
typing; a 500-character complaint never pushes the case's buttons off the screen."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, NANDUN_VILLAGE, TOWNSHIP, sign_in, token

COMPLAINT_LIMIT = 500  # CaseIn.complaint's max_length


BOX = (
    "e => { const r = e.getBoundingClientRect();"
    " return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
)


async def box_of(locator: Locator) -> dict[str, float]:
    """Where the element is laid out, read in one step in the page (the list re-renders)."""
    found: dict[str, float] = await locator.evaluate(BOX)
    return found


async def inside_viewport(page: Page, locator: Locator) -> None:
    """The element is laid out wholly inside the page's width (not pushed off to the side)."""
    box = await box_of(locator)
    size = page.viewport_size
    assert size is not None
    assert 0 <= box["x"], box
    assert box["x"] + box["width"] <= size["width"], (box, size)


@pytest.mark.parametrize(("width", "height"), [(800, 1280), (1280, 800)])
async def test_a_500_character_complaint_keeps_the_buttons_on_a_tablet(
    pages: Pages, http: httpx.AsyncClient, width: int, height: int
) -> None:
    """The case title is clamped to two lines; switch, refresh and every milestone button stay
    within the screen's width; the list item is clamped too."""
    township = await token(http, f"township-{TOWNSHIP}")
    complaint = ("胸痛伴大汗" + uuid.uuid4().hex[:5]) * 50  # 500 characters, no space to wrap at
    assert COMPLAINT_LIMIT == len(complaint)
    opened = await http.post(
        f"{API}/cases",
        json={"pathway": "stemi", "location": NANDUN_VILLAGE, "complaint": complaint},
        headers=township,
    )
    assert 201 == opened.status_code, opened.text
    case_id = opened.json()["id"]
    page = await pages.new("/field", width=width, height=height)
    await sign_in(page, f"township-{TOWNSHIP}")
    item = page.locator(f".case-item[data-case-id='{case_id}']")
    await expect(item).to_be_visible()
    item_box = await box_of(item)
    assert item_box["height"] < 120, item_box
    await inside_viewport(page, item)
    await item.click()

    title = page.locator("#case-title")
    await expect(title).to_have_attribute("title", complaint)
    title_box = await box_of(title)
    assert title_box["height"] < 100, title_box
    for button in ("#switch-case", "#case-refresh", ".stamp[data-milestone=first_ecg]"):
        await expect(page.locator(button)).to_be_visible()
        await inside_viewport(page, page.locator(button))
    first_stamp = await box_of(page.locator("#stamps .stamp").first)
    assert first_stamp["y"] < height, first_stamp


async def test_the_complaint_stops_at_the_servers_limit_and_counts_while_typing(
    pages: Pages,
) -> None:
    """Typing past 500 characters in the new case's complaint keeps 500 and shows 500 / 500."""
    page = await pages.new("/field", width=800, height=1280)
    await sign_in(page, f"township-{TOWNSHIP}")
    await page.locator("#new-case summary").click()
    field = page.locator("#new-case-form input[name=complaint]")
    counter = page.locator("#new-case-form input[name=complaint] + .text-count")
    await expect(counter).to_have_text(f"0 / {COMPLAINT_LIMIT}")
    await field.fill("痛" * (COMPLAINT_LIMIT - 2))
    await expect(counter).to_have_text(f"{COMPLAINT_LIMIT - 2} / {COMPLAINT_LIMIT}")
    await expect(counter).to_have_class("text-count near")
    await field.press_sequentially("abcd")
    await expect(field).to_have_value("痛" * (COMPLAINT_LIMIT - 2) + "ab")
    await expect(counter).to_have_text(f"{COMPLAINT_LIMIT} / {COMPLAINT_LIMIT}")
    await expect(counter).to_have_class("text-count full")

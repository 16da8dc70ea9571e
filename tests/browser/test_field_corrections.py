"""Correcting a stamp and entering a time after the fact from the field app: a second press
of a stamped milestone offers the correction (never a duplicate); the correction supersedes
the stamp with a reason; a past time is recorded as picked."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, TOWNSHIP, open_case, sign_in, token

SHANGHAI = timedelta(hours=8)  # the pages' time zone in the tests


def local_input(at: datetime) -> str:
    """``at`` as the datetime-local input shows it in Asia/Shanghai."""
    return (at.astimezone(UTC) + SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S")


async def timeline(http: httpx.AsyncClient, headers: dict[str, str], case_id: int) -> list[Any]:
    found = await http.get(f"{API}/cases/{case_id}", headers=headers)
    assert 200 == found.status_code, found.text
    events: list[Any] = found.json()["timeline"]
    return events


async def opened(pages: Pages, case_id: int) -> Page:
    page = await pages.new("/field", width=1280, height=800)
    await sign_in(page, f"township-{TOWNSHIP}")
    await page.locator(f".case-item[data-case-id='{case_id}']").click()
    await expect(page.locator("#case-title")).to_contain_text(f"#{case_id}")
    return page


async def test_a_second_press_offers_the_correction_and_a_past_time_can_be_entered(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Press first ECG twice: the dialog opens (no second stamp); saved with an earlier time
    and a reason, the server has the stamp superseded by the correction. A diagnosis entered
    at a past time is stamped at that time."""
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, f"更正测试 {uuid.uuid4().hex[:6]}")
    page = await opened(pages, case_id)
    button = page.locator(".stamp[data-milestone=first_ecg]")
    await button.click()
    await expect(button).to_have_class("stamp done", timeout=10_000)
    await expect(
        page.locator("#timeline li[data-milestone=first_ecg] button.correct")
    ).to_be_visible()

    await button.click()  # a second press
    dialog = page.locator("#stamp-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_have_attribute("data-mode", "correct")
    await dialog.locator("button[type=submit]").click()  # no reason: refused on the page
    await expect(page.locator("#stamp-error")).not_to_be_empty()
    earlier = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=12)
    await dialog.locator("input[name=at]").fill(local_input(earlier))
    await dialog.locator("input[name=reason]").fill("按心电图机打印时间")
    await dialog.locator("button[type=submit]").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#timeline li.superseded[data-milestone=first_ecg]")).to_have_count(
        1, timeout=10_000
    )

    events = [e for e in await timeline(http, township, case_id) if e["milestone"] == "first_ecg"]
    assert 2 == len(events)
    first, correction = sorted(events, key=lambda e: e["id"])
    assert (correction["id"], first["id"]) == (first["superseded_by"], correction["supersedes"])
    assert "按心电图机打印时间" == correction["reason"]
    assert earlier == datetime.fromisoformat(correction["at"])

    await page.locator("#stamp-earlier").click()
    await expect(dialog).to_have_attribute("data-mode", "earlier")
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    await dialog.locator("select[name=milestone]").select_option("diagnosis")
    await dialog.locator("input[name=at]").fill(local_input(past))
    await dialog.locator("button[type=submit]").click()
    await expect(page.locator(".stamp[data-milestone=diagnosis]")).to_have_class(
        "stamp done", timeout=10_000
    )
    diagnosis = [
        e for e in await timeline(http, township, case_id) if e["milestone"] == "diagnosis"
    ]
    assert [past] == [datetime.fromisoformat(e["at"]) for e in diagnosis]

"""The dispatcher drives the mission from the console at 1366x768 (issue 13, item 2): the
ambulance's status through the server's state machine, the destination and an ETA to it after
the scene, close, cancel with a reason, cancel an alert, and a stale case flagged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.browser.conftest import Pages
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, open_case, send_alert, sign_in, token

LAPTOP = {"width": 1366, "height": 768}


async def console(pages: Pages) -> Page:
    """The console at 1366x768, signed in as the dispatcher, following the alert stream."""
    page = await pages.new("/console", **LAPTOP)
    await sign_in(page, "dispatcher")
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    return page


async def dispatched_case(http: httpx.AsyncClient, dispatcher: dict[str, str]) -> tuple[int, str]:
    """A dispatcher's case at the Nandun village with the best ambulance sent; (case, ambulance)."""
    opened = await http.post(
        f"{API}/cases",
        json={"pathway": "stemi", "location": {"lon": 114.739124, "lat": 33.539841}},
        headers=dispatcher,
    )
    assert 201 == opened.status_code, opened.text
    case_id = int(opened.json()["id"])
    sent = await http.post(f"{API}/cases/{case_id}/dispatch", json={}, headers=dispatcher)
    assert 200 == sent.status_code, sent.text
    return case_id, str(sent.json()["ambulance"]["ambulance_id"])


async def township_alert(http: httpx.AsyncClient, complaint: str) -> tuple[int, dict[str, Any]]:
    """A Nandun township case with an alert to the county hospital; (case id, alert)."""
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, complaint)
    alert = await send_alert(http, township, case_id, f"浏览器测试 {uuid.uuid4().hex[:6]}")
    return case_id, alert


async def set_status_in_dialog(page: Page, case_id: int, status: str) -> None:
    """Open the case's mission dialog and press the status; the dialog closes when done."""
    await page.locator(f"#cases-body tr[data-case-id='{case_id}'] button.case-actions").click()
    dialog = page.locator("#action-dialog")
    await dialog.locator(f"button.status-button[data-status='{status}']").click()
    await expect(dialog).to_be_hidden()


async def test_the_dispatcher_walks_a_mission_to_its_close(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Status buttons move the ambulance (only allowed moves offered); transporting shows the
    destination and an ETA to the hospital, at the hospital "arrived"; close removes the row."""
    dispatcher = await token(http, "dispatcher")
    case_id, ambulance_id = await dispatched_case(http, dispatcher)
    page = await console(pages)
    row = page.locator(f"#cases-body tr[data-case-id='{case_id}']")
    await expect(row.locator(".eta-scene")).to_contain_text("到现场")

    await row.locator("button.case-actions").click()
    offered = page.locator("#action-dialog button.status-button")
    await expect(offered).to_have_count(3)  # dispatched → en_route, available, out_of_service
    await page.locator("#action-dialog button.dialog-close").click()
    for status in ("en_route", "on_scene"):
        await set_status_in_dialog(page, case_id, status)
        await expect(row.locator(".amb-chip")).to_have_class(f"amb-chip amb-{status}")
    await expect(row.locator(".eta")).to_have_count(0)  # on scene: no ETA to the scene any more

    transfer = await http.post(
        f"{API}/cases/{case_id}/transfer", json={"facility_id": CATHLAB}, headers=dispatcher
    )
    assert 200 == transfer.status_code, transfer.text
    await set_status_in_dialog(page, case_id, "transporting")
    await expect(row.locator("td.destination")).to_contain_text("项城市人民医院")
    await expect(row.locator(".eta-destination")).to_contain_text("到医院")
    await set_status_in_dialog(page, case_id, "at_destination")
    await expect(row.locator(".eta-arrived")).to_contain_text("已到院")
    await expect(row.locator("td.destination")).to_contain_text("项城市人民医院")
    await set_status_in_dialog(page, case_id, "available")
    await expect(row.locator(".amb-chip")).to_have_class("amb-chip amb-available")

    await row.locator("button.case-actions").click()
    await page.locator("#action-close").click()
    await expect(row).to_have_count(0)
    case = (await http.get(f"{API}/cases/{case_id}", headers=dispatcher)).json()
    assert ("closed", ["transfer", "close"]) == (
        case["status"],
        [h["action"] for h in case["history"]],
    )
    fleet = (await http.get(f"{API}/ambulances", headers=dispatcher)).json()["features"]
    status = next(f["properties"]["status"] for f in fleet if f["properties"]["id"] == ambulance_id)
    assert "available" == status


async def test_a_case_is_cancelled_only_with_a_reason(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Cancel without a reason says so and changes nothing; with one the case leaves the list,
    closed with "cancelled: …", and its alert shows cancelled."""
    case_id, alert = await township_alert(http, "胸痛30分钟")
    page = await console(pages)
    row = page.locator(f"#cases-body tr[data-case-id='{case_id}']")
    await row.locator("button.case-actions").click()
    await page.locator("#action-cancel").click()
    await expect(page.locator("#action-error")).to_have_text("请填写原因。")
    await expect(row).to_have_count(1)

    await page.locator("#action-dialog textarea[name=cancel-reason]").fill("重复呼叫")
    await page.locator("#action-cancel").click()
    await expect(row).to_have_count(0)
    item = page.locator(f"#alerts-list li[data-alert-id='{alert['id']}']")
    await expect(item).to_have_attribute("data-status", "cancelled")
    dispatcher = await token(http, "dispatcher")
    case = (await http.get(f"{API}/cases/{case_id}", headers=dispatcher)).json()
    assert ("closed", "cancelled: 重复呼叫") == (case["status"], case["history"][-1]["reason"])


async def test_an_alert_is_cancelled_from_the_alert_list(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """The alert's own cancel button asks a reason and the alert shows cancelled at once."""
    _, alert = await township_alert(http, "胸闷1小时")
    page = await console(pages)
    item = page.locator(f"#alerts-list li[data-alert-id='{alert['id']}']")
    await item.locator("button.alert-cancel").click()
    await page.locator("#action-dialog textarea[name=alert-reason]").fill("发错医院")
    await page.locator("#action-alert-cancel").click()
    await expect(item).to_have_attribute("data-status", "cancelled")
    await expect(item.locator("button.alert-cancel")).to_have_count(0)
    dispatcher = await token(http, "dispatcher")
    found = (await http.get(f"{API}/alerts/{alert['id']}", headers=dispatcher)).json()
    assert ("cancelled", "发错医院") == (found["status"], found["answer_note"])


async def test_a_case_untouched_for_a_day_is_flagged_stale(
    pages: Pages, http: httpx.AsyncClient, browser_db: str
) -> None:
    """A case opened 30 hours ago with nothing since is marked stale; a fresh one is not."""
    township = await token(http, f"township-{TOWNSHIP}")
    old = await open_case(http, township, "旧病例")
    fresh = await open_case(http, township, "新病例")
    engine = create_async_engine(browser_db)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE cases SET created_at = :at WHERE id = :id"),
                {"at": datetime.now(UTC) - timedelta(hours=30), "id": old},
            )
    finally:
        await engine.dispose()
    page = await console(pages)
    stale = page.locator(f"#cases-body tr[data-case-id='{old}']")
    await expect(stale).to_have_attribute("data-stale", "true")
    await expect(stale.locator(".stale-badge")).to_have_text("长时间无动态")
    await expect(page.locator(f"#cases-body tr[data-case-id='{fresh}']")).to_have_attribute(
        "data-stale", "false"
    )

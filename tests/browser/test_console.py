"""The dispatcher console (/console): a call from a village search dispatched in one click,
typed GCJ-02 coordinates, and alerts followed live from sent to acknowledged or escalated."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import SERVER_SETTINGS, Pages
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, open_case, send_alert, sign_in, token
from tests.browser.server import WebServer

# A demo village (synthetic): 吴庄村 in Nandun township, WGS84 and the same point in GCJ-02.
VILLAGE_ID = "v-0052"
VILLAGE = (114.739124, 33.539841)
VILLAGE_GCJ02 = "114.744645, 33.538297"  # geo.crs.wgs84_to_gcj02(*VILLAGE), rounded


async def console(pages: Pages) -> Page:
    """The console, signed in as the dispatcher, following the dispatchers' alert stream."""
    page = await pages.new("/console", width=1600, height=1100)
    await sign_in(page, "dispatcher")
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    return page


async def nearest(http: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The API's nearest available ambulances by road to the village."""
    lon, lat = VILLAGE
    response = await http.get(
        f"{API}/ambulances/nearest", params={"lon": lon, "lat": lat, "k": 5}, headers=headers
    )
    assert 200 == response.status_code, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def attribute(page: Page, selector: str, name: str) -> str:
    """An attribute that must be there."""
    value = await page.locator(selector).get_attribute(name)
    assert value is not None, f"{selector} has no {name}"
    return value


async def test_village_search_dispatches_the_recommended_ambulance(
    pages: Pages, http: httpx.AsyncClient, screenshots: Path
) -> None:
    """A call found by a village search dispatches the best ambulance by road in one click."""
    dispatcher = await token(http, "dispatcher")
    expected_best = (await nearest(http, dispatcher))[0]["ambulance_id"]
    page = await console(pages)
    await page.locator("#place-search").fill("吴庄")
    await page.locator(f"#place-results button[data-place-id='{VILLAGE_ID}']").click()
    await expect(page.locator("#call-location")).to_contain_text("吴庄村（南顿镇）")
    await expect(page.locator("#call-started")).to_contain_text("接警时间")
    await page.locator("label.pathway-choice", has_text="STEMI").click()
    complaint = f"浏览器测试 {uuid.uuid4().hex[:6]} 胸痛40分钟"
    await page.locator("#complaint").fill(complaint)
    best = page.locator("#recommendations li.best")
    await expect(best).to_have_attribute("data-ambulance-id", expected_best)
    await best.locator("button.dispatch").click()

    row = page.locator(f"#cases-body tr[data-ambulance-id='{expected_best}']")
    await expect(row).to_be_visible()
    await expect(row.locator("td.num .timer").first).to_have_text(re.compile(r"^\d+:\d\d$"))
    await expect(page.locator("#call-location")).to_contain_text("尚未选择位置")
    case_id = int(
        await attribute(
            page, f"#cases-body tr[data-ambulance-id='{expected_best}']", "data-case-id"
        )
    )
    response = await http.get(f"{API}/cases/{case_id}", headers=dispatcher)
    assert 200 == response.status_code, response.text
    case = response.json()
    assert ("active", "stemi", complaint, expected_best) == (
        case["status"], case["pathway"], case["complaint"], case["ambulance_id"]
    )  # fmt: skip
    assert VILLAGE == (round(case["lon"], 6), round(case["lat"], 6))
    stamps = {stamp["milestone"]: stamp["at"] for stamp in case["timeline"]}
    assert {"call_received", "unit_notified"} <= stamps.keys()
    assert stamps["call_received"] < stamps["unit_notified"]  # the call began before dispatch
    fleet = await http.get(f"{API}/ambulances", headers=dispatcher)
    statuses = {f["properties"]["id"]: f["properties"]["status"] for f in fleet.json()["features"]}
    assert "dispatched" == statuses[expected_best]
    await expect(
        page.locator(f".amb-marker[data-ambulance-id='{expected_best}']")
    ).to_have_attribute("data-status", "dispatched")
    await page.locator("#place-search").fill("guozhuang")  # the next call, for the screenshot
    await page.locator("#place-results button.place").first.click()
    await page.locator("label.pathway-choice", has_text="卒中").click()
    await expect(page.locator("#recommendations li.best")).to_be_visible()
    await page.screenshot(path=screenshots / "console.png")


async def test_typed_gcj02_coordinates_recommend_as_the_village_does(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """GCJ-02 coordinates typed from a phone map give the same ambulances as the WGS84 point."""
    dispatcher = await token(http, "dispatcher")
    expected = [a["ambulance_id"] for a in await nearest(http, dispatcher)]
    page = await console(pages)
    await page.locator("#coords").fill(VILLAGE_GCJ02)
    await page.locator("#coords-crs").select_option("gcj02")
    await page.locator("#coords-go").click()
    await expect(page.locator("#recommendations li")).to_have_count(len(expected))
    actual = [
        await item.get_attribute("data-ambulance-id")
        for item in await page.locator("#recommendations li").all()
    ]
    assert expected == actual


async def test_alert_state_changes_live_from_sent_to_acknowledged(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """A township alert appears in the console, then shows acknowledged when the cath lab acks."""
    page = await console(pages)
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, "胸痛1小时")
    summary = f"浏览器测试 {uuid.uuid4().hex[:6]}：男58岁，前壁STEMI"
    alert = await send_alert(http, township, case_id, summary)
    item = page.locator(f"#alerts-list li[data-alert-id='{alert['id']}']")
    await expect(item).to_contain_text(summary)
    await expect(item).to_have_attribute("data-status", re.compile(r"^(sent|delivered)$"))
    await expect(
        page.locator(f"#cases-body tr[data-case-id='{case_id}'] .alert-chip")
    ).to_be_visible()

    cathlab = await token(http, f"cathlab-{CATHLAB}")
    answer = await http.post(
        f"{API}/alerts/{alert['id']}/ack", json={"action": "acknowledged"}, headers=cathlab
    )
    assert 200 == answer.status_code, answer.text
    await expect(item).to_have_attribute("data-status", "acknowledged")
    await expect(item.locator(".alert-state")).to_have_text("已确认")


async def test_unanswered_alert_escalates_and_stands_out(
    pages: Pages,
    http: httpx.AsyncClient,
    browser_db: str,
    log_dir: Path,
    make_server: list[WebServer],
) -> None:
    """An alert nobody answers in time shows escalated, with the banner and one entry in the
    escalation panel (the centre's phone, no toast), until it is answered."""
    quick = WebServer(
        "escalating", browser_db, log_dir, {**SERVER_SETTINGS, "alert_ack_timeout_seconds": "1"}
    )
    make_server.append(quick)
    await asyncio.to_thread(quick.start)
    try:
        page = await console(pages)
        async with httpx.AsyncClient(base_url=quick.url, timeout=15) as sender:
            township = await token(sender, f"township-{TOWNSHIP}")
            case_id = await open_case(sender, township, "胸闷2小时")
            alert = await send_alert(
                sender, township, case_id, f"浏览器测试 {uuid.uuid4().hex[:6]}：无人应答"
            )
        item = page.locator(f"#alerts-list li[data-alert-id='{alert['id']}']")
        await expect(item).to_have_attribute("data-escalated", "true", timeout=10_000)
        await expect(item.locator(".escalation")).to_contain_text("已升级")
        await expect(page.locator("#alerts-escalated")).to_be_visible()
        await expect(page.locator("#alerts-list li").first).to_have_attribute(
            "data-alert-id", str(alert["id"])
        )
        # its own panel (issue 13): one entry with the centre's phone, no toast
        entry = page.locator(f"#escalations li[data-alert-id='{alert['id']}']")
        await expect(entry.locator("a.escalation-phone")).to_have_text("请致电 0394-555-1000")
        await expect(entry).to_have_count(1)  # one entry per alert, whatever its level
        await expect(page.locator(".toast", has_text="升级")).to_have_count(0)
    finally:
        await asyncio.to_thread(quick.stop)
    cathlab = await token(http, f"cathlab-{CATHLAB}")
    answer = await http.post(
        f"{API}/alerts/{alert['id']}/ack", json={"action": "activated"}, headers=cathlab
    )
    assert 200 == answer.status_code, answer.text
    await expect(item).to_have_attribute("data-status", "activated")
    await expect(item).to_have_attribute("data-escalated", "false")
    await expect(page.locator("#alerts-escalated")).to_be_hidden()
    await expect(entry).to_have_count(0)

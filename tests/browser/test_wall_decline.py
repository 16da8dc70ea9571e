"""Decline asks a reason, and the sender reads it; phone numbers where they are needed; the
sender named by its facility or call sign (issue 13, item 6)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.browser.conftest import SERVER_SETTINGS, Pages
from tests.browser.helpers import (
    API,
    CATHLAB,
    NANDUN_VILLAGE,
    TOWNSHIP,
    alert_to,
    sign_in,
    token,
)
from tests.browser.server import WebServer
from tests.browser.test_alert_flow import field_app, send_from_field
from tests.browser.wall_helpers import WALL, clear_board


async def phone_of(http: httpx.AsyncClient, headers: dict[str, str], facility_id: str) -> str:
    """The facility's phone, as the API has it."""
    found = await http.get(f"{API}/facilities/{facility_id}", headers=headers)
    assert 200 == found.status_code, found.text
    phone = str(found.json()["properties"]["phone"])
    assert phone
    return phone


async def test_decline_needs_a_reason_and_the_sender_reads_it_with_the_phone(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """The wall shows the township by name with its phone; decline without a reason is refused
    in the dialog; with one, the card leaves and the field app reads "已拒绝：<reason>" with the
    hospital's phone to call."""
    await clear_board(http, CATHLAB)
    township = await token(http, f"township-{TOWNSHIP}")
    screen = await pages.new(f"/cathlab/{CATHLAB}", **WALL)
    await sign_in(screen, f"cathlab-{CATHLAB}")
    await expect(screen.locator("body")).to_have_attribute("data-live", "live")
    field, _ = await field_app(pages, "拒绝测试")
    await send_from_field(field, "拒绝测试：下壁STEMI")
    card = screen.locator(".alert-card", has_text="拒绝测试：下壁STEMI")
    await expect(card).to_be_visible()

    sender = card.locator(".sender")
    await expect(sender).to_contain_text("南顿镇卫生院")
    await expect(sender).not_to_contain_text(f"township-{TOWNSHIP}")
    await expect(sender.locator(".phone")).to_contain_text(await phone_of(http, township, TOWNSHIP))

    await card.locator("button.decline").click()
    dialog = screen.locator("#decline-dialog")
    await expect(dialog).to_be_visible()
    await dialog.locator("button.decline-confirm").click()
    await expect(dialog.locator(".decline-error")).to_be_visible()
    await expect(card).to_be_visible()  # nothing was sent
    await dialog.locator("input[value=busy]").check()
    await dialog.locator("textarea[name=details]").fill("请转周口市区域医疗中心")
    await dialog.locator("button.decline-confirm").click()
    await expect(dialog).to_have_count(0)
    await expect(card).to_have_count(0)

    answer = field.locator("#answer")
    await expect(answer).to_have_attribute("data-status", "declined")
    await expect(answer).to_contain_text("已拒绝：导管室正在手术，无法接收：请转周口市区域医疗中心")
    county_phone = await phone_of(http, township, CATHLAB)
    await expect(answer.locator(".answer-call")).to_contain_text(county_phone)


async def test_an_ambulance_shows_by_call_sign_with_its_station_phone(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """A crew's alert: the wall names the ambulance by its call sign (not its id and login) and
    gives its station's phone."""
    await clear_board(http, CATHLAB)
    dispatcher = await token(http, "dispatcher")
    opened = await http.post(
        f"{API}/cases",
        json={"pathway": "stemi", "location": NANDUN_VILLAGE, "complaint": "呼号测试"},
        headers=dispatcher,
    )
    assert 201 == opened.status_code, opened.text
    case_id = int(opened.json()["id"])
    sent = await http.post(f"{API}/cases/{case_id}/dispatch", json={}, headers=dispatcher)
    assert 200 == sent.status_code, sent.text
    ambulance = sent.json()["ambulance"]
    crew = await token(http, f"crew-{ambulance['ambulance_id']}")
    alert = await alert_to(http, crew, case_id, CATHLAB, "救护车预警：前壁STEMI")
    found = await http.get(f"{API}/ambulances", headers=dispatcher)
    unit = next(
        f["properties"]
        for f in found.json()["features"]
        if f["properties"]["id"] == ambulance["ambulance_id"]
    )
    station_phone = await phone_of(http, dispatcher, unit["station_id"])

    screen = await pages.new(f"/cathlab/{CATHLAB}", **WALL)
    await sign_in(screen, f"cathlab-{CATHLAB}")
    sender = screen.locator(f".alert-card[data-alert-id='{alert['id']}'] .sender")
    await expect(sender).to_contain_text(f"救护车 {unit['callsign']}")
    await expect(sender).not_to_contain_text(f"crew-{ambulance['ambulance_id']}")
    await expect(sender.locator(".phone")).to_contain_text(station_phone)


async def test_an_escalated_alert_tells_the_sender_the_hospitals_phone(
    pages: Pages,
    http: httpx.AsyncClient,
    browser_db: str,
    log_dir: Path,
    make_server: list[WebServer],
) -> None:
    """Nobody answers in time: the sender's field app says so and gives the hospital's phone."""
    quick = WebServer(
        "escalating-field",
        browser_db,
        log_dir,
        {**SERVER_SETTINGS, "alert_ack_timeout_seconds": "1"},
    )
    make_server.append(quick)
    await asyncio.to_thread(quick.start)
    try:
        field, case_id = await field_app(pages, "升级测试")
        async with httpx.AsyncClient(base_url=quick.url, timeout=15) as sender:
            township = await token(sender, f"township-{TOWNSHIP}")
            await alert_to(sender, township, case_id, CATHLAB, "升级测试：无人应答")
        answer = field.locator("#answer")
        await expect(answer).to_contain_text("尚未回复（已升级提醒）", timeout=10_000)
        await expect(answer.locator(".answer-call")).to_contain_text(
            await phone_of(http, township, CATHLAB)
        )
    finally:
        await asyncio.to_thread(quick.stop)
        await clear_board(http, CATHLAB)  # nothing left escalating for the other tests

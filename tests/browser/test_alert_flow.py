"""Information before the patient, in two browsers: the township's field app and the county
cath lab's wall screen."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.ecg import synthetic_ecg_png
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, open_field_case, sign_in, token


async def wall_screen(pages: Pages) -> Page:
    """The county hospital's wall screen, signed in and live."""
    screen = await pages.new(f"/cathlab/{CATHLAB}", width=1600, height=900)
    await sign_in(screen, f"cathlab-{CATHLAB}")
    await expect(screen.locator("body")).to_have_attribute("data-live", "live")
    return screen


async def field_app(pages: Pages, complaint: str) -> tuple[Page, int]:
    """The township unit's field app with a new case open."""
    field = await pages.new("/field", width=1280, height=1000)
    await sign_in(field, f"township-{TOWNSHIP}")
    await expect(field.locator("body")).to_have_attribute("data-live", "live")
    case_id = await open_field_case(field, complaint)
    return field, case_id


async def send_from_field(field: Page, summary: str) -> None:
    """Stamp the ECG and the diagnosis, write the summary and press send."""
    await field.locator(".stamp[data-milestone=first_ecg]").click()
    await field.locator(".stamp[data-milestone=diagnosis]").click()
    await expect(field.locator("#queue")).to_be_hidden()
    await expect(field.locator("#alert-to")).to_have_value(CATHLAB)
    await field.locator("#alert-summary").fill(summary)
    await field.locator("#alert-form input[name=hr]").fill("96")
    await field.locator("#alert-form input[name=bp]").fill("150/90")
    await field.locator("#alert-send").click()


async def test_alert_from_field_appears_on_wall_screen_within_2_s(
    pages: Pages, screenshots: Path
) -> None:
    """A township alert sent from /field shows on /cathlab/{id} within 2 s, once."""
    screen = await wall_screen(pages)
    summary = f"浏览器测试 {uuid.uuid4().hex[:6]}：男63岁，胸痛2小时，V1-V4 ST段抬高"
    field, _ = await field_app(pages, "胸痛2小时")
    await field.locator("#alert-summary").fill(summary)
    await field.locator(".stamp[data-milestone=first_ecg]").click()
    ecg = await asyncio.to_thread(synthetic_ecg_png)
    await field.locator("#ecg-file").set_input_files(
        files=[{"name": "ecg-synthetic.png", "mimeType": "image/png", "buffer": ecg}]
    )
    await expect(field.locator("#ecg-list .tag-done")).to_have_count(1)
    await expect(field.locator("#alert-ecgs input[name=ecg]:checked")).to_have_count(1)
    await expect(field.locator("#queue")).to_be_hidden()
    started = time.monotonic()
    await field.locator("#alert-send").click()
    card = screen.locator(".alert-card", has_text=summary)
    await expect(card).to_be_visible(timeout=2000)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"the alert took {elapsed:.2f} s to reach the wall screen"
    assert 1 == await card.count()
    await expect(card.locator(".pathway")).to_have_text("STEMI 胸痛")
    await expect(card.locator(".sender")).to_contain_text("南顿")
    await expect(card.locator("img.ecg-image")).to_be_visible()
    await expect(screen.locator("#flash")).to_be_hidden(timeout=5000)
    await screen.screenshot(path=screenshots / "cathlab.png")


async def test_activation_on_wall_screen_shows_activated_in_field_app(
    pages: Pages, http: httpx.AsyncClient, screenshots: Path
) -> None:
    """Activating the alert on the wall screen shows "cath lab activated" on the field app."""
    screen = await wall_screen(pages)
    summary = f"浏览器测试 {uuid.uuid4().hex[:6]}：女71岁，下壁STEMI"
    field, case_id = await field_app(pages, "胸闷3小时")
    await send_from_field(field, summary)
    card = screen.locator(".alert-card", has_text=summary)
    await expect(card).to_be_visible()
    await card.locator("button.activate").click()
    await expect(card).to_have_attribute("data-status", "activated")
    answer = field.locator("#answer")
    await expect(answer).to_have_attribute("data-status", "activated")
    await expect(answer).to_contain_text("导管室已启动")
    headers = await token(http, f"township-{TOWNSHIP}")
    found = (await http.get(f"{API}/cases/{case_id}", headers=headers)).json()
    stamped = {event["milestone"] for event in found["timeline"]}
    assert {"first_ecg", "diagnosis", "prealert_sent", "cathlab_activated"} <= stamped
    await expect(field.locator("#timeline li[data-milestone=cathlab_activated]")).to_have_count(1)
    await expect(field.locator(".recommendation")).to_have_attribute(
        "data-recommendation", "primary_pci"
    )
    await expect(field.locator("#toasts .toast")).to_have_count(0)
    await field.screenshot(path=screenshots / "field.png", full_page=True)

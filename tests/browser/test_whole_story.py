"""The whole mission on the pages (issue 13): a township unit's one-key call → the county's wall
activates → the 120 dispatcher sends an ambulance for the transfer → the crew's tablet gets the
mission and drives it (en route, on scene, transporting, at the county, handover, available) →
the county's milestone pad records its own times to the wire → the console shows the ambulance
available and closes the case → the reports page lists it with its door-to-wire. Every page is
opened once, before its part, and never reloaded."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, sign_in, token
from tests.browser.wall_helpers import clear_board


async def opened(pages: Pages, path: str, user: str, width: int = 1366, height: int = 900) -> Page:
    page = await pages.new(path, width=width, height=height)
    await sign_in(page, user)
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    await page.evaluate("window.__neverReloaded = true")
    return page


async def never_reloaded(*pages: Page) -> None:
    for page in pages:
        assert await page.evaluate("window.__neverReloaded === true"), page.url


async def stamp_on_pad(pad: Page, milestone: str) -> None:
    button = pad.locator(f".pad-stamp[data-milestone={milestone}]")
    await button.click()
    await pad.locator("#pad-confirm").click()
    await expect(button).to_have_class(re.compile(r"\bdone\b"))


async def test_the_whole_mission_across_the_pages(pages: Pages, http: httpx.AsyncClient) -> None:
    await clear_board(http, CATHLAB)
    dispatcher = await token(http, "dispatcher")
    unit = (await http.get(f"{API}/facilities/{TOWNSHIP}", headers=dispatcher)).json()
    lon, lat = unit["geometry"]["coordinates"]
    best = await http.get(
        f"{API}/ambulances/nearest", params={"lon": lon, "lat": lat, "k": 1}, headers=dispatcher
    )
    ambulance = best.json()[0]["ambulance_id"]

    wall = await opened(pages, f"/cathlab/{CATHLAB}", f"cathlab-{CATHLAB}", 1920, 1080)
    console = await opened(pages, "/console", "dispatcher", 1366, 900)
    crew = await opened(pages, "/field", f"crew-{ambulance}", 1280, 800)
    township = await opened(pages, "/field", f"township-{TOWNSHIP}", 1280, 900)
    pad = await opened(pages, f"/cathlab/{CATHLAB}/pad", f"cathlab-{CATHLAB}", 1280, 900)

    # the township unit: one press (STEMI); its case opens there
    await township.locator("#one-key").click()
    await township.locator(".one-key-pathway[data-pathway=stemi]").click()
    title = township.locator("#case-title")
    await expect(title).to_contain_text("#")
    case_id = int(re.findall(r"#(\d+)", await title.text_content() or "")[0])
    await township.locator(".stamp[data-milestone=first_medical_contact]").click()
    await township.locator(".stamp[data-milestone=first_ecg]").click()
    await expect(township.locator("#queue")).to_be_hidden()

    # the county's wall: the alert, activated
    card = wall.locator(".alert-card", has_text=f"#{case_id}")
    await expect(card).to_be_visible()
    await card.locator("button.activate").click()
    await expect(card).to_have_attribute("data-status", "activated")
    await expect(township.locator("#answer")).to_have_attribute("data-status", "activated")

    # the 120 console: the case is listed; the dispatcher sends the best ambulance
    row = console.locator(f"#cases-body tr[data-case-id='{case_id}']")
    await expect(row).to_be_visible()
    await row.locator("button.primary.small").click()  # 派车: take the case into the call panel
    recommended = console.locator("#recommendations li.best")
    await expect(recommended).to_have_attribute("data-ambulance-id", ambulance)
    await recommended.locator("button.dispatch").click()
    await expect(row).to_have_attribute("data-ambulance-id", ambulance)

    # the crew's tablet: the mission arrives live; the crew drives it to the county
    await expect(crew.locator("#mission")).to_be_visible()
    await expect(crew.locator("#case-title")).to_contain_text(f"#{case_id}")
    for button, status in (
        ("unit_en_route", "en_route"),
        ("unit_on_scene", "on_scene"),
        ("unit_left_scene", "transporting"),
        ("facility_arrival", "at_destination"),
    ):
        stamp = crew.locator(f".stamp[data-milestone={button}]")
        await expect(stamp).to_have_attribute("data-status", status)
        await stamp.click()
        await expect(stamp).to_have_class("stamp done")
    await expect(row.locator(".amb-chip")).to_have_class("amb-chip amb-at_destination")

    # the county's pad: its own times, to the wire
    await pad.locator(f".case-pick[data-case-id='{case_id}']").click()
    for milestone in ("cathlab_ready", "cathlab_arrival", "arterial_puncture", "wire_crossing"):
        await stamp_on_pad(pad, milestone)
    await expect(pad.locator("#intervals li[data-interval=door_to_wire]")).to_contain_text("分钟")

    # the crew hands over and is available again; the console sees it, and closes the case
    for button in ("handover", "unit_available"):
        stamp = crew.locator(f".stamp[data-milestone={button}]")
        await stamp.click()
        await expect(stamp).to_have_class("stamp done")
    await expect(crew.locator("#mission")).to_be_hidden()
    await expect(row.locator(".amb-chip")).to_have_class("amb-chip amb-available")
    await row.locator("button.case-actions").click()
    await console.locator("#action-close").click()
    await expect(row).to_have_count(0)
    await expect(card).to_have_count(0)  # the wall's card goes with the case
    await never_reloaded(wall, console, crew, township, pad)

    # the reports: the case with its door-to-wire
    today = datetime.now(UTC).date()
    period = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}&pathway=stemi"
    reports = await opened(pages, f"/reports?{period}", "data-manager", 1500, 1300)
    await expect(reports.locator("#metrics-table tr.metric").first).to_be_visible()
    await expect(reports.locator(f"#cases-body tr[data-case-id='{case_id}']")).to_have_count(1)
    case = (await http.get(f"{API}/cases/{case_id}", headers=dispatcher)).json()
    d2w = next(i for i in case["intervals"] if i["name"] == "door_to_wire")
    assert ("closed", True) == (case["status"], d2w["minutes"] is not None)

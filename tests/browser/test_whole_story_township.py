"""The whole story of a mission through a township unit (issue 13), played on six pages
opened and signed in once at the start and never reloaded: the 120 dispatcher's console, the
crew's tablet, the township unit's field page, the county's wall screen and milestone pad,
and the data manager's reports page.

A call is opened on the console and the best ambulance dispatched; the crew's tablet is told
(pushed) and its buttons move the ambulance; the dispatcher sends the patient to the township
unit, whose page lists the case, records its times and sends an alert with vitals; the wall
shows it and the team activates; the township's door-out sends the patient on to the county,
whose pad records door-in, cath lab ready, puncture and wire; the crew sets itself available;
the dispatcher closes the case; the reports page shows its door-to-wire."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, sign_in, token
from tests.browser.test_console import VILLAGE_ID, nearest
from tests.browser.test_console_mission import console
from tests.browser.test_field_crew import crew_tablet
from tests.browser.test_milestone_pad import stamp as pad_stamp
from tests.browser.wall_helpers import WALL

# What the pages take to follow an event they are not pushed: the console's case list (10 s),
# the township's case list (10 s), the pad's list (10 s); a push comes in well under a second.
POLLED_MS = 15_000
COUNTY = "项城市人民医院"
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def signed_in(pages: Pages, path: str, username: str, **size: int) -> Page:
    """A page of its own context, signed in through its form, its stream live."""
    page = await pages.new(path, **size)
    await sign_in(page, username)
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    return page


async def press(page: Page, milestone: str) -> None:
    """Press a field page's milestone button and wait until it shows as recorded."""
    button = page.locator(f".stamp[data-milestone={milestone}]")
    await button.click()
    await expect(button).to_have_class("stamp done")


async def set_destination(page: Page, case_id: int, facility_id: str) -> None:
    """The dispatcher sends the patient to a facility from the case's mission dialog."""
    await page.locator(f"#cases-body tr[data-case-id='{case_id}'] button.case-actions").click()
    dialog = page.locator("#action-dialog")
    await dialog.locator("#action-destination-select").select_option(facility_id)
    await dialog.locator("#action-destination-send").click()
    await expect(dialog).to_be_hidden()


async def test_a_mission_from_the_call_to_the_report_on_pages_never_reloaded(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Call → dispatch → crew → township → alert → activation → hospital times → available →
    closed → reports, each person seeing their part live on a page that is never reloaded."""
    dispatcher = await token(http, "dispatcher")
    ambulance = (await nearest(http, dispatcher))[0]["ambulance_id"]
    tag = uuid.uuid4().hex[:6]
    today = datetime.now(SHANGHAI).date().isoformat()

    desk = await console(pages)
    crew = await crew_tablet(pages, ambulance)
    township = await signed_in(pages, "/field", f"township-{TOWNSHIP}", width=1280, height=1000)
    wall = await signed_in(pages, f"/cathlab/{CATHLAB}", f"cathlab-{CATHLAB}", **WALL)
    pad = await signed_in(pages, f"/cathlab/{CATHLAB}/pad", f"cathlab-{CATHLAB}", width=1280)
    # today has no STEMI yet when the page opens: the server's answer is 404 "empty period",
    # which the page shows and Chromium logs
    pages.allow(re.compile(r"status of 404 .*/api/v1/reports/intervals\?from="))
    reports = await pages.new(f"/reports?from={today}&to={today}&pathway=stemi", width=1500)
    await sign_in(reports, "data-manager")
    everyone = (desk, crew, township, wall, pad, reports)
    for page in everyone:
        await page.evaluate("window.__neverReloaded = true")

    # the call: a village found by name, STEMI, the caller's phone; the best ambulance sent
    await desk.locator("#place-search").fill("吴庄")
    await desk.locator(f"#place-results button[data-place-id='{VILLAGE_ID}']").click()
    await desk.locator("label.pathway-choice", has_text="STEMI").click()
    complaint = f"全程测试 {tag} 胸痛1小时"
    await desk.locator("#complaint").fill(complaint)
    await desk.locator("#caller-phone").fill("13800138000")
    best = desk.locator("#recommendations li.best")
    await expect(best).to_have_attribute("data-ambulance-id", ambulance)
    await best.locator("button.dispatch").click()
    row = desk.locator(f"#cases-body tr[data-ambulance-id='{ambulance}']")
    await expect(row).to_be_visible()
    case_id = int(await row.get_attribute("data-case-id") or 0)
    row = desk.locator(f"#cases-body tr[data-case-id='{case_id}']")

    # the crew's tablet is told at once: the place, the patient, the caller's phone
    mission = crew.locator("#mission")
    await expect(mission).to_have_attribute("data-case-id", str(case_id))
    await expect(mission.locator("[data-role=place]")).to_contain_text("吴庄村")
    await expect(mission).to_contain_text("13800138000")
    await expect(crew.locator("#case-title")).to_contain_text(f"#{case_id}")
    for milestone in ("unit_en_route", "unit_on_scene", "first_medical_contact"):
        await press(crew, milestone)
    await press(crew, "unit_left_scene")
    await expect(row.locator(".amb-chip")).to_have_class(
        "amb-chip amb-transporting", timeout=POLLED_MS
    )

    # the dispatcher sends the patient to the township unit; the crew arrives and hands over
    await set_destination(desk, case_id, TOWNSHIP)
    await expect(row.locator("td.destination")).to_contain_text("南顿")
    await press(crew, "facility_arrival")
    await press(crew, "handover")

    # the township unit's list shows the patient; it records its times and alerts the county
    await township.locator(f".case-item[data-case-id='{case_id}']").click(timeout=POLLED_MS)
    await expect(township.locator("#case-title")).to_contain_text(f"#{case_id}")
    await expect(township.locator(".stamp[data-milestone=facility_arrival]")).to_have_class(
        "stamp done"
    )  # the crew's door-in here
    for milestone in ("first_ecg", "diagnosis", "critical_value_reported"):
        await press(township, milestone)
    await expect(township.locator("#alert-to")).to_have_value(CATHLAB)
    summary = f"全程测试 {tag}：男，下壁STEMI，已嚼服阿司匹林"
    await township.locator("#alert-summary").fill(summary)
    await township.locator("#alert-form input[name=hr]").fill("58")
    await township.locator("#alert-form input[name=bp]").fill("96/60")
    await township.locator("#alert-send").click()

    # the wall shows it with the vitals; the team activates; the sender and the console see it
    card = wall.locator(".alert-card", has_text=summary)
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("58")
    await expect(card).to_contain_text("96/60")
    await card.locator("button.activate").click()
    await expect(card).to_have_attribute("data-status", "activated")
    await expect(township.locator("#answer")).to_have_attribute("data-status", "activated")
    await expect(desk.locator(f"#alerts-list li[data-case-id='{case_id}']")).to_have_attribute(
        "data-status", "activated"
    )

    # the township's door-out sends the patient on to the county: the console and the pad see it
    await press(township, "facility_departure")
    await expect(row.locator("td.destination")).to_contain_text(COUNTY, timeout=POLLED_MS)
    await pad.locator(f".case-pick[data-case-id='{case_id}']").click(timeout=POLLED_MS)
    await expect(pad.locator(".pad-stamp[data-milestone=cathlab_activated]")).to_have_class(
        re.compile(r"\bdone\b")
    )  # the activation on the wall
    for milestone in ("facility_arrival", "cathlab_ready", "arterial_puncture", "wire_crossing"):
        await pad_stamp(pad, milestone)
    d2w = pad.locator("#intervals li[data-interval=door_to_wire]")
    await expect(d2w.locator(".minutes")).to_have_text(re.compile(r"^\d+(\.\d)? 分钟$"))
    await expect(card).to_have_count(0)  # the patient is here: the card leaves the board

    # the crew is available again: the console shows it, the tablet's mission banner goes
    await press(crew, "unit_available")
    await expect(crew.locator("#mission")).to_be_hidden()
    await expect(row.locator(".amb-chip")).to_have_class(
        "amb-chip amb-available", timeout=POLLED_MS
    )
    await expect(desk.locator(f".amb-marker[data-ambulance-id='{ambulance}']")).to_have_attribute(
        "data-status", "available", timeout=POLLED_MS
    )

    # the dispatcher closes the case: it leaves the active list
    await row.locator("button.case-actions").click()
    await desk.locator("#action-close").click()
    await expect(row).to_have_count(0)

    # the data manager's report shows the case and its door-to-wire (as the case has it)
    case = (await http.get(f"{API}/cases/{case_id}", headers=dispatcher)).json()
    d2w_minutes = next(i for i in case["intervals"] if i["name"] == "door_to_wire")["minutes"]
    await reports.locator("#report-show").click()
    case_row = reports.locator(f"#cases-body tr[data-case-id='{case_id}']")
    await expect(case_row).to_be_visible()
    await case_row.locator(".met-list summary").click()
    wire = case_row.locator(".chip.ok[data-interval=door_to_wire]")
    await expect(wire).to_be_visible()
    await expect(wire).to_contain_text("入门至导丝通过")
    await expect(wire).to_contain_text(f" {d2w_minutes:.1f}/90")

    for page in everyone:
        assert await page.evaluate("window.__neverReloaded === true")
    assert "closed" == case["status"]
    doors = {(e["milestone"], e["facility_id"]) for e in case["timeline"]}
    assert {("facility_arrival", TOWNSHIP), ("facility_departure", TOWNSHIP)} <= doors
    assert ("facility_arrival", CATHLAB) in doors

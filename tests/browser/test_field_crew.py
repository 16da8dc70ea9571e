"""The ambulance crew's tablet (/field as crew-amb-NN): told of a dispatch live, and its
buttons drive the ambulance's status to the end of the mission."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, NANDUN_VILLAGE, sign_in, token

MISSION_TIMEOUT_MS = 10_000


async def crew_tablet(pages: Pages, ambulance_id: str) -> Page:
    """The crew's field app at a tablet's size, signed in, its crew stream live."""
    page = await pages.new("/field", width=1280, height=800)
    await sign_in(page, f"crew-{ambulance_id}")
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    await page.evaluate("window.__neverReloaded = true")
    return page


async def dispatched(
    http: httpx.AsyncClient, ambulance_id: str, complaint: str, **extra: Any
) -> int:
    """A dispatcher opens a STEMI case at the Nandun village and dispatches the ambulance."""
    dispatcher = await token(http, "dispatcher")
    body = {"pathway": "stemi", "location": NANDUN_VILLAGE, "complaint": complaint, **extra}
    opened = await http.post(f"{API}/cases", json=body, headers=dispatcher)
    assert 201 == opened.status_code, opened.text
    case_id = int(opened.json()["id"])
    sent = await http.post(
        f"{API}/cases/{case_id}/dispatch", json={"ambulance_id": ambulance_id}, headers=dispatcher
    )
    assert 200 == sent.status_code, sent.text
    return case_id


async def ambulance_status(http: httpx.AsyncClient, ambulance_id: str) -> str:
    fleet = await http.get(f"{API}/ambulances", headers=await token(http, "dispatcher"))
    assert 200 == fleet.status_code, fleet.text
    found = {f["properties"]["id"]: f["properties"]["status"] for f in fleet.json()["features"]}
    return found[ambulance_id]


async def test_a_dispatch_reaches_the_open_crew_tablet_live(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Dispatched through the API, the crew's open tablet (never reloaded) shows the mission —
    the village, the patient, the road time — opens the case and draws the route."""
    page = await crew_tablet(pages, "amb-15")
    complaint = f"胸痛一小时 {uuid.uuid4().hex[:6]}"
    case_id = await dispatched(http, "amb-15", complaint, patient={"age": 71, "sex": "male"})

    mission = page.locator("#mission")
    await expect(mission).to_have_attribute(
        "data-case-id", str(case_id), timeout=MISSION_TIMEOUT_MS
    )
    await expect(mission.locator("[data-role=place]")).to_contain_text("吴庄村")
    await expect(mission.locator("[data-role=place]")).to_contain_text("南顿镇")
    await expect(mission.locator("[data-role=patient]")).to_contain_text(complaint)
    await expect(mission.locator("[data-role=patient]")).to_contain_text("71")
    await expect(mission.locator("[data-role=route]")).to_be_visible()
    await expect(page.locator("#case")).to_be_visible()
    await expect(page.locator("#case-title")).to_contain_text(f"#{case_id}")
    await expect(page.locator("#map")).to_have_attribute("data-route-case", str(case_id))
    assert await page.evaluate("window.__neverReloaded === true")


async def case_of(http: httpx.AsyncClient, case_id: int) -> dict[str, Any]:
    found = await http.get(f"{API}/cases/{case_id}", headers=await token(http, "dispatcher"))
    assert 200 == found.status_code, found.text
    case: dict[str, Any] = found.json()
    return case


async def test_the_crews_buttons_drive_the_ambulance_to_available(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Each status button moves the ambulance along the state machine and stamps its milestone;
    "at hospital" takes the alert's centre as the destination (door-in there); "available"
    releases the ambulance: the console's fleet shows it available, the banner goes."""
    ambulance = "amb-14"
    page = await crew_tablet(pages, ambulance)
    case_id = await dispatched(http, ambulance, f"胸闷 {uuid.uuid4().hex[:6]}")
    await expect(page.locator("#case-title")).to_contain_text(f"#{case_id}", timeout=10_000)
    alert = await http.post(
        f"{API}/alerts",
        json={"case_id": case_id, "to_facility_id": "county-hospital", "pathway": "stemi",
              "summary": "STEMI, 20 分钟到"},
        headers={**await token(http, f"crew-{ambulance}"), "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert 201 == alert.status_code, alert.text
    await expect(page.locator("#sent-alerts li")).to_have_count(1, timeout=10_000)

    walk = [
        ("unit_en_route", "en_route", "unit_en_route"),
        ("unit_on_scene", "on_scene", "unit_on_scene"),
        ("unit_left_scene", "transporting", "unit_left_scene"),
        ("facility_arrival", "at_destination", "facility_arrival"),
        ("handover", "returning", "handover"),
        ("unit_available", "available", "unit_available"),
    ]
    for button, status, milestone in walk:
        stamp = page.locator(f".stamp[data-milestone={button}]")
        await expect(stamp).to_have_attribute("data-status", status)
        await stamp.click()
        await expect(stamp).to_have_class("stamp done", timeout=10_000)
        assert status == await ambulance_status(http, ambulance)
        case = await case_of(http, case_id)
        stamped = [e for e in case["timeline"] if e["milestone"] == milestone]
        assert 1 == len(stamped), case["timeline"]
        assert "ambulance_status" == stamped[0]["source"]
    assert "county-hospital" == case["destination_facility_id"]
    door = next(e for e in case["timeline"] if e["milestone"] == "facility_arrival")
    assert "county-hospital" == door["facility_id"]
    await expect(page.locator("#mission")).to_be_hidden()
    await expect(page.locator(".stamp[data-milestone=facility_arrival] .stamp-name")).to_have_text(
        "到达医院"
    )

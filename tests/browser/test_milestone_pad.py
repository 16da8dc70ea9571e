"""The receiving hospital's milestone pad (/cathlab/{id}/pad, issue 13, item 3): the cath lab's
own login stamps door-in to wire crossing with big buttons, each after a confirmation, and the
case's door-to-wire interval appears; a stamp is corrected with a reason; another hospital's
team records nothing here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, open_case, sign_in, token

DOOR_TO_WIRE = (
    "facility_arrival",
    "cathlab_activated",
    "cathlab_ready",
    "cathlab_arrival",
    "arterial_puncture",
    "wire_crossing",
)


async def coming_to_the_county(http: httpx.AsyncClient) -> int:
    """A township STEMI case transferred to the county hospital (it comes to its pad)."""
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, "时间记录板测试")
    moved = await http.post(
        f"{API}/cases/{case_id}/transfer",
        json={"facility_id": CATHLAB, "reason": "直送PCI"},
        headers=township,
    )
    assert 200 == moved.status_code, moved.text
    return case_id


async def stamp(pad: Page, milestone: str) -> None:
    """Press the milestone's button, confirm, and wait until it shows as recorded."""
    button = pad.locator(f".pad-stamp[data-milestone={milestone}]")
    await button.click()
    dialog = pad.locator("#pad-dialog")
    await expect(dialog).to_be_visible()
    await expect(pad.locator("#pad-correction")).to_be_hidden()
    await pad.locator("#pad-confirm").click()
    await expect(dialog).to_be_hidden()
    await expect(button).to_have_class(re.compile(r"\bdone\b"))


async def test_the_cathlab_stamps_door_to_wire_on_its_pad_and_sees_d2w(
    pages: Pages, http: httpx.AsyncClient, screenshots: Path
) -> None:
    """Door-in → wire from the pad, one confirmed press each: the case has each stamp once, at
    the county, by the cath lab, and the pad shows the door-to-wire interval; a correction
    needs a reason and supersedes the stamp."""
    case_id = await coming_to_the_county(http)
    pad = await pages.new(f"/cathlab/{CATHLAB}/pad", width=1280, height=800)
    await sign_in(pad, f"cathlab-{CATHLAB}")
    await expect(pad.locator("body")).to_have_attribute("data-live", "live")
    await pad.locator(f".case-pick[data-case-id='{case_id}']").click()
    await expect(pad.locator("#case")).to_be_visible()
    buttons = await pad.locator(".pad-stamp").evaluate_all("b => b.map(x => x.dataset.milestone)")
    assert "unit_en_route" not in buttons  # the hospital's own milestones only
    assert set(DOOR_TO_WIRE) | {"ed_arrival"} <= set(buttons)

    cancelled = pad.locator(".pad-stamp[data-milestone=ed_arrival]")
    await cancelled.click()
    await pad.locator("#pad-cancel").click()  # no confirmation, no stamp
    await expect(cancelled).not_to_have_class(re.compile(r"\bdone\b"))
    for milestone in DOOR_TO_WIRE:
        await stamp(pad, milestone)
    d2w = pad.locator("#intervals li[data-interval=door_to_wire]")
    await expect(d2w).not_to_have_attribute("data-minutes", "")
    await expect(d2w.locator(".minutes")).to_have_text(re.compile(r"^\d+(\.\d)? 分钟$"))
    await pad.screenshot(path=screenshots / "pad.png", full_page=True)

    cathlab = await token(http, f"cathlab-{CATHLAB}")
    case = (await http.get(f"{API}/cases/{case_id}", headers=cathlab)).json()
    mine = [e for e in case["timeline"] if e["milestone"] in DOOR_TO_WIRE]
    assert sorted(DOOR_TO_WIRE) == sorted(e["milestone"] for e in mine)  # each once
    assert {(CATHLAB, f"cathlab-{CATHLAB}")} == {(e["facility_id"], e["recorded_by"]) for e in mine}
    interval = next(i for i in case["intervals"] if i["name"] == "door_to_wire")
    assert interval["minutes"] is not None
    assert CATHLAB == interval["facility_id"]

    wire = pad.locator(".pad-stamp[data-milestone=wire_crossing]")
    await wire.click()
    await expect(pad.locator("#pad-correction")).to_be_visible()
    await pad.locator("#pad-confirm").click()
    await expect(pad.locator("#pad-error")).to_be_visible()  # no reason: nothing sent
    recorded = datetime.fromisoformat(await pad.locator("#pad-at").input_value())
    corrected = recorded - timedelta(minutes=1)
    await pad.locator("#pad-at").fill(corrected.isoformat(timespec="seconds"))
    await pad.locator("#pad-reason").fill("按导管室记录单更正")
    await pad.locator("#pad-confirm").click()
    await expect(pad.locator("#pad-dialog")).to_be_hidden()
    await expect(wire.locator(".stamp-time")).to_have_text(corrected.strftime("%H:%M:%S"))
    case = (await http.get(f"{API}/cases/{case_id}", headers=cathlab)).json()
    wires = [e for e in case["timeline"] if e["milestone"] == "wire_crossing"]
    assert 2 == len(wires)
    old, new = sorted(wires, key=lambda e: e["id"])
    assert (new["id"], old["id"]) == (old["superseded_by"], new["supersedes"])
    assert "按导管室记录单更正" == new["reason"]


async def test_another_hospitals_team_records_nothing_on_the_pad(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """The city hospital's cath lab on the county's pad: told so, no case listed; its stamp at
    the county is refused by the write scope."""
    case_id = await coming_to_the_county(http)
    pad = await pages.new(f"/cathlab/{CATHLAB}/pad", width=1280, height=800)
    await sign_in(pad, "cathlab-city-hospital")
    await expect(pad.locator("#pad-notice")).to_be_visible()
    await expect(pad.locator("#no-cases")).to_be_visible()
    await expect(pad.locator(f".case-pick[data-case-id='{case_id}']")).to_have_count(0)
    stranger = await token(http, "cathlab-city-hospital")
    refused = await http.post(
        f"{API}/cases/{case_id}/events",
        json={
            "milestone": "facility_arrival",
            "at": "2026-01-01T08:00:00+08:00",
            "facility_id": CATHLAB,
        },
        headers={**stranger, "Idempotency-Key": "pad-stranger-1"},
    )
    assert 403 == refused.status_code, refused.text


async def missed_door_to_wire_at_the_county(http: httpx.AsyncClient) -> int:
    """A case coming to the county whose paper times the data manager entered: FMC -> first
    ECG 5 min (met), door -> wire 100 min (missed)."""
    case_id = await coming_to_the_county(http)
    manager = await token(http, "data-manager")
    now = datetime.now(UTC)
    for milestone, minutes_ago, facility in (
        ("first_medical_contact", 110, None),
        ("first_ecg", 105, None),
        ("facility_arrival", 102, CATHLAB),
        ("wire_crossing", 2, CATHLAB),
    ):
        body = {"milestone": milestone, "at": (now - timedelta(minutes=minutes_ago)).isoformat()}
        stamped = await http.post(
            f"{API}/cases/{case_id}/events",
            json={**body, **({"facility_id": facility} if facility else {})},
            headers={**manager, "Idempotency-Key": f"pad-delay-{case_id}-{milestone}"},
        )
        assert 201 == stamped.status_code, stamped.text
    return case_id


async def test_a_missed_door_to_wire_takes_its_delay_reason_on_the_pad(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Issue 14: the pad says the missed door-to-wire has no reason yet; the cath lab picks
    one from the coded list with a note (the pad's refresh does not interrupt the typing), and
    it is there after a reload; the met FMC -> ECG offers no form."""
    case_id = await missed_door_to_wire_at_the_county(http)
    pad = await pages.new(f"/cathlab/{CATHLAB}/pad", width=1280, height=900)
    await sign_in(pad, f"cathlab-{CATHLAB}")
    await pad.locator(f".case-pick[data-case-id='{case_id}']").click()
    d2w = pad.locator("#intervals li[data-interval=door_to_wire]")
    await expect(d2w).to_have_class("missed")
    reason = d2w.locator(".delay-reason")
    await expect(reason).to_have_attribute("data-code", "none")
    await expect(reason.locator(".delay-missing")).to_have_text("尚未填写")
    ecg = pad.locator("#intervals li[data-interval=fmc_to_first_ecg]")
    await expect(ecg).to_have_class("met")
    await expect(ecg.locator(".delay-reason, form")).to_have_count(0)

    await reason.locator("button.delay-edit").click()
    form = reason.locator("form.delay-form")
    await expect(form).to_be_visible()
    labels = await form.locator("select[name=code] option").all_inner_texts()
    assert {"导管室占用", "转运延误", "其他"} <= set(labels)  # the server's coded list
    await form.locator("select[name=code]").select_option("cathlab_busy")
    note = form.locator("input[name=note]")
    await note.fill("导管室正在做另一台")
    typed_in = await note.element_handle()
    # the pad reads the case again every 10 s and redraws it: the form, what was typed and
    # the focus survive, so typing goes on where it was
    await pad.wait_for_function("field => !field.isConnected", arg=typed_in, timeout=15_000)
    await pad.keyboard.type("手术")
    await expect(note).to_have_value("导管室正在做另一台手术")
    await expect(form.locator("select[name=code]")).to_have_value("cathlab_busy")
    await form.locator("button[type=submit]").click()
    await expect(reason).to_have_attribute("data-code", "cathlab_busy")
    await expect(reason.locator(".delay-given")).to_have_text("导管室占用 · 导管室正在做另一台手术")
    await expect(form).to_be_hidden()

    await pad.reload()
    await pad.locator(f".case-pick[data-case-id='{case_id}']").click()
    again = pad.locator("#intervals li[data-interval=door_to_wire] .delay-reason")
    await expect(again).to_have_attribute("data-code", "cathlab_busy")
    await expect(again.locator(".delay-given")).to_contain_text("导管室正在做另一台手术")
    await expect(again.locator("button.delay-edit")).to_have_text("修改")
    case = (await http.get(f"{API}/cases/{case_id}", headers=await token(http, "auditor"))).json()
    given = next(i for i in case["intervals"] if i["name"] == "door_to_wire")["delay_reason"]
    assert ("cathlab_busy", "导管室正在做另一台手术", f"cathlab-{CATHLAB}") == (
        given["code"],
        given["note"],
        given["recorded_by"],
    )

"""The county ECG centre's reading page (/ecg, issue 16): the queue oldest first, a new tracing
appearing without a reload, one press per finding (the diagnosis stamped on the case), a
second reading asking for a reason; in Chinese and in English."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, TOWNSHIP, open_case, open_field_case, sign_in, token

READER = "ecg-reader"


def tracing(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 200), (255, shade % 256, shade % 256)).save(buffer, format="PNG")
    return buffer.getvalue()


async def sent_tracing(http: httpx.AsyncClient, complaint: str, shade: int) -> tuple[int, int]:
    """A township case and its tracing sent for reading: (case id, ECG id)."""
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, complaint)
    sent = await http.post(
        f"{API}/ecgs",
        data={"case_id": str(case_id)},
        files={"file": ("ecg.png", tracing(shade), "image/png")},
        headers=township,
    )
    assert 201 == sent.status_code, sent.text
    return case_id, int(sent.json()["id"])


async def test_a_reader_reads_the_queue_and_corrects_with_a_reason(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    case_id, ecg_id = await sent_tracing(http, "心电判读测试", 10)
    page = await pages.new("/ecg")
    await sign_in(page, READER)
    item = page.locator(f"#queue button[data-ecg-id='{ecg_id}']")
    await expect(item).to_contain_text("已等待")
    await item.click()
    await expect(page.locator("#reading-title")).to_contain_text(f"病例 #{case_id}")
    await expect(page.locator("#reading-facts")).to_contain_text("心电判读测试")
    await expect(page.locator("#tracing img")).to_be_visible()

    # a tracing sent while the page is open appears without a reload (the readers' stream)
    _, second = await sent_tracing(http, "第二份", 20)
    await expect(page.locator(f"#queue button[data-ecg-id='{second}']")).to_be_visible()

    await page.locator("#reading-text").fill("V1-V4 ST段抬高")
    await page.locator(".finding[data-finding='stemi']").click()
    await expect(item).to_have_count(0)
    recent = page.locator(f"#recent button[data-ecg-id='{ecg_id}']")
    await expect(recent).to_contain_text("STEMI")
    township = await token(http, f"township-{TOWNSHIP}")
    case = (await http.get(f"{API}/cases/{case_id}", headers=township)).json()
    assert [READER] == [e["recorded_by"] for e in case["timeline"] if e["milestone"] == "diagnosis"]

    await recent.click()
    await expect(page.locator("#reading-current")).to_contain_text("STEMI")
    await page.locator(".finding[data-finding='no_stemi']").click()
    await expect(page.locator("#reading-error")).to_contain_text("更正原因")
    await page.locator("#reading-reason").fill("重新核对导联")
    await page.locator(".finding[data-finding='no_stemi']").click()
    await expect(page.locator("#reading-current")).to_contain_text("非STEMI")
    ecg = (await http.get(f"{API}/ecgs/{ecg_id}", headers=township)).json()
    assert (["stemi", "no_stemi"], "重新核对导联") == (
        [r["finding"] for r in ecg["readings"]],
        ecg["reading"]["reason"],
    )


async def test_the_reading_page_in_english_and_read_only_for_an_auditor(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    _, ecg_id = await sent_tracing(http, "english check", 30)
    page = await pages.new("/ecg")
    await sign_in(page, "auditor")
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page).to_have_title(re.compile("ECG centre"))
    item = page.locator(f"#queue button[data-ecg-id='{ecg_id}']")
    await expect(item).to_contain_text("waiting")
    await item.click()
    await expect(page.locator("#reading-title")).to_contain_text(f"ECG #{ecg_id}")
    await expect(page.locator("#reading-form")).to_be_hidden()


async def test_a_township_sends_its_ecg_for_reading_and_alerts_in_one_step_on_stemi(
    pages: Pages, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """From the field app: the ECG taken, one press sends it for reading; the reader (page
    open, never reloaded) sees it arrive and reads STEMI; the field app shows the reading at
    once, its decision panel leaves "awaiting the diagnosis", and its one-step button sends
    the alert to the cath lab with that ECG attached."""
    reader = await pages.new("/ecg")
    await sign_in(reader, READER)
    await expect(reader.locator("body")).to_have_attribute("data-live", "live")
    field = await pages.new("/field")
    await sign_in(field, f"township-{TOWNSHIP}")
    case_id = await open_field_case(field, "远程心电判读")
    picture = tmp_path / "ecg-photo.png"
    picture.write_bytes(tracing(40))
    await field.locator("#ecg-file").set_input_files(picture)
    await field.locator("#ecg-list .ecg-read-send").click()
    sent = field.locator("#ecg-readings li")
    await expect(sent).to_have_attribute("data-status", "awaiting_reading")
    ecg_id = int(await sent.get_attribute("data-ecg-id") or 0)
    recommendation = field.locator("#decision .recommendation")
    await expect(recommendation).to_have_attribute("data-recommendation", "awaiting_diagnosis")

    item = reader.locator(f"#queue button[data-ecg-id='{ecg_id}']")
    await item.click()
    await expect(reader.locator("#reading-facts")).to_contain_text("远程心电判读")
    await reader.locator(".finding[data-finding='stemi']").click()

    await expect(sent).to_have_attribute("data-status", "read")
    await expect(sent).to_contain_text("STEMI")
    # the reading stamped the diagnosis: the decision panel leaves "awaiting the diagnosis"
    # without a press of its refresh button
    await expect(recommendation).not_to_have_attribute("data-recommendation", "awaiting_diagnosis")
    await sent.locator(".ecg-alert").click()
    township = await token(http, f"township-{TOWNSHIP}")
    ecg = (await http.get(f"{API}/ecgs/{ecg_id}", headers=township)).json()

    async def alerts_with_the_ecg() -> list[dict[str, object]]:
        found = await http.get(f"{API}/alerts", params={"case_id": case_id}, headers=township)
        return [a for a in found.json() if ecg["attachment_id"] in a["attachment_ids"]]

    await expect(field.locator("#answer")).to_have_attribute("data-alert-id", re.compile(r"\d+"))
    assert 1 == len(await alerts_with_the_ecg())

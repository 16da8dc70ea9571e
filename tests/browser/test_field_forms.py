"""Every form on the field app belongs to its case: what was typed for one patient never
appears on (or is sent for) another."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, NANDUN_VILLAGE, TOWNSHIP, open_case, sign_in, token


async def township_page(pages: Pages) -> Page:
    page = await pages.new("/field", width=1280, height=800)
    await sign_in(page, f"township-{TOWNSHIP}")
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    return page


async def pick_case(page: Page, case_id: int) -> None:
    """Back to the case list, then open the case (the page is never reloaded)."""
    if await page.locator("#case").is_visible():
        await page.locator("#switch-case").click()
    await page.locator(f".case-item[data-case-id='{case_id}']").click()
    await expect(page.locator("#case-title")).to_contain_text(f"#{case_id}")


async def test_the_alert_form_of_one_case_never_carries_over_to_another(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Vitals and summary typed for case A: case B's form is empty of them (its own summary);
    back on A they are A's again; an alert sent for B carries none of A's vitals."""
    township = await token(http, f"township-{TOWNSHIP}")
    tag = uuid.uuid4().hex[:6]
    first = await open_case(http, township, f"A患者 {tag}")
    second = await open_case(http, township, f"B患者 {tag}")
    page = await township_page(pages)

    await pick_case(page, first)
    form = page.locator("#alert-form")
    await form.locator("input[name=hr]").fill("62")
    await form.locator("input[name=bp]").fill("100/60")
    await form.locator("input[name=spo2]").fill("91")
    await form.locator("#alert-summary").fill(f"A的摘要 {tag}")

    await pick_case(page, second)
    await expect(form.locator("input[name=hr]")).to_have_value("")
    await expect(form.locator("input[name=bp]")).to_have_value("")
    await expect(form.locator("input[name=spo2]")).to_have_value("")
    await expect(form.locator("#alert-summary")).to_have_value(re.compile(f"B患者 {tag}"))
    await form.locator("input[name=hr]").fill("88")
    await page.locator("#alert-send").click()
    await expect(page.locator("#sent-alerts li")).to_have_count(1, timeout=10_000)

    await pick_case(page, first)
    await expect(form.locator("input[name=hr]")).to_have_value("62")
    await expect(form.locator("input[name=bp]")).to_have_value("100/60")
    await expect(form.locator("#alert-summary")).to_have_value(f"A的摘要 {tag}")

    sent = await http.get(f"{API}/alerts", params={"case_id": second}, headers=township)
    assert 200 == sent.status_code, sent.text
    assert [{"hr": 88}] == [a["vitals"] for a in sent.json()]


async def test_the_late_presentation_findings_reach_the_case(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Issue 14: ticking 'ongoing ischaemia' on a STEMI case's findings records it on the case
    (the decision's late-presentation rule reads it); 'arrhythmia', unticked, is recorded False."""
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, f"晚就诊 {uuid.uuid4().hex[:6]}")
    page = await township_page(pages)
    await pick_case(page, case_id)
    box = page.locator("#findings input[name=ongoing_ischaemia]")
    async with page.expect_response(
        lambda r: r.request.method == "PATCH" and r.url.endswith(f"/cases/{case_id}")
    ) as patched:
        await box.check()
    assert 200 == (await patched.value).status
    answer = await http.get(f"{API}/cases/{case_id}", headers=township)
    findings = answer.json()["findings"]
    assert (True, False) == (findings["ongoing_ischaemia"], findings["arrhythmia"])


async def test_the_stroke_form_records_the_last_known_well_time(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Issue 13, item 8: the field app's stroke findings ask the last-known-well time; typed,
    it reaches the case and the decision no longer says it is unknown."""
    township = await token(http, f"township-{TOWNSHIP}")
    opened = await http.post(
        f"{API}/cases",
        json={"pathway": "stroke", "location": NANDUN_VILLAGE, "complaint": "左侧肢体无力"},
        headers=township,
    )
    assert 201 == opened.status_code, opened.text
    case_id = int(opened.json()["id"])
    page = await township_page(pages)
    await pick_case(page, case_id)
    typed = await page.evaluate(
        """() => { const d = new Date(Date.now() - 3 * 3600e3); const p = (n) => String(n)
          .padStart(2, '0'); return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
          + `T${p(d.getHours())}:${p(d.getMinutes())}`; }"""
    )
    expected = await page.evaluate("(v) => new Date(v).toISOString()", typed)
    field = page.locator("#findings input[name=last_known_well_at]")
    async with page.expect_response(
        lambda r: r.request.method == "PATCH" and r.url.endswith(f"/cases/{case_id}")
    ) as patched:
        await field.fill(typed)
        await field.blur()
    assert 200 == (await patched.value).status
    case = (await http.get(f"{API}/cases/{case_id}", headers=township)).json()
    stored = datetime.fromisoformat(case["findings"]["last_known_well_at"])
    assert datetime.fromisoformat(expected.replace("Z", "+00:00")) == stored
    decision = (await http.get(f"{API}/cases/{case_id}/decision", headers=township)).json()
    assert "lkw_missing" not in [r["code"] for r in decision["result"]["reasons"]]

"""The call form at 1366x768 (issue 13, item 8): the caller's phone, the patient's name and ID
number and the address, checked before anything is sent; the stroke pathway asks the
last-known-well time and the decision counts from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, sign_in, token

VILLAGE_ID = "v-0052"  # 吴庄村, 南顿镇 (synthetic demo village)
ID_NUMBER = "999999198001011233"  # synthetic: no such area code; a correct check digit
PHONE = "138-0000-0000"


async def test_the_call_form_checks_and_sends_the_caller_and_the_patient(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """A bad phone, then a bad check digit, are said under the fields and nothing is opened;
    corrected, the stroke case carries them all and its last-known-well time."""
    dispatcher = await token(http, "dispatcher")
    before = (await http.get(f"{API}/cases", params={"limit": 1}, headers=dispatcher)).headers
    page = await pages.new("/console", width=1366, height=768)
    await sign_in(page, "dispatcher")
    await page.locator("#place-search").fill("吴庄")
    await page.locator(f"#place-results button[data-place-id='{VILLAGE_ID}']").click()
    await expect(page.locator("#lkw-field")).to_be_hidden()
    await page.locator("label.pathway-choice", has_text="卒中").click()
    await expect(page.locator("#lkw-field")).to_be_visible()
    well = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=2)
    await page.locator("#lkw").fill(well.strftime("%Y-%m-%dT%H:%M"))
    await page.locator("#patient-name").fill("演示患者乙")
    await page.locator("#address").fill("吴庄村村委会西侧（演示）")
    await page.locator("#caller-phone").fill("138-abc")
    await page.locator("#patient-id").fill("999999198001011234")
    dispatch = page.locator("#recommendations li.best button.dispatch")

    await dispatch.click()
    await expect(page.locator("#identity-error")).to_contain_text("来电号码只能包含数字")
    await page.locator("#caller-phone").fill(PHONE)
    await dispatch.click()
    await expect(page.locator("#identity-error")).to_contain_text("校验位不符")
    after = (await http.get(f"{API}/cases", params={"limit": 1}, headers=dispatcher)).headers
    assert before["X-Total-Count"] == after["X-Total-Count"]  # nothing was opened

    await page.locator("#patient-id").fill(ID_NUMBER)
    await dispatch.click()
    await expect(page.locator("#call-location")).to_contain_text("尚未选择位置")
    newest = (await http.get(f"{API}/cases", params={"limit": 1}, headers=dispatcher)).json()[0]
    case = (await http.get(f"{API}/cases/{newest['id']}", headers=dispatcher)).json()
    assert (PHONE, "吴庄村村委会西侧（演示）", "演示患者乙", ID_NUMBER, "stroke") == (
        case["caller_phone"],
        case["address"],
        case["patient"]["name"],
        case["patient"]["id_number"],
        case["pathway"],
    )
    decision = (await http.get(f"{API}/cases/{case['id']}/decision", headers=dispatcher)).json()
    assert 2.0 == pytest.approx(decision["result"]["hours_since_last_known_well"], abs=0.05)
    assert "lkw_missing" not in [r["code"] for r in decision["result"]["reasons"]]

    row = page.locator(f"#cases-body tr[data-case-id='{case['id']}']")
    await row.locator("button.case-actions").click()
    await expect(page.locator("#action-contact")).to_contain_text(PHONE)
    await page.locator("#action-dialog button.status-button[data-status='available']").click()
    await expect(page.locator("#action-dialog")).to_be_hidden()  # the ambulance is free again

"""After the county cath lab was activated (issue 13, item 7), a changed recommendation is a
visible warning on the console at 1366x768, not a swap; the dispatcher changes it deliberately."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, CATHLAB, TOWNSHIP, open_case, send_alert, sign_in, token

COUNTY = "项城市人民医院"
CITY = "周口市区域医疗中心"


async def test_a_changed_recommendation_after_activation_warns_and_changes_only_on_request(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Activated at the county, whose cath lab then goes offline: the row keeps the county and
    warns of the city; "send to" the city transfers the case and the warning goes."""
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, "胸痛1小时，ST抬高")
    diagnosis = await http.post(
        f"{API}/cases/{case_id}/events",
        json={"milestone": "diagnosis", "at": datetime.now(UTC).isoformat()},
        headers={**township, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert 201 == diagnosis.status_code, diagnosis.text
    alert = await send_alert(http, township, case_id, f"浏览器测试 {uuid.uuid4().hex[:6]}")
    cathlab = await token(http, f"cathlab-{CATHLAB}")
    answer = await http.post(
        f"{API}/alerts/{alert['id']}/ack", json={"action": "activated"}, headers=cathlab
    )
    assert 200 == answer.status_code, answer.text

    page = await pages.new("/console", width=1366, height=768)
    await sign_in(page, "dispatcher")
    destination = page.locator(f"#cases-body tr[data-case-id='{case_id}'] td.destination")
    await expect(destination).to_contain_text(COUNTY)
    await expect(destination.locator(".recommendation-warning")).to_have_count(0)
    try:
        offline = await http.patch(
            f"{API}/facilities/{CATHLAB}", json={"status": "offline"}, headers=cathlab
        )
        assert 200 == offline.status_code, offline.text
        warning = destination.locator(".recommendation-warning")
        await expect(warning).to_contain_text(CITY, timeout=20_000)
        await expect(warning).to_have_attribute("data-recommended", "city-hospital")
        await expect(destination).to_contain_text(COUNTY)  # kept, not swapped

        await warning.locator("button.change-destination").click()
        await page.locator("#action-transfer").click()
        await expect(destination.locator(".recommendation-warning")).to_have_count(0)
        await expect(destination).to_contain_text(CITY)
    finally:
        ready = await http.patch(
            f"{API}/facilities/{CATHLAB}", json={"status": "ready"}, headers=cathlab
        )
        assert 200 == ready.status_code, ready.text
    dispatcher = await token(http, "dispatcher")
    case = (await http.get(f"{API}/cases/{case_id}", headers=dispatcher)).json()
    assert ("city-hospital", "transfer") == (
        case["destination_facility_id"],
        case["history"][-1]["action"],
    )

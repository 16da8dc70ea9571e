"""Drills in the browser (issue 16): the township's field page shows "演练开始 / Drill started" and
opens the drill case when the county starts one; the county schedules, starts and ends drills on
the reports page and downloads the unit's quality-control report, in Chinese and English."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, TOWNSHIP, sign_in, token

REFUSED = re.compile(r"status of 404")  # the reports page's default period may hold no case
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_township_sees_the_drill_start_and_its_case_open(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """An unannounced drill: the banner says so at once and the drill case is the one open."""
    field = await pages.new("/field")
    await sign_in(field, f"township-{TOWNSHIP}")
    await expect(field.locator("body")).to_have_attribute("data-live", "live")
    county = await token(http, "dispatcher")
    started = await http.post(
        f"{API}/drills", json={"facility_id": TOWNSHIP, "unannounced": True}, headers=county
    )
    assert 201 == started.status_code, started.text
    case_id = started.json()["case_id"]
    banner = field.locator("#drill-banner")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("演练开始")
    await expect(banner).to_contain_text(f"#{case_id}")
    await expect(field.locator("#case-title")).to_contain_text(f"#{case_id}")
    await field.locator("#lang-switch").click()
    await expect(banner).to_contain_text("Drill started")
    ended = await http.post(f"{API}/drills/{started.json()['id']}/end", headers=county)
    assert 200 == ended.status_code, ended.text
    await expect(banner).to_contain_text("Drill ended")
    await expect(banner).to_have_attribute("data-state", "ended")


async def test_the_county_schedules_starts_and_ends_a_drill_on_the_reports_page(
    pages: Pages,
) -> None:
    """Schedule for tomorrow (listed as scheduled), start it from the list, end it: scored;
    then the QC report downloads as Excel."""
    pages.allow(REFUSED)
    page = await pages.new("/reports")
    await sign_in(page, "dispatcher")
    await page.locator("#drill-unit").select_option(TOWNSHIP)
    when = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).replace(second=0)
    await page.locator("#drill-when").fill(f"{when:%Y-%m-%dT%H:%M}")
    async with page.expect_response(
        lambda r: r.url.endswith("/drills") and r.request.method == "POST"
    ) as answered:
        await page.locator("#drill-schedule").click()
    drill_id = (await (await answered.value).json())["id"]
    row = page.locator(f"#drills-body tr[data-drill-id='{drill_id}']")
    await expect(row).to_have_attribute("data-status", "scheduled")
    await expect(row.locator(".drill-status")).to_have_text("已安排")
    await row.locator(".drill-start").click()
    await expect(row).to_have_attribute("data-status", "started")
    await row.locator(".drill-end").click()
    await expect(row).to_have_attribute("data-status", "ended")
    await expect(row.locator(".drill-score")).to_have_text(re.compile(r"^\d+/\d+$"))
    await page.locator("#lang-switch").click()
    await expect(row.locator(".drill-status")).to_have_text("ended")
    await expect(page.locator("#drill-now")).to_have_text("Start now (unannounced)")
    async with (
        page.expect_response(lambda r: "/qc/units/" in r.url) as qc,
        page.expect_download() as downloaded,
    ):
        await page.locator("#qc-xlsx").click()
    assert (200, XLSX) == ((await qc.value).status, (await qc.value).headers["content-type"])
    assert (await downloaded.value).suggested_filename.endswith("-en.xlsx")


async def test_a_unit_sees_its_own_drills_without_the_county_controls(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    pages.allow(REFUSED)
    county = await token(http, "admin")
    started = await http.post(
        f"{API}/drills", json={"facility_id": TOWNSHIP, "unannounced": True}, headers=county
    )
    assert 201 == started.status_code, started.text
    page = await pages.new("/reports")
    await sign_in(page, f"township-{TOWNSHIP}")
    row = page.locator(f"#drills-body tr[data-drill-id='{started.json()['id']}']")
    await expect(row).to_have_attribute("data-status", "started")
    await expect(page.locator("#drill-unit")).to_be_disabled()
    await expect(page.locator("#drill-form")).to_be_hidden()
    await expect(row.locator("button")).to_have_count(0)

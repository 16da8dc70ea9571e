"""The time-audit reports page (/reports): the metrics against their targets for cases seeded in
two past months, a case's timeline, the downloads, and a township user's own-facility scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, NANDUN_VILLAGE, TOWNSHIP, sign_in, token
from tests.browser.server import WebServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# County cases (by ambulance to the county cath lab): (month 0|1, day, FMC → ECG, door → wire).
COUNTY_CASES = [(0, 10, 6, 70), (0, 20, 12, 100), (1, 10, 8, 60), (1, 20, 15, 95)]
TOWNSHIP_ECG_MINUTES = 5  # the township walk-in's FMC → first ECG


@dataclass(frozen=True)
class Seeded:
    """Cases stamped in two past months (nothing else falls in them): the period and the ids."""

    start: date
    end: date
    county_ids: list[int]
    township_id: int

    @property
    def query(self) -> str:
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def past_months(today: date) -> tuple[date, date]:
    """The first day of the month before last, and the last day of last month."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    before = (last_month_end.replace(day=1) - timedelta(days=1)).replace(day=1)
    return before, last_month_end


async def stamp(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: int,
    milestones: list[tuple[str, datetime, str | None]],
) -> None:
    """POST each time stamp (with its own Idempotency-Key)."""
    for milestone, at, facility in milestones:
        body = {"milestone": milestone, "at": at.isoformat()}
        if facility is not None:
            body["facility_id"] = facility
        response = await http.post(
            f"{API}/cases/{case_id}/events",
            json=body,
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert 201 == response.status_code, response.text


async def new_case(http: httpx.AsyncClient, headers: dict[str, str], called: datetime) -> int:
    """A STEMI case at the Nandun village, called in at ``called``."""
    response = await http.post(
        f"{API}/cases",
        json={"pathway": "stemi", "location": NANDUN_VILLAGE, "call_received": called.isoformat()},
        headers=headers,
    )
    assert 201 == response.status_code, response.text
    return int(response.json()["id"])


async def close(http: httpx.AsyncClient, headers: dict[str, str], case_id: int) -> None:
    """Close the case (so it leaves the dispatchers' active list)."""
    response = await http.patch(
        f"{API}/cases/{case_id}", json={"status": "closed"}, headers=headers
    )
    assert 200 == response.status_code, response.text


@pytest.fixture(scope="module")
async def seeded(server: WebServer) -> Seeded:
    """Four county cases and one township walk-in, stamped in the two months before this one."""
    start, end = past_months(datetime.now(SHANGHAI).date())
    months = [start, end.replace(day=1)]
    async with httpx.AsyncClient(base_url=server.url, timeout=15) as http:
        dispatcher = await token(http, "dispatcher")
        manager = await token(http, "data-manager")  # enters the past months' records
        county_ids = []
        for month, day, ecg, wire in COUNTY_CASES:
            called = datetime.combine(months[month].replace(day=day), datetime.min.time(), SHANGHAI)
            called += timedelta(hours=10)
            case_id = await new_case(http, dispatcher, called)
            fmc, door = called + timedelta(minutes=10), called + timedelta(minutes=40)
            sent = await http.post(
                f"{API}/cases/{case_id}/transfer",
                json={"facility_id": "county-hospital"},
                headers=dispatcher,
            )
            assert 200 == sent.status_code, sent.text
            await stamp(http, manager, case_id, [
                ("first_medical_contact", fmc, None),
                ("first_ecg", fmc + timedelta(minutes=ecg), None),
                ("diagnosis", fmc + timedelta(minutes=ecg + 5), None),
                ("facility_arrival", door, "county-hospital"),
                ("arterial_puncture", door + timedelta(minutes=wire - 8), "county-hospital"),
                ("wire_crossing", door + timedelta(minutes=wire), "county-hospital"),
            ])  # fmt: skip
            await close(http, dispatcher, case_id)
            county_ids.append(case_id)
        township = await token(http, f"township-{TOWNSHIP}")
        walk_in = datetime.combine(months[1].replace(day=15), datetime.min.time(), SHANGHAI)
        walk_in += timedelta(hours=9)
        township_id = await new_case(http, township, walk_in)
        await stamp(http, township, township_id, [
            ("facility_arrival", walk_in, TOWNSHIP),
            ("first_medical_contact", walk_in, None),
            ("first_ecg", walk_in + timedelta(minutes=TOWNSHIP_ECG_MINUTES), None),
            ("diagnosis", walk_in + timedelta(minutes=12), None),
            ("facility_departure", walk_in + timedelta(minutes=40), TOWNSHIP),
        ])  # fmt: skip
        await close(http, township, township_id)
    return Seeded(start, end, county_ids, township_id)


async def reports(pages: Pages, seeded: Seeded, username: str, extra: str = "") -> Page:
    """The reports page for the seeded period, signed in, its metrics shown."""
    page = await pages.new(f"/reports?{seeded.query}{extra}", width=1500, height=1300)
    await sign_in(page, username)
    await expect(page.locator("#metrics-table tr.metric").first).to_be_visible()
    return page


async def test_metrics_table_shows_figures_against_targets(
    pages: Pages, seeded: Seeded, screenshots: Path
) -> None:
    """The auditor sees n, mean, median, P90 and compliance per metric, misses highlighted."""
    page = await reports(pages, seeded, "auditor", "&pathway=stemi")
    await expect(page.locator("#summary")).to_contain_text("病例 5 例")
    ecg = page.locator("#metrics-table tr[data-metric='stemi:fmc_to_first_ecg']")
    # FMC → first ECG: 6, 12, 8, 15 (county) and 5 (township); target ≤ 10, mean < 10, ≥ 75 %.
    assert ["5", "9.2", "8.0", "13.8", "60.0% (3/5)"] == (
        await ecg.locator("td.num").all_inner_texts()
    )[:5]
    await expect(ecg).to_have_attribute("data-verdict", "missed")
    await expect(ecg.locator("td.verdict")).to_have_text("未达标")
    wire = page.locator("#metrics-table tr[data-metric='stemi:door_to_wire']")
    # Door → wire: 70, 100, 60, 95; target ≤ 90, mean < 90, ≥ 75 %.
    assert ["4", "81.3", "82.5", "98.5", "50.0% (2/4)"] == (
        await wire.locator("td.num").all_inner_texts()
    )[:5]
    await expect(wire.locator("td.bad")).to_have_text("50.0% (2/4)")

    await wire.locator("th button").click()
    await expect(page.locator("#trend-title")).to_contain_text("PCI医院入门至导丝通过")
    await expect(page.locator("#trend-chart svg circle.line-mean")).to_have_count(2)
    await expect(
        page.locator("#facility-body tr[data-facility-id='county-hospital']")
    ).to_be_visible()
    case_rows = page.locator("#cases-body tr")
    await expect(case_rows).to_have_count(5)
    expected_ids = sorted([*seeded.county_ids, seeded.township_id])
    actual_ids = sorted(
        [int(await row.get_attribute("data-case-id") or 0) for row in await case_rows.all()]
    )
    assert expected_ids == actual_ids

    worst = seeded.county_ids[1]  # door → wire 100 min
    await page.locator(f"#cases-body tr[data-case-id='{worst}'] button.timeline-button").click()
    image = page.locator("#timeline-img")
    await expect(image).to_be_visible()
    assert "blob:" == (await image.get_attribute("src") or "")[:5]
    assert 0 < await image.evaluate("img => img.naturalWidth")
    await page.locator("#timeline-close").click()
    await expect(image).to_be_hidden()
    await page.screenshot(path=screenshots / "reports.png", full_page=True)


async def test_all_chest_pain_has_its_own_row(pages: Pages, seeded: Seeded) -> None:
    """The report of every pathway shows FMC -> first ECG over all chest pain as a group of its
    own (the seeded cases are all STEMI: the STEMI row's figures)."""
    page = await reports(pages, seeded, "auditor")
    group = page.locator("#metrics-table tbody[data-pathway='all_chest_pain']")
    await expect(group.locator("tr.group")).to_have_text("全部胸痛患者（STEMI与未分型胸痛合并）")
    row = group.locator("tr[data-metric='all_chest_pain:fmc_to_first_ecg']")
    await expect(row.locator("th")).to_have_text("首次医疗接触至首份心电图（全部胸痛患者）")
    assert ["5", "9.2", "8.0", "13.8", "60.0% (3/5)"] == (
        await row.locator("td.num").all_inner_texts()
    )[:5]
    await expect(row).to_have_attribute("data-verdict", "missed")


async def test_downloads_are_fetched_with_the_token(pages: Pages, seeded: Seeded) -> None:
    """The Excel and per-case CSV downloads arrive as real files of the seeded cases, each
    named for what it holds and its days (the last one included)."""
    page = await reports(pages, seeded, "auditor")
    await expect(page.locator("button[data-download]")).to_have_count(4)

    async with (
        page.expect_response(lambda r: "format=xlsx" in r.url) as answered,
        page.expect_download() as downloaded,
    ):
        await page.locator("button[data-download=xlsx]").click()
    response = await answered.value
    assert (200, XLSX) == (response.status, response.headers["content-type"])
    excel = await downloaded.value
    period = f"{seeded.start.isoformat()}_{seeded.end.isoformat()}"  # the last day included
    assert f"infofirst-intervals-all-{period}.xlsx" == excel.suggested_filename
    excel_path = await excel.path()
    assert b"PK\x03\x04" == excel_path.read_bytes()[:4]

    async with page.expect_download() as downloaded:
        await page.locator("button[data-download=cases]").click()
    table = await downloaded.value
    assert f"infofirst-intervals-cases-all-{period}.csv" == table.suggested_filename
    text = (await table.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeff病例编号")
    listed = {int(line.split(",", 1)[0]) for line in text.splitlines()[1:] if line}
    assert {*seeded.county_ids, seeded.township_id} == listed


async def test_township_user_reads_only_its_own_facility(pages: Pages, seeded: Seeded) -> None:
    """A township unit's report is fixed to its facility and lists only its own case."""
    page = await reports(pages, seeded, f"township-{TOWNSHIP}")
    await expect(page.locator("#facility")).to_be_disabled()
    await expect(page.locator("#facility")).to_have_value(TOWNSHIP)
    await expect(page.locator("#scope-note")).to_be_visible()
    rows = page.locator("#cases-body tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-case-id", str(seeded.township_id))
    ecg = page.locator("#metrics-table tr[data-metric='stemi:fmc_to_first_ecg']")
    assert ["1", "5.0"] == (await ecg.locator("td.num").all_inner_texts())[:2]


async def test_missed_targets_by_delay_reason_and_the_month_on_month_trend(
    pages: Pages, seeded: Seeded, server: WebServer
) -> None:
    """Issue 14: the data manager gives the 100-minute door-to-wire its reason (cath lab busy);
    the page lists the period's misses by reason (the 95-minute one still without) and says the
    door-to-wire mean fell month on month (85 -> 77.5: better)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=15) as http:
        manager = await token(http, "data-manager")
        given = await http.put(
            f"{API}/cases/{seeded.county_ids[1]}/delay-reasons/door_to_wire",
            json={"code": "cathlab_busy", "note": "the lab had a patient on the table"},
            headers=manager,
        )
        assert 200 == given.status_code, given.text
    page = await reports(pages, seeded, "auditor", "&pathway=stemi")
    busy = page.locator("#delays-body tr[data-code='cathlab_busy']")
    await expect(busy).to_contain_text("PCI医院入门至导丝通过")
    await expect(busy).to_contain_text("导管室占用")
    await expect(busy.locator("td.num")).to_have_text("1")
    await expect(page.locator("#delays-body tr[data-code='none']").first).to_be_visible()
    wire = page.locator("#metrics-table tr[data-metric='stemi:door_to_wire']")
    await wire.locator("th button").click()
    await expect(page.locator("#trend-note")).to_contain_text("均值 -7.5 分钟，改善")


async def delay_count(page: Page, metric: str, code: str) -> int:
    """The count of the metric's misses with this reason in #delays-body (0 if no row)."""
    row = page.locator(f"#delays-body tr[data-metric='{metric}'][data-code='{code}']")
    if await row.count() == 0:
        return 0
    return int(await row.locator("td.num").inner_text())


async def test_a_reason_given_in_the_case_list_moves_the_miss_in_the_counts(
    pages: Pages, seeded: Seeded
) -> None:
    """Issue 14: in the cases outside target, the 95-minute door-to-wire says "no reason yet";
    the data manager gives it "transport" in place, and the counts by reason move it from
    "none" to "transport" without reloading the report. The auditor sees reasons, no form."""
    page = await reports(pages, seeded, "data-manager", "&pathway=stemi")
    await page.locator("#cases-outside").check()
    late = seeded.county_ids[3]  # door -> wire 95 min, no reason given by the other tests
    reason = page.locator(
        f"#cases-body tr[data-case-id='{late}'] .outside-item[data-interval=door_to_wire]"
        " .delay-reason"
    )
    await expect(reason).to_have_attribute("data-code", "none")
    await expect(reason.locator(".delay-missing")).to_be_visible()
    metric = "stemi:door_to_wire"
    none_before = await delay_count(page, metric, "none")
    assert none_before >= 1
    assert 0 == await delay_count(page, metric, "transport")

    await reason.locator("button.delay-edit").click()
    await reason.locator("select[name=code]").select_option("transport")
    await reason.locator("input[name=note]").fill("救护车绕行")
    await reason.locator("button[type=submit]").click()
    await expect(reason).to_have_attribute("data-code", "transport")
    await expect(reason.locator(".delay-given")).to_have_text("转运延误 · 救护车绕行")
    transport = page.locator(f"#delays-body tr[data-metric='{metric}'][data-code='transport']")
    await expect(transport.locator("td.num")).to_have_text("1")
    assert none_before - 1 == await delay_count(page, metric, "none")

    auditor = await reports(pages, seeded, "auditor", "&pathway=stemi")
    shown = auditor.locator(
        f"#cases-body tr[data-case-id='{late}'] .outside-item[data-interval=door_to_wire]"
        " .delay-reason"
    )
    await expect(shown).to_have_attribute("data-code", "transport")
    await expect(auditor.locator("#cases-body .delay-edit")).to_have_count(0)

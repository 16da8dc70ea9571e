"""A delay reason the server refuses is said in the user's language (issue 14): the data
manager's form on the reports page, for a door-to-wire corrected to within its target while
the form was open (422), first in Chinese, then in English after switching."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.browser.helpers import API, CATHLAB, NANDUN_VILLAGE, sign_in, token

SHANGHAI = ZoneInfo("Asia/Shanghai")
REFUSED = re.compile(r"status of 422")  # Chromium logs the refusal: it is the point here


async def post_stamp(
    http: httpx.AsyncClient, headers: dict[str, str], case_id: int, body: dict[str, object]
) -> int:
    """POST one stamp; its id."""
    response = await http.post(
        f"{API}/cases/{case_id}/events",
        json=body,
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert 201 == response.status_code, response.text
    return int(response.json()["id"])


async def late_wire_on(http: httpx.AsyncClient, day: datetime) -> tuple[int, int]:
    """A case on ``day`` (nothing else that day): door -> wire 100 min at the county; its id
    and the wire stamp's id."""
    dispatcher, manager = await token(http, "dispatcher"), await token(http, "data-manager")
    called = day + timedelta(hours=10)
    opened = await http.post(
        f"{API}/cases",
        json={"pathway": "stemi", "location": NANDUN_VILLAGE, "call_received": called.isoformat()},
        headers=dispatcher,
    )
    assert 201 == opened.status_code, opened.text
    case_id = int(opened.json()["id"])
    moved = await http.post(
        f"{API}/cases/{case_id}/transfer", json={"facility_id": CATHLAB}, headers=dispatcher
    )
    assert 200 == moved.status_code, moved.text
    door = called + timedelta(minutes=40)
    for milestone, at, facility in (
        ("first_medical_contact", called + timedelta(minutes=10), None),
        ("first_ecg", called + timedelta(minutes=15), None),
        ("facility_arrival", door, CATHLAB),
    ):
        body = {"milestone": milestone, "at": at.isoformat()}
        await post_stamp(http, manager, case_id, {**body, "facility_id": facility})
    wire = {"milestone": "wire_crossing", "at": (door + timedelta(minutes=100)).isoformat()}
    wire_id = await post_stamp(http, manager, case_id, {**wire, "facility_id": CATHLAB})
    return case_id, wire_id


async def test_a_refused_delay_reason_is_said_in_the_users_language(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """The form is open on the 100-minute door-to-wire; the wire stamp is corrected meanwhile
    (60 min: met); saving is refused and the page says why in Chinese, then in English, the
    form kept as it was filled."""
    pages.allow(REFUSED)
    today = datetime.now(SHANGHAI).date()
    day = datetime.combine(today - timedelta(days=150), datetime.min.time(), SHANGHAI)
    case_id, wire_id = await late_wire_on(http, day)
    period = f"from={day.date().isoformat()}&to={day.date().isoformat()}&pathway=stemi"
    page = await pages.new(f"/reports?{period}", width=1500, height=1100)
    await sign_in(page, "data-manager")
    reason = page.locator(
        f"#cases-body tr[data-case-id='{case_id}'] .outside-item[data-interval=door_to_wire]"
        " .delay-reason"
    )
    await expect(reason).to_have_attribute("data-code", "none")
    await reason.locator("button.delay-edit").click()
    await reason.locator("select[name=code]").select_option("equipment")

    manager = await token(http, "data-manager")
    door = day + timedelta(hours=10, minutes=40)
    await post_stamp(http, manager, case_id, {
        "milestone": "wire_crossing", "at": (door + timedelta(minutes=60)).isoformat(),
        "facility_id": CATHLAB, "supersedes": wire_id, "reason": "按导管室记录单更正",
    })  # fmt: skip
    await reason.locator("button[type=submit]").click()
    error = reason.locator(".delay-error")
    await expect(error).to_have_text(
        "未保存：只有未达标的时间间隔才能填写延误原因（原因须从列表中选择）"
    )
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(error).to_have_text(
        "Not saved: Only an interval that missed its target takes a delay reason"
        " (one from the list)"
    )
    await expect(reason.locator("select[name=code]")).to_have_value("equipment")
    await expect(reason).to_have_attribute("data-code", "none")

"""The field app keeps working with a bad connection: stamps queue on the device with their
original times and are sent, in order, when the connection returns."""

from __future__ import annotations

from datetime import datetime

import httpx
from playwright.async_api import expect

from tests.browser.conftest import NETWORK_ERRORS, Pages
from tests.browser.helpers import API, TOWNSHIP, open_field_case, sign_in, token


async def test_offline_field_app_queues_two_stamps_and_sends_them_with_their_times(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Two stamps pressed offline are shown as queued, then recorded with the offline times."""
    pages.allow(*NETWORK_ERRORS)  # the network is cut on purpose
    field = await pages.new("/field")
    await sign_in(field, f"township-{TOWNSHIP}")
    case_id = await open_field_case(field, "离线测试")

    await field.context.set_offline(True)
    await expect(field.locator("body")).to_have_attribute("data-live", "offline")
    await field.locator(".stamp[data-milestone=first_medical_contact]").click()
    await expect(field.locator("#queue-list li")).to_have_count(1)
    await field.locator(".stamp[data-milestone=first_ecg]").click()
    queued = field.locator("#queue-list li")
    await expect(queued).to_have_count(2)
    await expect(field.locator("#queue-title")).to_contain_text("2")
    await expect(field.locator("#queue")).to_have_attribute("data-state", "waiting")
    ecg = field.locator(".stamp[data-milestone=first_ecg]")
    await expect(ecg).to_have_class("stamp done pending")
    recorded = dict(
        await queued.evaluate_all("items => items.map(li => [li.dataset.milestone, li.dataset.at])")
    )
    assert {"first_medical_contact", "first_ecg"} == set(recorded)

    await field.context.set_offline(False)
    await expect(field.locator("#queue")).to_be_hidden(timeout=15_000)
    await expect(field.locator("body")).to_have_attribute("data-live", "live")
    await expect(ecg).to_have_class("stamp done")

    headers = await token(http, f"township-{TOWNSHIP}")
    response = await http.get(f"{API}/cases/{case_id}", headers=headers)
    assert 200 == response.status_code, response.text
    timeline = {e["milestone"]: e for e in response.json()["timeline"]}
    for milestone, at in recorded.items():
        event = timeline[milestone]
        assert datetime.fromisoformat(at) == datetime.fromisoformat(event["at"])
        received = datetime.fromisoformat(event["recorded_at"])
        assert received > datetime.fromisoformat(at), "sent after the connection returned"
        assert event["device_at"] is not None

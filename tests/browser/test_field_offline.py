"""The field app keeps working with a bad connection: stamps queue on the device with their
original times and are sent, in order, when the connection returns; a 503 (the database failing
over) is resent no sooner than its Retry-After."""

from __future__ import annotations

import re
import time
from datetime import datetime

import httpx
from playwright.async_api import Route, expect

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


UNAVAILABLE = re.compile(r"status of 503")


async def test_a_stamp_met_by_a_503_is_resent_after_its_retry_after_and_recorded_once(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """The server answers the stamp's POST 503 with Retry-After: 3 (what the API sends while the
    database fails over, problems._database_unavailable): the stamp waits in the outbox at
    least those 3 s (not the outbox's own first 2 s), and a second stamp pressed meanwhile
    waits with it (queuing it does not send early); then both are sent, each recorded once."""
    pages.allow(UNAVAILABLE)  # the browser logs the refused request
    field = await pages.new("/field")
    await sign_in(field, f"township-{TOWNSHIP}")
    case_id = await open_field_case(field, "切换测试")
    posts: list[float] = []

    async def failing_over(route: Route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        posts.append(time.monotonic())
        if len(posts) > 1:
            await route.continue_()
            return
        await route.fulfill(
            status=503,
            headers={"Retry-After": "3"},
            content_type="application/problem+json",
            json={"type": "about:blank", "title": "Database unavailable", "status": 503},
        )

    await field.route(f"**/api/v1/cases/{case_id}/events", failing_over)
    await field.locator(".stamp[data-milestone=first_medical_contact]").click()
    await expect(field.locator("#queue")).to_have_attribute("data-state", "waiting")
    await field.locator(".stamp[data-milestone=first_ecg]").click()
    await expect(field.locator("#queue-list li")).to_have_count(2)
    await expect(field.locator("#queue")).to_be_hidden(timeout=15_000)

    assert 3 == len(posts), posts
    assert posts[1] - posts[0] >= 3.0, f"resent after {posts[1] - posts[0]:.2f} s"
    headers = await token(http, f"township-{TOWNSHIP}")
    response = await http.get(f"{API}/cases/{case_id}", headers=headers)
    assert 200 == response.status_code, response.text
    stamped = [e["milestone"] for e in response.json()["timeline"]]
    assert 1 == stamped.count("first_medical_contact"), stamped
    assert 1 == stamped.count("first_ecg"), stamped

"""The decision after an activation (issue 13, item 7): a changed recommendation is reported
as a warning beside the destination kept, until a transfer changes it deliberately."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Login
from tests.e2e.alerts_helpers import alert_body, send
from tests.e2e.cases_helpers import (
    CASES,
    NANDUN_VILLAGE,
    case_body,
    minutes_ago,
    open_case,
    signed_in,
    stamp,
)


async def activation_of(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: int
) -> dict[str, Any]:
    response = await client.get(f"{CASES}/{case_id}/decision", headers=headers)
    assert 200 == response.status_code, response.text
    found: dict[str, Any] = response.json()["activation"]
    return found


async def test_a_recommendation_changed_after_activation_is_a_warning_until_a_transfer(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Activated at the county; its cath lab goes offline: the decision recommends the city
    but keeps the county as the destination and flags the change; a transfer settles it."""
    township = await signed_in(login, "township-th-nandun")
    case = await open_case(client, township, case_body(*NANDUN_VILLAGE))
    await stamp(client, township, case["id"], "diagnosis", minutes_ago(5))
    sent = await send(client, township, alert_body(case["id"]))
    assert 201 == sent.status_code, sent.text
    cathlab = await signed_in(login, "cathlab-county-hospital")
    answer = await client.post(
        f"/api/v1/alerts/{sent.json()['alert']['id']}/ack",
        json={"action": "activated"},
        headers=cathlab,
    )
    assert 200 == answer.status_code, answer.text
    dispatcher = await signed_in(login, "dispatcher")
    before = await activation_of(client, dispatcher, case["id"])
    assert ("county-hospital", "county-hospital", False) == (
        before["activated_facility_id"],
        before["recommended_facility_id"],
        before["changed_after_activation"],
    )

    offline = await client.patch(
        "/api/v1/facilities/county-hospital", json={"status": "offline"}, headers=cathlab
    )
    assert 200 == offline.status_code, offline.text
    after = await activation_of(client, dispatcher, case["id"])
    assert ("county-hospital", "city-hospital", True) == (
        after["kept_destination_id"],
        after["recommended_facility_id"],
        after["changed_after_activation"],
    )

    moved = await client.post(
        f"{CASES}/{case['id']}/transfer",
        json={"facility_id": "city-hospital", "reason": "recommendation changed"},
        headers=dispatcher,
    )
    assert 200 == moved.status_code, moved.text
    settled = await activation_of(client, dispatcher, case["id"])
    assert ("city-hospital", False) == (
        settled["kept_destination_id"],
        settled["changed_after_activation"],
    )

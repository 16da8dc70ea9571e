"""Closed cases (issue 12, finding 5): no new stamps, alerts or changes; corrections only by a
data manager (or an admin) with a reason; only dispatch or an admin reopens, and the close and
the reopen stay in the case's history (``closed_at`` is never erased)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.alerts_helpers import alert_body, send
from tests.e2e.cases_helpers import (
    CASES,
    NANDUN_VILLAGE,
    case_body,
    count_events,
    minutes_ago,
    open_case,
    post_event,
    read_case,
    signed_in,
    stamp,
)
from tests.e2e.units_helpers import assert_problem

NANDUN = "th-nandun"
TOWNSHIP = f"township-{NANDUN}"


async def closed_case(client: httpx.AsyncClient, login: Login) -> dict[str, Any]:
    """A Nandun walk-in with its door and first ECG, closed by the unit; the closed case."""
    township = await signed_in(login, TOWNSHIP)
    case_id = int((await open_case(client, township, case_body(*NANDUN_VILLAGE)))["id"])
    await stamp(client, township, case_id, "facility_arrival", minutes_ago(50), facility_id=NANDUN)
    await stamp(client, township, case_id, "first_ecg", minutes_ago(45))
    closed = await client.patch(f"{CASES}/{case_id}", json={"status": "closed"}, headers=township)
    assert 200 == closed.status_code, closed.text
    body: dict[str, Any] = closed.json()
    assert ("closed", ["close"]) == (body["status"], [h["action"] for h in body["history"]])
    return body


def first_ecg_of(case: dict[str, Any]) -> int:
    return int(next(e["id"] for e in case["timeline"] if e["milestone"] == "first_ecg"))


async def count_alerts(db: AsyncSession, case_id: int) -> int:
    statement = text("select count(*) from alerts where case_id = :id")
    return int(await db.scalar(statement, {"id": case_id}) or 0)


@pytest.mark.parametrize("user", [TOWNSHIP, "admin", "data-manager"])
async def test_a_closed_case_takes_no_new_stamp(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, user: str
) -> None:
    """A new milestone on a closed case: 409 case-closed for every role, nothing written."""
    case = await closed_case(client, login)
    before = await count_events(db, case["id"])
    response = await post_event(
        client, await signed_in(login, user), case["id"], "diagnosis", minutes_ago(40)
    )
    assert "/problems/case-closed" == assert_problem(response, 409)["type"]
    assert before == await count_events(db, case["id"])


async def test_a_closed_case_takes_no_alert(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """An alert for a closed case: 409 case-closed, no alert and no prealert_sent stamp."""
    case = await closed_case(client, login)
    before = await count_events(db, case["id"])
    response = await send(client, await signed_in(login, TOWNSHIP), alert_body(case["id"]))
    assert "/problems/case-closed" == assert_problem(response, 409)["type"]
    assert (0, before) == (await count_alerts(db, case["id"]), await count_events(db, case["id"]))


@pytest.mark.parametrize(
    "patch",
    [{"killip_class": 2}, {"status": "active"}, {"destination_facility_id": "county-hospital"}],
)
async def test_a_closed_case_takes_no_change(
    client: httpx.AsyncClient, login: Login, patch: dict[str, Any]
) -> None:
    """PATCH of a closed case (findings, reopening by PATCH, destination): 409, unchanged."""
    case = await closed_case(client, login)
    for user in (TOWNSHIP, "dispatcher"):
        response = await client.patch(
            f"{CASES}/{case['id']}", json=patch, headers=await signed_in(login, user)
        )
        assert "/problems/case-closed" == assert_problem(response, 409)["type"]
    after = await read_case(client, await signed_in(login, "dispatcher"), case["id"])
    assert (
        "closed",
        case["closed_at"],
        None,
        None,
    ) == (
        after["status"],
        after["closed_at"],
        after["findings"]["killip_class"],
        after["destination_facility_id"],
    )


async def test_a_closed_case_takes_no_transfer(client: httpx.AsyncClient, login: Login) -> None:
    case = await closed_case(client, login)
    response = await client.post(
        f"{CASES}/{case['id']}/transfer",
        json={"facility_id": "county-hospital"},
        headers=await signed_in(login, "dispatcher"),
    )
    assert "/problems/case-closed" == assert_problem(response, 409)["type"]


@pytest.mark.parametrize(
    ("user", "reason", "status"),
    [
        ("data-manager", "paper record: the ECG was at 10:02", 201),
        ("admin", "paper record: the ECG was at 10:02", 201),
        ("data-manager", "", 422),  # a correction needs a reason
        ("data-manager", "   ", 422),
        (TOWNSHIP, "paper record: the ECG was at 10:02", 403),
        ("dispatcher", "paper record: the ECG was at 10:02", 403),
    ],
)
async def test_only_a_data_manager_corrects_a_closed_case_with_a_reason(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    user: str,
    reason: str,
    status: int,
) -> None:
    """A correction of a closed case's stamp: data manager or admin with a reason 201; without a
    reason 422; a township or a dispatcher 403; the case stays closed."""
    case = await closed_case(client, login)
    before = await count_events(db, case["id"])
    response = await post_event(
        client, await signed_in(login, user), case["id"], "first_ecg", minutes_ago(44),
        supersedes=first_ecg_of(case), reason=reason,
    )  # fmt: skip
    if status == 201:
        assert 201 == response.status_code, response.text
        assert (user, reason) == (response.json()["recorded_by"], response.json()["reason"])
        assert before + 1 == await count_events(db, case["id"])
    else:
        assert_problem(response, status)
        assert before == await count_events(db, case["id"])
    after = await read_case(client, await signed_in(login, "dispatcher"), case["id"])
    assert ("closed", case["closed_at"]) == (after["status"], after["closed_at"])


@pytest.mark.parametrize("user", [TOWNSHIP, "data-manager", "cathlab-county-hospital", "auditor"])
async def test_only_dispatch_or_an_admin_reopens(
    client: httpx.AsyncClient, login: Login, user: str
) -> None:
    """POST /cases/{id}/reopen by anyone else: 403, the case stays closed."""
    case = await closed_case(client, login)
    response = await client.post(
        f"{CASES}/{case['id']}/reopen",
        json={"reason": "more stamps to come"},
        headers=await signed_in(login, user),
    )
    assert_problem(response, 403)
    after = await read_case(client, await signed_in(login, "dispatcher"), case["id"])
    assert ("closed", case["closed_at"]) == (after["status"], after["closed_at"])


async def test_a_reopen_keeps_the_history(client: httpx.AsyncClient, login: Login) -> None:
    """A dispatcher reopens with a reason (none: 422): active again, closed_at kept, the close
    and the reopen in the history; a second close adds to it; an open case is not reopened."""
    case = await closed_case(client, login)
    dispatcher = await signed_in(login, "dispatcher")
    url = f"{CASES}/{case['id']}/reopen"
    assert_problem(await client.post(url, json={"reason": ""}, headers=dispatcher), 422)
    assert_problem(await client.post(url, json={}, headers=dispatcher), 422)
    reopened = await client.post(
        url, json={"reason": "the CT was never stamped"}, headers=dispatcher
    )
    assert 200 == reopened.status_code, reopened.text
    body = reopened.json()
    assert ("active", case["closed_at"]) == (body["status"], body["closed_at"])
    assert [("close", TOWNSHIP, ""), ("reopen", "dispatcher", "the CT was never stamped")] == [
        (h["action"], h["by"], h["reason"]) for h in body["history"]
    ]
    assert (
        "/problems/conflict"
        == assert_problem(
            await client.post(url, json={"reason": "again"}, headers=dispatcher), 409
        )["type"]
    )

    township = await signed_in(login, TOWNSHIP)
    await stamp(client, township, case["id"], "ct_start", minutes_ago(30))  # open again
    closed = await client.patch(
        f"{CASES}/{case['id']}", json={"status": "closed"}, headers=township
    )
    again = closed.json()
    assert ["close", "reopen", "close"] == [h["action"] for h in again["history"]]
    assert again["closed_at"] > case["closed_at"]
    assert again["closed_at"] == again["history"][-1]["at"]


async def test_an_alert_of_a_closed_case_is_not_activated(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """An alert sent before the close: activating it is 409 case-closed, no cathlab_activated."""
    township = await signed_in(login, TOWNSHIP)
    case_id = int((await open_case(client, township, case_body(*NANDUN_VILLAGE)))["id"])
    sent = await send(client, township, alert_body(case_id))
    assert 201 == sent.status_code, sent.text
    closed = await client.patch(f"{CASES}/{case_id}", json={"status": "closed"}, headers=township)
    assert 200 == closed.status_code, closed.text
    before = await count_events(db, case_id)
    response = await client.post(
        f"/api/v1/alerts/{sent.json()['alert']['id']}/ack",
        json={"action": "activated", "note": ""},
        headers=await signed_in(login, "cathlab-county-hospital"),
    )
    assert "/problems/case-closed" == assert_problem(response, 409)["type"]
    assert before == await count_events(db, case_id)

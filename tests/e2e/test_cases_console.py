"""What the dispatcher console needs of the API (issue 13, item 2): cancel a case with a
reason, the case list in one call with its times and a stale flag, and an ETA that follows the
ambulance's status (to the scene, none on scene, to the destination while transporting)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
    open_case,
    read_case,
    set_status,
    signed_in,
)
from tests.e2e.units_helpers import assert_problem


async def cancel(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: int, reason: object
) -> httpx.Response:
    return await client.post(f"{CASES}/{case_id}/cancel", json={"reason": reason}, headers=headers)


async def audit_actions(db: AsyncSession, case_id: int) -> list[str]:
    rows = await db.scalars(
        text("SELECT action FROM audit_log WHERE case_id = :id ORDER BY id"), {"id": case_id}
    )
    return list(rows)


async def test_a_cancelled_case_is_closed_with_its_reason_and_its_open_alerts_cancelled(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Cancel: the case is closed with "cancelled: …" in its history, its open alert is
    cancelled with the same reason, and the cancel is in the audit trail."""
    township = await signed_in(login, "township-th-nandun")
    case = await open_case(client, township, case_body(*NANDUN_VILLAGE))
    sent = await send(client, township, alert_body(case["id"]))
    assert 201 == sent.status_code, sent.text
    alert_id = sent.json()["alert"]["id"]
    dispatcher = await signed_in(login, "dispatcher")

    response = await cancel(client, dispatcher, case["id"], "false call, patient well")

    assert 200 == response.status_code, response.text
    body = response.json()
    assert "closed" == body["status"]
    assert [("close", "cancelled: false call, patient well", "dispatcher")] == [
        (h["action"], h["reason"], h["by"]) for h in body["history"]
    ]
    cancelled = await client.get(f"/api/v1/alerts/{alert_id}", headers=dispatcher)
    assert ("cancelled", "cancelled: false call, patient well") == (
        cancelled.json()["status"],
        cancelled.json()["answer_note"],
    )
    assert "case.cancel" in await audit_actions(db, case["id"])


async def test_cancelling_needs_a_reason_an_open_case_and_a_party(
    client: httpx.AsyncClient, login: Login
) -> None:
    """No reason: 422; another township: 403; a closed case: 409. Nothing is written."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher, case_body(*NANDUN_VILLAGE))
    for reason in ("", "   ", None):
        assert_problem(await cancel(client, dispatcher, case["id"], reason), 422)
    stranger = await signed_in(login, "township-th-dingji")
    assert_problem(await cancel(client, stranger, case["id"], "not mine"), 403)
    assert "active" == (await read_case(client, dispatcher, case["id"]))["status"]

    assert 200 == (await cancel(client, dispatcher, case["id"], "duplicate")).status_code
    again = await cancel(client, dispatcher, case["id"], "duplicate")
    assert "/problems/case-closed" == assert_problem(again, 409)["type"]
    assert 1 == len((await read_case(client, dispatcher, case["id"]))["history"])


async def test_the_case_list_carries_its_times_the_total_and_a_stale_flag(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """GET /cases lists each case's call time; X-Total-Count counts past the limit; a case
    untouched for a day is stale, a fresh one is not."""
    dispatcher = await signed_in(login, "dispatcher")
    township = await signed_in(login, "township-th-nandun")
    old = await open_case(client, township, case_body(*NANDUN_VILLAGE))  # no stamp yet
    fresh = await open_case(client, dispatcher, case_body(*NANDUN_VILLAGE))
    day_ago = datetime.now(UTC) - timedelta(hours=30)
    await db.execute(
        text("UPDATE cases SET created_at = :at WHERE id = :id"), {"at": day_ago, "id": old["id"]}
    )

    listed = await client.get(CASES, params={"status": "active", "limit": 1000}, headers=dispatcher)
    assert 200 == listed.status_code, listed.text
    by_id: dict[int, dict[str, Any]] = {c["id"]: c for c in listed.json()}
    assert (True, False) == (by_id[old["id"]]["stale"], by_id[fresh["id"]]["stale"])
    call = next(e["at"] for e in fresh["timeline"] if e["milestone"] == "call_received")
    assert datetime.fromisoformat(call) == datetime.fromisoformat(
        by_id[fresh["id"]]["call_received_at"]
    )
    total = int(listed.headers["X-Total-Count"])
    assert total == len(listed.json()) >= 2

    one = await client.get(CASES, params={"status": "active", "limit": 1}, headers=dispatcher)
    assert (1, str(total)) == (len(one.json()), one.headers["X-Total-Count"])


async def test_the_eta_follows_the_status_to_the_scene_then_to_the_destination(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Dispatched: an ETA to the scene; on scene: none; transporting to the county hospital:
    an ETA to the hospital at once (no new fix needed); at the hospital: none."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher, case_body(*NANDUN_VILLAGE))
    sent = await client.post(f"{CASES}/{case['id']}/dispatch", json={}, headers=dispatcher)
    assert 200 == sent.status_code, sent.text
    ambulance_id = sent.json()["ambulance"]["ambulance_id"]

    async def eta() -> float | None:
        value: float | None = (await read_case(client, dispatcher, case["id"]))["eta_minutes"]
        return value

    for status in ("en_route", "on_scene"):
        assert 200 == (await set_status(client, dispatcher, ambulance_id, status)).status_code
    assert await eta() is None
    patch = await client.patch(
        f"{CASES}/{case['id']}",
        json={"destination_facility_id": "county-hospital"},
        headers=dispatcher,
    )
    assert 200 == patch.status_code, patch.text
    assert 200 == (await set_status(client, dispatcher, ambulance_id, "transporting")).status_code
    to_hospital = await eta()
    assert to_hospital is not None
    station_to_hospital = await eta_from_station_to_hospital(client, dispatcher, ambulance_id)
    assert station_to_hospital == pytest.approx(to_hospital, rel=0.02)
    assert 200 == (await set_status(client, dispatcher, ambulance_id, "at_destination")).status_code
    assert await eta() is None


async def eta_from_station_to_hospital(
    client: httpx.AsyncClient, headers: dict[str, str], ambulance_id: str
) -> float:
    """Road minutes from the ambulance's last position (its station) to the county hospital."""
    feature = (await client.get("/api/v1/ambulances", headers=headers)).json()["features"]
    lon, lat = next(f for f in feature if f["properties"]["id"] == ambulance_id)["geometry"][
        "coordinates"
    ]
    hospital = (await client.get("/api/v1/facilities/county-hospital", headers=headers)).json()
    to_lon, to_lat = hospital["geometry"]["coordinates"]
    route = await client.get(
        "/api/v1/travel-time",
        params={"from": f"{lon},{lat}", "to": f"{to_lon},{to_lat}"},
        headers=headers,
    )
    minutes: float = route.json()["minutes"]
    return minutes

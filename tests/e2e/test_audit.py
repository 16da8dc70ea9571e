"""The audit trail over HTTP (issue 12, finding 11): who read or wrote what, when, from where.

Each test runs in the test's rolled-back transaction: the entries its requests write are read
back from ``audit_log`` in the same transaction.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.alerts_helpers import alert_body, nandun_case, send
from tests.e2e.cases_helpers import CASES, minutes_ago, open_case, post_event, signed_in

AUDIT = "/api/v1/audit"


async def entries(db: AsyncSession, **where: Any) -> list[dict[str, Any]]:
    """The audit entries matching ``where`` (column = value), oldest first."""
    condition = " AND ".join(f"{column} = :{column}" for column in where) or "true"
    rows = await db.execute(
        text(f"SELECT * FROM audit_log WHERE {condition} ORDER BY id"),  # noqa: S608 - test
        where,
    )
    return [dict(row) for row in rows.mappings()]


async def test_a_case_read_is_recorded_with_who_where_and_the_request_id(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """GET /cases/{id}: one entry with the user, role, address, path and the request id."""
    case = await open_case(client, await signed_in(login, "dispatcher"))
    headers = {**await signed_in(login, "auditor"), "X-Request-Id": "audit-read-1"}
    response = await client.get(f"{CASES}/{case['id']}", headers=headers)
    assert 200 == response.status_code
    [entry] = await entries(db, request_id="audit-read-1")
    assert "case.read" == entry["action"]
    assert ("auditor", "auditor") == (entry["username"], entry["role"])
    assert (case["id"], "case", str(case["id"])) == (
        entry["case_id"],
        entry["object_type"],
        entry["object_id"],
    )
    assert ("GET", f"{CASES}/{case['id']}") == (entry["method"], entry["path"])
    assert entry["address"]
    assert entry["at"] is not None
    assert 64 == len(entry["hash"])


async def test_case_lists_timelines_and_writes_are_recorded(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A case list, the timeline chart and a stamp each leave their entry; opening a case names
    the new case."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, {**dispatcher, "X-Request-Id": "audit-open"})
    [opened] = await entries(db, request_id="audit-open")
    assert ("case.create", case["id"], str(case["id"])) == (
        opened["action"],
        opened["case_id"],
        opened["object_id"],
    )
    response = await post_event(
        client,
        {**dispatcher, "X-Request-Id": "audit-stamp"},
        case["id"],
        "unit_notified",
        minutes_ago(1),
    )
    assert 201 == response.status_code, response.text
    [stamped] = await entries(db, request_id="audit-stamp")
    assert ("stamp.create", case["id"], "dispatcher") == (
        stamped["action"],
        stamped["case_id"],
        stamped["username"],
    )
    for path, action in ((CASES, "case.list"), (f"{CASES}/{case['id']}/timeline.svg", None)):
        request_id = f"audit-{action or 'timeline'}"
        answer = await client.get(path, headers={**dispatcher, "X-Request-Id": request_id})
        assert 200 == answer.status_code, answer.text
        [entry] = await entries(db, request_id=request_id)
        assert (action or "case.timeline.read") == entry["action"]


async def test_a_refused_read_and_reads_of_no_patient_data_write_nothing(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A 404 read is rolled back with its request; the facility list is not patient data."""
    headers = await signed_in(login, "auditor")
    missing = await client.get(f"{CASES}/999999999", headers={**headers, "X-Request-Id": "a-404"})
    assert 404 == missing.status_code
    facilities = await client.get(
        "/api/v1/facilities", headers={**headers, "X-Request-Id": "a-facilities"}
    )
    assert 200 == facilities.status_code
    assert [] == await entries(db, request_id="a-404")
    assert [] == await entries(db, request_id="a-facilities")


async def test_a_case_patch_records_before_and_after(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """PATCH /cases/{id}: the changed fields before and after (closing brings closed_at)."""
    headers = await signed_in(login, "dispatcher")
    case = await open_case(client, headers)
    url = f"{CASES}/{case['id']}"
    first = await client.patch(
        url, json={"killip_class": 2}, headers={**headers, "X-Request-Id": "patch-1"}
    )
    assert 200 == first.status_code, first.text
    second = await client.patch(
        url,
        json={"killip_class": 3, "status": "closed"},
        headers={**headers, "X-Request-Id": "patch-2"},
    )
    assert 200 == second.status_code, second.text
    [one] = await entries(db, request_id="patch-1")
    [two] = await entries(db, request_id="patch-2")
    assert ("case.update", case["id"]) == (one["action"], one["case_id"])
    assert {"before": {"killip_class": None}, "after": {"killip_class": 2}} == one["detail"]
    assert {"killip_class": 2, "status": "active", "closed_at": None} == two["detail"]["before"]
    after = two["detail"]["after"]
    assert (3, "closed") == (after["killip_class"], after["status"])
    assert after["closed_at"] is not None


async def test_a_facility_patch_records_before_and_after(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """PATCH /facilities/{id} by its cath lab: status before and after, with who did it."""
    headers = {
        **await signed_in(login, "cathlab-county-hospital"),
        "X-Request-Id": "patch-facility",
    }
    response = await client.patch(
        "/api/v1/facilities/county-hospital", json={"status": "busy"}, headers=headers
    )
    assert 200 == response.status_code, response.text
    [entry] = await entries(db, request_id="patch-facility")
    assert ("facility.update", "county-hospital", "cathlab") == (
        entry["action"],
        entry["object_id"],
        entry["role"],
    )
    assert {"before": {"status": "ready"}, "after": {"status": "busy"}} == entry["detail"]


async def test_a_failed_login_is_recorded_and_a_successful_one_too(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    """A wrong password: an ``auth.login_failed`` entry naming the account, address and
    reason; a right one: ``auth.login`` with the user."""
    wrong = await client.post(
        "/api/v1/auth/token",
        data={"username": "auditor", "password": "not-the-password"},
        headers={"X-Request-Id": "login-wrong"},
    )
    assert 401 == wrong.status_code
    [failed] = await entries(db, request_id="login-wrong")
    assert ("auth.login_failed", "auditor", None) == (
        failed["action"],
        failed["username"],
        failed["user_id"],
    )
    assert {"reason": "wrong_password"} == failed["detail"]
    assert failed["address"]
    right = await client.post(
        "/api/v1/auth/token",
        data={"username": "auditor", "password": "demo"},
        headers={"X-Request-Id": "login-right"},
    )
    assert 200 == right.status_code
    [signed] = await entries(db, request_id="login-right")
    assert ("auth.login", "auditor", "auditor") == (
        signed["action"],
        signed["username"],
        signed["role"],
    )


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("auditor", 200),
        ("dispatcher", 403),
        ("township-th-nandun", 403),
        ("cathlab-county-hospital", 403),
        ("crew-amb-01", 403),
    ],
)
async def test_only_admins_and_auditors_read_the_audit_trail(
    client: httpx.AsyncClient, login: Login, username: str, status: int
) -> None:
    """GET /audit: admin and auditor only."""
    response = await client.get(AUDIT, headers=await signed_in(login, username))
    assert status == response.status_code, response.text


async def test_the_audit_trail_needs_a_sign_in(client: httpx.AsyncClient) -> None:
    """Without a token: 401."""
    assert 401 == (await client.get(AUDIT)).status_code


async def test_audit_filters_pages_and_bounds(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Filter by case and user, newest first, in pages of at most ``limit`` (1..500)."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher)
    for _ in range(3):
        assert 200 == (await client.get(f"{CASES}/{case['id']}", headers=dispatcher)).status_code
    auditor = await signed_in(login, "auditor")
    params: dict[str, Any] = {"case_id": case["id"], "user": "dispatcher", "limit": 2}
    first = (await client.get(AUDIT, params=params, headers=auditor)).json()
    assert ["case.read", "case.read"] == [e["action"] for e in first["entries"]]
    ids = [e["id"] for e in first["entries"]]
    assert ids == sorted(ids, reverse=True)
    assert first["next_before_id"] == ids[-1]
    params["before_id"] = first["next_before_id"]
    second = (await client.get(AUDIT, params=params, headers=auditor)).json()
    assert ["case.read", "case.create"] == [e["action"] for e in second["entries"]]
    assert second["next_before_id"] is None
    assert {case["id"]} == {e["case_id"] for e in first["entries"] + second["entries"]}
    assert {"dispatcher"} == {e["username"] for e in first["entries"] + second["entries"]}
    latest = await entries(db, case_id=case["id"])
    period = {"case_id": case["id"], "from": latest[-1]["at"].isoformat()}
    only_last = (await client.get(AUDIT, params=period, headers=auditor)).json()
    assert [latest[-1]["id"]] == [e["id"] for e in only_last["entries"]]
    for limit, status in ((0, 422), (1, 200), (500, 200), (501, 422)):
        answer = await client.get(AUDIT, params={"limit": limit}, headers=auditor)
        assert status == answer.status_code, (limit, answer.text)
    too_big = await client.get(AUDIT, params={"case_id": 2**63}, headers=auditor)
    assert 422 == too_big.status_code


async def test_an_alert_and_its_reads_are_recorded_with_their_case(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """POST /alerts names the alert's case (from its body); GET /alerts/{id} the alert."""
    case_id, headers = await nandun_case(client, login)
    response = await send(client, {**headers, "X-Request-Id": "alert-send"}, alert_body(case_id))
    assert 201 == response.status_code, response.text
    [sent] = await entries(db, request_id="alert-send")
    assert ("alert.create", case_id) == (sent["action"], sent["case_id"])
    alert_id = response.json()["alert"]["id"]
    read = await client.get(
        f"/api/v1/alerts/{alert_id}",
        headers={**await signed_in(login, "auditor"), "X-Request-Id": "alert-read"},
    )
    assert 200 == read.status_code, read.text
    [entry] = await entries(db, request_id="alert-read")
    assert ("alert.read", "alert", str(alert_id)) == (
        entry["action"],
        entry["object_type"],
        entry["object_id"],
    )

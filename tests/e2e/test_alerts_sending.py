"""Sending alerts over HTTP: idempotent, to a facility able to treat the pathway, by whom may."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.alerts_helpers import ALERTS, COUNTY, SENDER, alert_body, nandun_case, send
from tests.e2e.cases_helpers import (
    CASES,
    NANDUN_VILLAGE,
    case_body,
    milestones_of,
    open_case,
    read_case,
    signed_in,
)
from tests.e2e.units_helpers import assert_problem, commit_fails_after_insert_into

# --- sending ---------------------------------------------------------------------------------


async def test_a_township_sends_an_alert_for_its_case(
    client: httpx.AsyncClient, login: Login
) -> None:
    """201 with the receiver's seq and epoch; the alert is sent; the case gets prealert_sent."""
    case_id, headers = await nandun_case(client, login)
    response = await send(client, headers, alert_body(case_id))
    assert 201 == response.status_code, response.text
    body = response.json()
    assert body["seq"] >= 1
    assert body["epoch"] >= 1
    alert = body["alert"]
    assert (case_id, COUNTY, "th-nandun", SENDER, "sent", 0) == (
        alert["case_id"],
        alert["to_facility_id"],
        alert["from_facility_id"],
        alert["sent_by"],
        alert["status"],
        alert["escalation_level"],
    )
    assert 25 == alert["eta_minutes"]
    case = await read_case(client, headers, case_id)
    stamped = milestones_of(case, "prealert_sent")
    assert 1 == len(stamped)
    assert SENDER == stamped[0]["recorded_by"]


async def test_a_retried_idempotency_key_returns_the_same_alert(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The same key and body: the same alert id and seq, Idempotent-Replayed, nothing new."""
    case_id, headers = await nandun_case(client, login)
    first = await send(client, headers, alert_body(case_id), key="retry-key-1")
    assert 201 == first.status_code, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = await send(client, headers, alert_body(case_id), key="retry-key-1")
    assert 201 == again.status_code, again.text
    assert "true" == again.headers["Idempotent-Replayed"]
    assert (first.json()["alert"]["id"], first.json()["seq"]) == (
        again.json()["alert"]["id"],
        again.json()["seq"],
    )
    count = await db.scalar(
        text("select count(*) from alerts where case_id = :id"), {"id": case_id}
    )
    assert 1 == count
    case = await read_case(client, headers, case_id)
    assert 1 == len(milestones_of(case, "prealert_sent"))


async def test_the_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An Idempotency-Key reused for a different alert: 422 idempotency-key-reused."""
    case_id, headers = await nandun_case(client, login)
    first = await send(client, headers, alert_body(case_id), key="reused-key")
    assert 201 == first.status_code, first.text
    other = await send(client, headers, alert_body(case_id, summary="另一个"), key="reused-key")
    assert "/problems/idempotency-key-reused" == assert_problem(other, 422)["type"]


async def test_a_destination_without_the_pathway_capability_is_422(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A STEMI alert to a township unit without PCI: 422 alert-rejected naming the need."""
    case_id, headers = await nandun_case(client, login)
    response = await send(client, headers, alert_body(case_id, to_facility_id="th-nandun"))
    problem = assert_problem(response, 422)
    assert "/problems/alert-rejected" == problem["type"]
    assert "pci" in problem["detail"]


async def test_an_unknown_case_is_404(client: httpx.AsyncClient, login: Login) -> None:
    """An alert for a case that does not exist: 404."""
    headers = await signed_in(login, SENDER)
    assert_problem(await send(client, headers, alert_body(987654321)), 404)


async def test_an_unknown_attachment_is_422(client: httpx.AsyncClient, login: Login) -> None:
    """An attachment id that was never uploaded: 422 alert-rejected, and no prealert_sent."""
    case_id, headers = await nandun_case(client, login)
    body = alert_body(case_id, attachment_ids=["00000000-0000-0000-0000-000000000000"])
    problem = assert_problem(await send(client, headers, body), 422)
    assert "/problems/alert-rejected" == problem["type"]
    assert [] == milestones_of(await read_case(client, headers, case_id), "prealert_sent")


async def test_an_auditor_may_not_send(client: httpx.AsyncClient, login: Login) -> None:
    """An auditor sending an alert: 403."""
    case_id, _ = await nandun_case(client, login)
    auditor = await signed_in(login, "auditor")
    assert_problem(await send(client, auditor, alert_body(case_id)), 403)


async def test_only_the_crew_of_the_cases_ambulance_sends(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The dispatched ambulance's crew sends (201); another ambulance's crew gets 403."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher, case_body(*NANDUN_VILLAGE))
    sent = await client.post(
        f"{CASES}/{case['id']}/dispatch", json={"ambulance_id": "amb-01"}, headers=dispatcher
    )
    assert 200 == sent.status_code, sent.text
    other = await send(client, await signed_in(login, "crew-amb-02"), alert_body(case["id"]))
    assert_problem(other, 403)
    own = await send(client, await signed_in(login, "crew-amb-01"), alert_body(case["id"]))
    assert 201 == own.status_code, own.text
    assert ("amb-01", None) == (
        own.json()["alert"]["from_ambulance_id"],
        own.json()["alert"]["from_facility_id"],
    )


async def test_a_commit_that_fails_is_a_503_never_a_false_201(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The connection lost at COMMIT (after the handler ran): 503, and no alert exists."""
    case_id, headers = await nandun_case(client, login)

    with commit_fails_after_insert_into("alerts"):
        response = await send(client, headers, alert_body(case_id))
    assert "/problems/database-unavailable" == assert_problem(response, 503)["type"]
    listed = await client.get(ALERTS, params={"case_id": case_id}, headers=headers)
    assert [] == listed.json()
    assert [] == milestones_of(await read_case(client, headers, case_id), "prealert_sent")

"""Answering and cancelling alerts over HTTP: the receiving cath lab answers, the sender cancels."""

from __future__ import annotations

import httpx

from tests.conftest import Login
from tests.e2e.alerts_helpers import ALERTS, COUNTY, RECEIVER, SENDER, ack, sent_alert
from tests.e2e.cases_helpers import milestones_of, read_case, signed_in
from tests.e2e.units_helpers import assert_problem

# --- answering and cancelling ----------------------------------------------------------------


async def test_the_cathlab_acknowledges_then_activates(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Acknowledged, then activated (the case gets cathlab_activated); declined after: 409."""
    alert = (await sent_alert(client, login))["alert"]
    cathlab = await signed_in(login, RECEIVER)
    first = await ack(client, cathlab, alert["id"], "acknowledged")
    assert 200 == first.status_code, first.text
    assert ("acknowledged", RECEIVER) == (
        first.json()["alert"]["status"],
        first.json()["alert"]["answered_by"],
    )
    second = await ack(client, cathlab, alert["id"], "activated")
    assert 200 == second.status_code, second.text
    assert "activated" == second.json()["alert"]["status"]
    assert second.json()["seq"] > first.json()["seq"]
    case = await read_case(client, await signed_in(login, SENDER), alert["case_id"])
    activated = milestones_of(case, "cathlab_activated")
    assert [(COUNTY, RECEIVER)] == [(e["facility_id"], e["recorded_by"]) for e in activated]
    late = await ack(client, cathlab, alert["id"], "declined", "导管室占用")
    assert "/problems/alert-closed" == assert_problem(late, 409)["type"]


async def test_a_decline_needs_a_reason_which_the_sender_reads(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Declining without a reason (none, or blanks) is 422 and changes nothing; with one, the
    sender reads it on the alert."""
    alert = (await sent_alert(client, login))["alert"]
    cathlab = await signed_in(login, RECEIVER)
    for blank in ("", "   "):
        refused = await ack(client, cathlab, alert["id"], "declined", blank)
        assert 422 == assert_problem(refused, 422)["status"]
    sender = await signed_in(login, SENDER)
    unchanged = await client.get(f"{ALERTS}/{alert['id']}", headers=sender)
    assert "sent" == unchanged.json()["status"]
    declined = await ack(client, cathlab, alert["id"], "declined", " 导管室正在手术 ")
    assert 200 == declined.status_code, declined.text
    read = (await client.get(f"{ALERTS}/{alert['id']}", headers=sender)).json()
    assert ("declined", "导管室正在手术") == (read["status"], read["answer_note"])


async def test_closing_the_case_takes_its_answered_alert_off_the_screens(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An activated alert stays on the wall until the case closes: then it is closed too (its
    answer kept), with a frame on the receiver's stream."""
    alert = (await sent_alert(client, login))["alert"]
    cathlab = await signed_in(login, RECEIVER)
    activated = await ack(client, cathlab, alert["id"], "activated")
    assert 200 == activated.status_code, activated.text
    sender = await signed_in(login, SENDER)
    closed = await client.patch(
        f"/api/v1/cases/{alert['case_id']}", json={"status": "closed"}, headers=sender
    )
    assert 200 == closed.status_code, closed.text
    read = (await client.get(f"{ALERTS}/{alert['id']}", headers=cathlab)).json()
    assert "activated" == read["status"]
    assert read["closed_at"] is not None
    frames = (
        await client.get(
            f"/api/v1/facilities/{COUNTY}/alerts?since={activated.json()['seq']}", headers=cathlab
        )
    ).json()["frames"]
    assert [("alert.updated", alert["id"])] == [
        (f["type"], f["alert"]["id"]) for f in frames if f["alert"]["id"] == alert["id"]
    ]
    assert frames[-1]["alert"]["closed_at"] is not None


async def test_another_facilitys_cathlab_may_not_answer(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The city hospital's cath lab answering the county's alert: 403, the alert stays sent."""
    alert = (await sent_alert(client, login))["alert"]
    stranger = await signed_in(login, "cathlab-city-hospital")
    assert_problem(await ack(client, stranger, alert["id"], "acknowledged"), 403)
    read = await client.get(f"{ALERTS}/{alert['id']}", headers=await signed_in(login, SENDER))
    assert "sent" == read.json()["status"]


async def test_the_sender_cancels(client: httpx.AsyncClient, login: Login) -> None:
    """The sender cancels: cancelled and closed; cancelling again is 409."""
    alert = (await sent_alert(client, login))["alert"]
    sender = await signed_in(login, SENDER)
    url = f"{ALERTS}/{alert['id']}/cancel"
    response = await client.post(url, json={"reason": "患者拒绝转运"}, headers=sender)
    assert 200 == response.status_code, response.text
    assert ("cancelled", "患者拒绝转运") == (
        response.json()["status"],
        response.json()["answer_note"],
    )
    assert response.json()["closed_at"] is not None
    again = await client.post(url, json={"reason": "again"}, headers=sender)
    assert_problem(again, 409)

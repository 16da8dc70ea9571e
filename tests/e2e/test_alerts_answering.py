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
    late = await ack(client, cathlab, alert["id"], "declined")
    assert "/problems/alert-closed" == assert_problem(late, 409)["type"]


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

"""Replaying a facility's alert stream over HTTP, in seq order, to those allowed to read it."""

from __future__ import annotations

import httpx

from tests.conftest import Login
from tests.e2e.alerts_helpers import COUNTY, RECEIVER, SENDER, ack, sent_alert, stream_of
from tests.e2e.cases_helpers import signed_in
from tests.e2e.units_helpers import assert_problem

# --- replaying the stream over HTTP ----------------------------------------------------------


async def test_the_facility_stream_replays_in_seq_order(
    client: httpx.AsyncClient, login: Login
) -> None:
    """since=N gives the frames after N in seq order: created, acknowledged, acknowledged."""
    cathlab = await signed_in(login, RECEIVER)
    start = (await stream_of(client, cathlab, COUNTY))["head"]
    sent = await sent_alert(client, login)
    alert_id = sent["alert"]["id"]
    assert start + 1 == sent["seq"]
    assert 200 == (await ack(client, cathlab, alert_id, "acknowledged")).status_code
    assert 200 == (await ack(client, cathlab, alert_id, "activated")).status_code

    replay = await stream_of(client, cathlab, COUNTY, since=start)
    frames = replay["frames"]
    assert [start + 1, start + 2, start + 3] == [f["seq"] for f in frames]
    assert start + 3 == replay["head"]
    assert ["alert.created", "alert.acknowledged", "alert.acknowledged"] == [
        f["type"] for f in frames
    ]
    assert ["sent", "acknowledged", "activated"] == [f["alert"]["status"] for f in frames]
    assert {alert_id} == {f["alert"]["id"] for f in frames}
    assert {sent["epoch"]} == {f["epoch"] for f in frames}
    assert {f"facility:{COUNTY}"} == {f["stream"] for f in frames}

    later = await stream_of(client, cathlab, COUNTY, since=start + 1)
    assert [start + 2, start + 3] == [f["seq"] for f in later["frames"]]
    everything = await stream_of(client, cathlab, COUNTY, since=0)
    seqs = [f["seq"] for f in everything["frames"]]
    assert sorted(seqs) == seqs


async def test_the_dispatch_stream_replays_for_dispatchers_only(
    client: httpx.AsyncClient, login: Login
) -> None:
    """GET /dispatch/alerts: the console's stream after since (its head too); a team gets 403."""
    dispatcher = await signed_in(login, "dispatcher")
    start = (await client.get("/api/v1/dispatch/alerts", headers=dispatcher)).json()["head"]
    sent = await sent_alert(client, login)
    replay = await client.get(
        "/api/v1/dispatch/alerts", params={"since": start}, headers=dispatcher
    )
    assert 200 == replay.status_code, replay.text
    frames = replay.json()["frames"]
    assert [(start + 1, "alert.created", sent["alert"]["id"])] == [
        (f["seq"], f["type"], f["alert"]["id"]) for f in frames
    ]
    assert ("dispatch", start + 1) == (replay.json()["stream"], replay.json()["head"])
    refused = await client.get("/api/v1/dispatch/alerts", headers=await signed_in(login, RECEIVER))
    assert_problem(refused, 403)


async def test_a_township_may_not_read_the_county_stream(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A township user reading the county hospital's stream: 403."""
    headers = await signed_in(login, SENDER)
    response = await client.get(f"/api/v1/facilities/{COUNTY}/alerts", headers=headers)
    assert_problem(response, 403)

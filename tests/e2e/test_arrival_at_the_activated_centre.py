"""A crew arriving "at hospital" on a case with no destination recorded (a township's one-key
call the county activated): the door-in is stamped at the centre whose team was activated, which
becomes the destination (the whole-story browser test found the door-in missing)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tests.conftest import Login
from tests.e2e.alerts_helpers import SENDER
from tests.e2e.cases_helpers import read_case, signed_in


async def test_at_destination_stamps_the_door_at_the_activated_centre(
    client: httpx.AsyncClient, login: Login
) -> None:
    township = await signed_in(login, SENDER)
    called = (await client.post("/api/v1/one-key-call", json={}, headers=township)).json()
    cathlab = await signed_in(login, "cathlab-county-hospital")
    activated = await client.post(
        f"/api/v1/alerts/{called['alert_id']}/ack", json={"action": "activated"}, headers=cathlab
    )
    assert 200 == activated.status_code, activated.text
    dispatcher = await signed_in(login, "dispatcher")
    case_id = called["case_id"]
    sent = await client.post(f"/api/v1/cases/{case_id}/dispatch", json={}, headers=dispatcher)
    ambulance = sent.json()["ambulance"]["ambulance_id"]
    crew = await signed_in(login, f"crew-{ambulance}")
    for status in ("en_route", "on_scene", "transporting", "at_destination"):
        moved = await client.post(
            f"/api/v1/ambulances/{ambulance}/status",
            json={"status": status, "at": datetime.now(UTC).isoformat()},
            headers=crew,
        )
        assert 200 == moved.status_code, moved.text
    case = await read_case(client, crew, case_id)
    doors = [e["facility_id"] for e in case["timeline"] if e["milestone"] == "facility_arrival"]
    assert (["county-hospital"], "county-hospital") == (doors, case["destination_facility_id"])

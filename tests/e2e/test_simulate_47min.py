"""The 47-minute reference case, played end to end through the HTTP API (simulate --scenario)."""

from __future__ import annotations

import httpx

from dispatch.cli.scenarios import SCENARIOS, Api


async def test_the_47_minute_case_measures_47_minutes(client: httpx.AsyncClient) -> None:
    """Critical value → arterial puncture is 47 min; the cath lab was ready before the patient."""
    lines: list[str] = []
    case = await SCENARIOS["47min"](Api(client, "demo"), 1e6, lines.append)
    intervals = {i["name"]: i for i in case["intervals"]}
    assert (47.0, True) == (
        intervals["critical_value_to_puncture"]["minutes"],
        intervals["critical_value_to_puncture"]["met"],
    )
    first = {}
    for event in case["timeline"]:
        first.setdefault((event["milestone"], event["facility_id"]), event["at"])
    door = first[("facility_arrival", "county-hospital")]
    assert first[("cathlab_activated", "county-hospital")] < door
    assert first[("cathlab_ready", "county-hospital")] < door
    assert "ed_arrival" not in {e["milestone"] for e in case["timeline"]}  # bypassed the ED
    stamped_by_status = {
        e["milestone"] for e in case["timeline"] if e["source"] == "ambulance_status"
    }
    assert {
        "unit_en_route",
        "unit_on_scene",
        "unit_left_scene",
        "facility_arrival",
        "handover",
        "unit_available",
    } == stamped_by_status
    assert {"door_in_door_out", "door_to_wire", "fmc_to_wire_transferred"} <= set(intervals)
    assert all(i["met"] in (True, None) for i in case["intervals"])
    assert any("dispatched" in line for line in lines)


async def test_timeline_chart_is_an_svg(client: httpx.AsyncClient) -> None:
    """GET /cases/{id}/timeline.svg draws the milestones and the intervals."""
    api = Api(client, "demo")
    case = await SCENARIOS["47min"](api, 1e6, lambda _: None)
    response = await client.get(
        f"/api/v1/cases/{case['id']}/timeline.svg", headers=await api.as_user("auditor")
    )
    assert (200, "image/svg+xml") == (response.status_code, response.headers["content-type"])
    assert response.text.lstrip().startswith("<?xml")
    assert "Critical value reported to arterial puncture: 47 min" in response.text

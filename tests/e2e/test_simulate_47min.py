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
    """GET /cases/{id}/timeline.svg?lang=en draws the milestones and the intervals in English."""
    api = Api(client, "demo")
    case = await SCENARIOS["47min"](api, 1e6, lambda _: None)
    response = await client.get(
        f"/api/v1/cases/{case['id']}/timeline.svg",
        params={"lang": "en"},
        headers=await api.as_user("auditor"),
    )
    assert (200, "image/svg+xml") == (response.status_code, response.headers["content-type"])
    assert response.text.lstrip().startswith("<?xml")
    assert "Critical value reported to arterial puncture: 47 min / target 60" in response.text
    assert "Arterial puncture" in response.text
    assert "危急值" not in response.text


async def test_timeline_chart_in_chinese_names_everything_in_chinese(
    client: httpx.AsyncClient,
) -> None:
    """?lang=zh: milestones, intervals, the pathway and the facilities by their Chinese names."""
    api = Api(client, "demo")
    case = await SCENARIOS["47min"](api, 1e6, lambda _: None)
    response = await client.get(
        f"/api/v1/cases/{case['id']}/timeline.svg",
        params={"lang": "zh"},
        headers={**await api.as_user("auditor"), "Accept-Language": "en-GB,en;q=0.9"},
    )
    assert (200, "zh") == (response.status_code, response.headers["content-language"])
    text = response.text
    assert "危急值报告至穿刺：47 分钟 / 目标 60" in text
    assert "动脉穿刺" in text
    assert f"病例 {case['id']} · 急性ST段抬高型心肌梗死" in text
    assert "Critical value reported" not in text
    assert "arterial_puncture" not in text
    assert "@county-hospital" not in text  # the facility by its name, not its id


async def test_timeline_chart_language_follows_accept_language(
    client: httpx.AsyncClient,
) -> None:
    """Without ?lang the browser's Accept-Language decides; neither zh nor en: Chinese."""
    api = Api(client, "demo")
    case = await SCENARIOS["47min"](api, 1e6, lambda _: None)
    path = f"/api/v1/cases/{case['id']}/timeline.svg"
    headers = await api.as_user("auditor")
    found = []
    for accept in ("en-US,en;q=0.9,zh;q=0.5", "zh-CN,zh;q=0.9,en;q=0.8", "fr-FR"):
        response = await client.get(path, headers={**headers, "Accept-Language": accept})
        found.append(response.headers["content-language"])
    assert ["en", "zh", "zh"] == found


async def test_timeline_chart_refuses_an_unknown_language(client: httpx.AsyncClient) -> None:
    """?lang=fr is a 422 invalid-input naming the lang field."""
    api = Api(client, "demo")
    case = await SCENARIOS["47min"](api, 1e6, lambda _: None)
    response = await client.get(
        f"/api/v1/cases/{case['id']}/timeline.svg",
        params={"lang": "fr"},
        headers=await api.as_user("auditor"),
    )
    assert (422, "/problems/invalid-input") == (response.status_code, response.json()["type"])
    assert ["query.lang"] == [e["field"] for e in response.json()["errors"]]
    assert "literal_error" == response.json()["errors"][0]["code"]

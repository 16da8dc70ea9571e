"""The 47-minute reference case, played end to end through the HTTP API (simulate --scenario)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

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


@dataclass
class Chart:
    """The 47-minute case played, and its timeline chart asked for as the auditor."""

    client: httpx.AsyncClient
    case_id: int
    headers: dict[str, str]

    async def get(self, lang: str | None = None, accept: str | None = None) -> httpx.Response:
        params = {"lang": lang} if lang is not None else {}
        headers = {**self.headers, **({"Accept-Language": accept} if accept else {})}
        path = f"/api/v1/cases/{self.case_id}/timeline.svg"
        return await self.client.get(path, params=params, headers=headers)


@pytest.fixture
async def chart(client: httpx.AsyncClient) -> Chart:
    """The 47-minute case, ready to draw."""
    api = Api(client, "demo")
    case = await SCENARIOS["47min"](api, 1e6, lambda _: None)
    return Chart(client, int(case["id"]), await api.as_user("auditor"))


async def test_timeline_chart_is_an_svg(chart: Chart) -> None:
    """GET /cases/{id}/timeline.svg?lang=en draws the milestones and the intervals in English."""
    response = await chart.get("en")
    assert (200, "image/svg+xml") == (response.status_code, response.headers["content-type"])
    assert response.text.lstrip().startswith("<?xml")
    assert "Critical value reported to arterial puncture: 47 min / target 60" in response.text
    assert "Arterial puncture" in response.text
    assert "危急值" not in response.text


async def test_timeline_chart_in_chinese_names_everything_in_chinese(chart: Chart) -> None:
    """?lang=zh (over an English browser): milestones, intervals, the pathway and the facilities
    by their Chinese names."""
    response = await chart.get("zh", accept="en-GB,en;q=0.9")
    assert (200, "zh") == (response.status_code, response.headers["content-language"])
    text = response.text
    assert "危急值报告至穿刺：47 分钟 / 目标 60" in text
    assert "动脉穿刺" in text
    assert f"病例 {chart.case_id} · 急性ST段抬高型心肌梗死" in text
    assert "Critical value reported" not in text
    assert "arterial_puncture" not in text
    assert "@county-hospital" not in text  # the facility by its name, not its id


async def test_timeline_chart_language_follows_accept_language(chart: Chart) -> None:
    """Without ?lang the browser's Accept-Language decides; neither zh nor en: Chinese."""
    found = []
    for accept in ("en-US,en;q=0.9,zh;q=0.5", "zh-CN,zh;q=0.9,en;q=0.8", "fr-FR"):
        found.append((await chart.get(accept=accept)).headers["content-language"])
    assert ["en", "zh", "zh"] == found


async def test_timeline_chart_refuses_an_unknown_language(chart: Chart) -> None:
    """?lang=fr is a 422 invalid-input naming the lang field."""
    response = await chart.get("fr")
    assert (422, "/problems/invalid-input") == (response.status_code, response.json()["type"])
    assert ["query.lang"] == [e["field"] for e in response.json()["errors"]]
    assert "literal_error" == response.json()["errors"][0]["code"]

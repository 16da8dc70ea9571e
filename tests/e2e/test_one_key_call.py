"""The one-key call (一键呼叫, issue 16): one press at a township unit opens a case there and
alerts the nearest receiving team and the 120 console together; a retry is the same call."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.alerts_helpers import SENDER
from tests.e2e.cases_helpers import read_case, signed_in
from tests.e2e.units_helpers import assert_problem

ONE_KEY = "/api/v1/one-key-call"


async def test_one_press_opens_a_case_here_and_alerts_the_county_and_the_console(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    township = await signed_in(login, SENDER)
    pressed = await client.post(
        ONE_KEY,
        json={"pathway": "stemi", "complaint": "胸痛 1 小时"},
        headers={**township, "Idempotency-Key": "one-key-1"},
    )
    assert 201 == pressed.status_code, pressed.text
    body = pressed.json()
    assert "county-hospital" == body["to_facility_id"]  # the nearest PCI centre by road
    assert body["eta_minutes"] > 0
    case = await read_case(client, township, body["case_id"])
    unit = (await client.get("/api/v1/facilities/th-nandun", headers=township)).json()
    assert ("stemi", "胸痛 1 小时", SENDER) == (
        case["pathway"],
        case["complaint"],
        case["created_by"],
    )
    assert unit["geometry"]["coordinates"] == pytest.approx([case["lon"], case["lat"]])
    alert = (await client.get(f"/api/v1/alerts/{body['alert_id']}", headers=township)).json()
    assert alert["summary"].startswith("一键呼叫 One-key call · ")
    assert "☎" in alert["summary"]  # the unit's phone
    streams = set(
        (
            await db.scalars(
                text("SELECT stream FROM alert_stream WHERE alert_id = :id"),
                {"id": body["alert_id"]},
            )
        ).all()
    )
    assert {"dispatch", "facility:county-hospital", "facility:th-nandun"} <= streams
    again = await client.post(
        ONE_KEY,
        json={"pathway": "stemi", "complaint": "胸痛 1 小时"},
        headers={**township, "Idempotency-Key": "one-key-1"},
    )
    assert (201, body["case_id"], body["alert_id"]) == (
        again.status_code,
        again.json()["case_id"],
        again.json()["alert_id"],
    )


async def test_a_stroke_call_goes_to_a_stroke_centre(
    client: httpx.AsyncClient, login: Login
) -> None:
    township = await signed_in(login, SENDER)
    pressed = await client.post(ONE_KEY, json={"pathway": "stroke"}, headers=township)
    assert 201 == pressed.status_code, pressed.text
    facility = (
        await client.get(f"/api/v1/facilities/{pressed.json()['to_facility_id']}", headers=township)
    ).json()
    capabilities = set(facility["properties"]["capabilities"])
    assert capabilities & {"stroke_thrombolysis", "thrombectomy"}


@pytest.mark.parametrize("who", ["dispatcher", "crew-amb-01", "cathlab-county-hospital", "auditor"])
async def test_only_a_township_unit_makes_the_one_key_call(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, who: str
) -> None:
    before = await db.scalar(text("SELECT count(*) FROM cases"))
    refused = await client.post(
        ONE_KEY, json={"pathway": "stemi"}, headers=await signed_in(login, who)
    )
    assert 403 == refused.status_code, refused.text
    assert before == await db.scalar(text("SELECT count(*) FROM cases"))


async def test_an_unknown_pathway_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    before = await db.scalar(text("SELECT count(*) FROM cases"))
    township = await signed_in(login, SENDER)
    refused = await client.post(ONE_KEY, json={"pathway": "cardiac-ish"}, headers=township)
    assert 422 == assert_problem(refused, 422)["status"]
    extra = await client.post(ONE_KEY, json={"pathway": "stemi", "x": 1}, headers=township)
    assert 422 == extra.status_code
    assert before == await db.scalar(text("SELECT count(*) FROM cases"))

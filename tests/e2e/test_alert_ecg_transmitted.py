"""An ECG attached to an alert records ``ecg_transmitted`` on the case, at the alert's time,
once per case: a retry, a second alert with the same or another ECG, add nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx

from tests.conftest import Login
from tests.e2e.alerts_helpers import alert_body, nandun_case, send
from tests.e2e.cases_helpers import read_case
from tests.files import ecg_image


async def uploaded(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post(
        "/api/v1/attachments",
        files={"file": ("ecg.png", ecg_image("PNG"), "image/png")},
        headers=headers,
    )
    assert 201 == response.status_code, response.text
    attachment_id: str = response.json()["id"]
    return attachment_id


def transmissions(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in case["timeline"] if e["milestone"] == "ecg_transmitted"]


async def test_an_alert_with_an_ecg_stamps_ecg_transmitted_once_at_its_time(
    client: httpx.AsyncClient, login: Login
) -> None:
    """One ecg_transmitted, source alert, at the alert's created_at; a retried key, a second
    alert with the same ECG and one with another ECG leave it the only one."""
    case_id, headers = await nandun_case(client, login)
    ecg = await uploaded(client, headers)
    key = str(uuid.uuid4())
    first = await send(client, headers, alert_body(case_id, attachment_ids=[ecg]), key)
    assert 201 == first.status_code, first.text
    retried = await send(client, headers, alert_body(case_id, attachment_ids=[ecg]), key)
    assert 201 == retried.status_code, retried.text

    stamped = transmissions(await read_case(client, headers, case_id))
    assert 1 == len(stamped), stamped
    assert "alert" == stamped[0]["source"]
    created = datetime.fromisoformat(first.json()["alert"]["created_at"])
    assert created == datetime.fromisoformat(stamped[0]["at"])

    again = await send(client, headers, alert_body(case_id, attachment_ids=[ecg]))
    another = await send(
        client, headers, alert_body(case_id, attachment_ids=[await uploaded(client, headers)])
    )
    assert [201, 201] == [again.status_code, another.status_code]
    assert [stamped[0]["id"]] == [
        e["id"] for e in transmissions(await read_case(client, headers, case_id))
    ]


async def test_an_alert_without_an_ecg_stamps_no_transmission(
    client: httpx.AsyncClient, login: Login
) -> None:
    """No attachment: prealert_sent only, no ecg_transmitted."""
    case_id, headers = await nandun_case(client, login)
    assert 201 == (await send(client, headers, alert_body(case_id))).status_code
    case = await read_case(client, headers, case_id)
    assert [] == transmissions(case)
    assert ["prealert_sent"] == [e["milestone"] for e in case["timeline"]]

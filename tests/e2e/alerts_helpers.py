"""Shared by the alert API tests: the Nandun township unit's STEMI pre-alert to the county
hospital, sending it, answering it, reading a facility's stream.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import NANDUN_VILLAGE, case_body, open_case, signed_in

ALERTS = "/api/v1/alerts"
SENDER = "township-th-nandun"
RECEIVER = "cathlab-county-hospital"
COUNTY = "county-hospital"


def alert_body(case_id: int, **extra: Any) -> dict[str, Any]:
    """A STEMI pre-alert to the county hospital as a township unit sends it."""
    body: dict[str, Any] = {
        "case_id": case_id,
        "to_facility_id": COUNTY,
        "pathway": "stemi",
        "summary": "男 62岁 胸痛 2h, V1-V4 ST抬高",
        "vitals": {"hr": 96, "bp": "150/90", "spo2": 95},
        "eta_minutes": 25,
    }
    body.update(extra)
    return body


async def send(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any],
    key: str | None = None,
) -> httpx.Response:
    """POST /alerts (with an Idempotency-Key if given)."""
    sent = {**headers, "Idempotency-Key": key} if key is not None else headers
    return await client.post(ALERTS, json=body, headers=sent)


async def nandun_case(client: httpx.AsyncClient, login: Login) -> tuple[int, dict[str, str]]:
    """A STEMI case opened by the Nandun township unit, and that unit's headers."""
    headers = await signed_in(login, SENDER)
    case = await open_case(client, headers, case_body(*NANDUN_VILLAGE))
    return int(case["id"]), headers


async def sent_alert(client: httpx.AsyncClient, login: Login) -> dict[str, Any]:
    """A freshly sent alert from Nandun to the county hospital (the 201 body)."""
    case_id, headers = await nandun_case(client, login)
    response = await send(client, headers, alert_body(case_id))
    assert 201 == response.status_code, response.text
    body: dict[str, Any] = response.json()
    return body


async def ack(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    alert_id: int,
    action: str,
    note: str = "",
) -> httpx.Response:
    """POST /alerts/{id}/ack."""
    return await client.post(
        f"{ALERTS}/{alert_id}/ack", json={"action": action, "note": note}, headers=headers
    )


async def stream_of(
    client: httpx.AsyncClient, headers: dict[str, str], facility_id: str, since: int = 0
) -> dict[str, Any]:
    """GET /facilities/{id}/alerts?since= (200)."""
    response = await client.get(
        f"/api/v1/facilities/{facility_id}/alerts", params={"since": since}, headers=headers
    )
    assert 200 == response.status_code, response.text
    body: dict[str, Any] = response.json()
    return body

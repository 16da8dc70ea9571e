"""The alert-answer rate: pre-alerts acknowledged within the target (60 s) over those sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import NANDUN_VILLAGE, case_body, open_case, signed_in, stamp
from tests.e2e.reports_helpers import REPORT

COUNTY = "county-hospital"


async def send_alert(client: httpx.AsyncClient, headers: dict[str, str], case_id: int) -> int:
    """A chest-pain pre-alert from Nandun to the county hospital; its id."""
    body = {"case_id": case_id, "to_facility_id": COUNTY, "pathway": "chest_pain",
            "summary": "合成测试 胸痛", "eta_minutes": 20}  # fmt: skip
    response = await client.post("/api/v1/alerts", json=body, headers=headers)
    assert 201 == response.status_code, response.text
    return int(response.json()["alert"]["id"])


async def test_acknowledged_in_time_over_sent(client: httpx.AsyncClient, login: Login) -> None:
    """Two alerts, one acknowledged at once, one never: 1 of 2, attributed to the county."""
    township = await signed_in(login, "township-th-nandun")
    now = datetime.now(UTC)
    case = await open_case(client, township, case_body(*NANDUN_VILLAGE, pathway="chest_pain"))
    await stamp(client, township, case["id"], "facility_arrival", now - timedelta(minutes=10),
                facility_id="th-nandun")  # fmt: skip
    await stamp(client, township, case["id"], "first_medical_contact", now - timedelta(minutes=10))
    answered = await send_alert(client, township, case["id"])
    await send_alert(client, township, case["id"])
    response = await client.post(
        f"/api/v1/alerts/{answered}/ack",
        json={"action": "acknowledged", "note": ""},
        headers=await signed_in(login, "cathlab-county-hospital"),
    )
    assert 200 == response.status_code, response.text
    period = {
        "from": (now - timedelta(hours=1)).isoformat(),
        "to": (now + timedelta(minutes=5)).isoformat(),
    }
    report = await client.get(
        REPORT,
        params={**period, "pathway": "chest_pain", "cases": "none"},
        headers=await signed_in(login, "auditor"),
    )
    assert 200 == report.status_code, report.text
    metric = next(m for m in report.json()["metrics"] if m["name"] == "alerts_acknowledged_in_time")
    assert (2, 1, 0.5, 1.0) == (metric["n"], metric["met"], metric["compliance"], metric["target"])
    assert [(COUNTY, 2, 1)] == [(e["facility_id"], e["n"], e["met"]) for e in metric["by_facility"]]

"""A trauma alert (a pathway added as data only) goes where the pathway data says: CT."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import NANDUN_VILLAGE, case_body, open_case, signed_in
from tests.e2e.units_helpers import assert_problem

ALERTS = "/api/v1/alerts"
SENDER = "township-th-nandun"


def trauma_alert(case_id: int, to_facility_id: str, pathway: str = "trauma") -> dict[str, Any]:
    return {
        "case_id": case_id,
        "to_facility_id": to_facility_id,
        "pathway": pathway,
        "summary": "男 40岁 车祸 多发伤",
    }


async def test_a_trauma_alert_needs_a_facility_with_ct(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Trauma: refused for a township unit (no CT; the problem names ct), sent to the county."""
    headers = await signed_in(login, SENDER)
    case = await open_case(client, headers, case_body(*NANDUN_VILLAGE, pathway="trauma"))
    refused = await client.post(
        ALERTS, json=trauma_alert(int(case["id"]), "th-nandun"), headers=headers
    )
    problem = assert_problem(refused, 422)
    assert "/problems/alert-rejected" == problem["type"]
    assert "it needs one of ct" in problem["detail"]
    sent = await client.post(
        ALERTS, json=trauma_alert(int(case["id"]), "county-hospital"), headers=headers
    )
    assert 201 == sent.status_code, sent.text


async def test_an_alert_of_a_pathway_not_in_the_data_is_refused(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An alert naming no known pathway: 422 alert-rejected, nothing sent."""
    headers = await signed_in(login, SENDER)
    case = await open_case(client, headers, case_body(*NANDUN_VILLAGE))
    body = trauma_alert(int(case["id"]), "county-hospital", pathway="cardiac")
    problem = assert_problem(await client.post(ALERTS, json=body, headers=headers), 422)
    assert "/problems/alert-rejected" == problem["type"]
    assert "unknown pathway 'cardiac'" in problem["detail"]


async def test_the_pages_learn_the_receivers_from_the_data(client: httpx.AsyncClient) -> None:
    """/web/config tells the field page what each pathway's receivers need, trauma included."""
    config = (await client.get("/api/v1/web/config")).json()
    need = {p["id"]: p["receivers_need"] for p in config["pathways"]}
    assert {"stemi": ["pci"], "trauma": ["ct"]} == {k: need[k] for k in ("stemi", "trauma")}

"""GET /cases/{id}/decision over HTTP: each PCI centre's own door-to-wire is read from the
report read model the stamps keep current."""

from __future__ import annotations

import statistics
from datetime import timedelta

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import CASES, minutes_ago, open_case, signed_in, stamp, transfer

COUNTY = "county-hospital"


async def test_the_decision_uses_the_centres_own_median_from_the_stamps(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Five door-to-wire cases stamped over HTTP make the county hospital's own median."""
    headers = await signed_in(login, "admin")
    door_to_wire = [62, 75, 90, 58, 81]
    for index, minutes in enumerate(door_to_wire):
        case = await open_case(client, headers)
        door = minutes_ago(600 - 100 * index)
        await transfer(client, headers, case["id"], COUNTY)
        await stamp(client, headers, case["id"], "facility_arrival", door, facility_id=COUNTY)
        wire = door + timedelta(minutes=minutes)
        await stamp(client, headers, case["id"], "wire_crossing", wire, facility_id=COUNTY)
    case = await open_case(client, headers)
    await stamp(client, headers, case["id"], "diagnosis", minutes_ago(5))
    response = await client.get(f"{CASES}/{case['id']}/decision", headers=headers)
    assert 200 == response.status_code, response.text
    estimates = {e["option"]["facility_id"]: e for e in response.json()["result"]["pci_estimates"]}
    county = estimates[COUNTY]
    assert (5, "own_median", statistics.median(door_to_wire)) == (
        county["cases"],
        county["door_to_wire_source"],
        county["door_to_wire_minutes"],
    )


async def test_a_busy_cath_lab_is_not_offered_and_late_signs_are_findings(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Issue 14, findings 6 and 8 over HTTP: with the county's cath lab marked busy the county is
    named as not offered and the city recommended; onset 20 h ago and stable: no emergency
    reperfusion; the crew records ongoing ischaemia (PATCH findings): primary PCI."""
    headers = await signed_in(login, "admin")
    busy = await client.patch(
        f"/api/v1/facilities/{COUNTY}", json={"status": "busy"}, headers=headers
    )
    assert 200 == busy.status_code, busy.text
    case = await open_case(client, headers)
    await stamp(client, headers, case["id"], "diagnosis", minutes_ago(5))
    url = f"{CASES}/{case['id']}/decision"
    result = (await client.get(url, headers=headers)).json()["result"]
    assert COUNTY in result["not_offered"]
    assert "city-hospital" == result["best_pci"]["option"]["facility_id"]

    await stamp(client, headers, case["id"], "symptom_onset", minutes_ago(20 * 60))
    late = (await client.get(url, headers=headers)).json()["result"]
    assert ("no_emergency_reperfusion", False) == (late["recommendation"], late["lysis_allowed"])
    patched = await client.patch(
        f"{CASES}/{case['id']}", json={"ongoing_ischaemia": True}, headers=headers
    )
    assert (200, True) == (patched.status_code, patched.json()["findings"]["ongoing_ischaemia"])
    ongoing = (await client.get(url, headers=headers)).json()["result"]
    assert ("primary_pci", "city-hospital") == (
        ongoing["recommendation"],
        ongoing["destination_facility_id"],
    )

"""Issue 14, "stamps in any order": a data manager enters a paper timeline in the CPC form's
order, and the receiving hospital's cath-lab times before the patient's door there. Accepted;
what is out of order or not yet explained is a data-quality flag, never a refusal. Others may
still not bring a facility into a case by a stamp (issue 12, finding 4)."""

from __future__ import annotations

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import (
    NANDUN_VILLAGE,
    case_body,
    minutes_ago,
    open_case,
    post_event,
    read_case,
    signed_in,
    stamp,
    transfer,
)
from tests.e2e.units_helpers import assert_problem

NANDUN, COUNTY = "th-nandun", "county-hospital"


async def test_a_paper_record_is_accepted_in_the_forms_order(
    client: httpx.AsyncClient, login: Login
) -> None:
    """FMC before the door-in, then the county's cath-lab activation and readiness before the
    county is on the case: 201, flagged; its door needs the explicit transfer first (issue 12:
    a stamp never makes a facility a party), then the door and the wire: door -> wire 50."""
    township = await signed_in(login, f"township-{NANDUN}")
    case_id = int((await open_case(client, township, case_body(*NANDUN_VILLAGE)))["id"])
    manager = await signed_in(login, "data-manager")
    rows = [
        ("first_medical_contact", 180, None),
        ("cathlab_activated", 150, COUNTY),
        ("cathlab_ready", 125, COUNTY),
    ]
    made = {
        m: await stamp(
            client, manager, case_id, m, minutes_ago(ago), **({"facility_id": f} if f else {})
        )
        for m, ago, f in rows
    }
    early_door = await post_event(
        client, manager, case_id, "facility_arrival", minutes_ago(120), facility_id=COUNTY
    )
    assert "/problems/transfer-first" == assert_problem(early_door, 409)["type"]
    await transfer(client, manager, case_id, COUNTY)
    await stamp(client, manager, case_id, "facility_arrival", minutes_ago(120), facility_id=COUNTY)
    await stamp(client, manager, case_id, "wire_crossing", minutes_ago(70), facility_id=COUNTY)
    assert "facility_not_on_case" in made["cathlab_activated"]["flags"]
    assert "facility_not_on_case" in made["cathlab_ready"]["flags"]
    case = await read_case(client, manager, case_id)
    d2w = next(i for i in case["intervals"] if i["name"] == "door_to_wire")
    assert (50.0, COUNTY) == (d2w["minutes"], d2w["facility_id"])


async def test_a_township_still_cannot_stamp_at_a_hospital_not_on_the_case(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Not in the population of record-anywhere roles: the township's cath-lab stamp at the
    county (not on the case) is refused, and nothing is written."""
    township = await signed_in(login, f"township-{NANDUN}")
    case_id = int((await open_case(client, township, case_body(*NANDUN_VILLAGE)))["id"])
    refused = await post_event(
        client, township, case_id, "cathlab_activated", minutes_ago(5), facility_id=COUNTY
    )
    assert refused.status_code in (403, 409, 422), refused.text
    assert_problem(refused, refused.status_code)
    assert [] == (await read_case(client, township, case_id))["timeline"]

"""All five centres (issue 16): critical maternal and neonatal care are pathways written as data,
with milestones of their own, configurable targets and receivers by facility kind; a case of
each runs through the same API as a STEMI case, with no code of its own."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Login
from tests.e2e.alerts_helpers import SENDER, send
from tests.e2e.cases_helpers import (
    NANDUN_VILLAGE,
    case_body,
    minutes_ago,
    open_case,
    read_case,
    signed_in,
    stamp,
    transfer,
)
from tests.e2e.units_helpers import assert_problem

COUNTY = "county-hospital"
UNIT = "th-nandun"


def interval(case: dict[str, Any], name: str) -> tuple[float | None, bool | None]:
    found = next(i for i in case["intervals"] if i["name"] == name)
    return found["minutes"], found["met"]


async def test_a_critical_maternal_case_runs_from_the_township_to_the_county_theatre(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The township records the emergency and the referral (its own milestones), alerts the
    county hospital (a receiver by kind; a township unit is not one), the county records door,
    blood and surgery: the pathway's intervals are measured against their targets."""
    township = await signed_in(login, SENDER)
    case = await open_case(client, township, {**case_body(*NANDUN_VILLAGE), "pathway": "maternal"})
    case_id = int(case["id"])
    await stamp(client, township, case_id, "facility_arrival", minutes_ago(120), facility_id=UNIT)
    await stamp(client, township, case_id, "obstetric_emergency_recognised", minutes_ago(110))
    referral = await stamp(client, township, case_id, "referral_decided", minutes_ago(90))
    assert UNIT == referral["facility_id"]  # in a facility: the one the patient is in
    await transfer(client, township, case_id, COUNTY, "产科急救")
    await stamp(client, township, case_id, "facility_departure", minutes_ago(75), facility_id=UNIT)
    body = {
        "case_id": case_id,
        "to_facility_id": COUNTY,
        "pathway": "maternal",
        "summary": "产后出血，转县医院",
    }
    assert 201 == (await send(client, township, body)).status_code
    refused = await send(client, township, {**body, "to_facility_id": "th-shuizhai"})
    assert "/problems/alert-rejected" == assert_problem(refused, 422)["type"]
    county = await signed_in(login, f"cathlab-{COUNTY}")
    await stamp(client, county, case_id, "facility_arrival", minutes_ago(50), facility_id=COUNTY)
    await stamp(client, county, case_id, "blood_ready", minutes_ago(30))
    surgery = await stamp(client, county, case_id, "obstetric_surgery_start", minutes_ago(15))
    assert COUNTY == surgery["facility_id"]
    read = await read_case(client, county, case_id)
    assert (20.0, True) == interval(read, "recognised_to_referral")
    assert (15.0, True) == interval(read, "referral_to_departure")
    assert (20.0, True) == interval(read, "door_to_blood")
    assert (35.0, False) == interval(read, "door_to_surgery")
    chart = await client.get(
        f"/api/v1/cases/{case_id}/timeline.svg", params={"lang": "en"}, headers=county
    )
    assert "Obstetric surgery started" in chart.text


async def test_a_critical_neonatal_case_measures_call_to_team_and_door_to_nicu(
    client: httpx.AsyncClient, login: Login
) -> None:
    township = await signed_in(login, SENDER)
    case = await open_case(client, township, {**case_body(*NANDUN_VILLAGE), "pathway": "neonatal"})
    case_id = int(case["id"])
    await stamp(client, township, case_id, "facility_arrival", minutes_ago(100), facility_id=UNIT)
    await stamp(client, township, case_id, "neonatal_referral_call", minutes_ago(90))
    await transfer(client, township, case_id, COUNTY, "新生儿转运")
    county = await signed_in(login, f"cathlab-{COUNTY}")
    await stamp(client, county, case_id, "transport_team_dispatched", minutes_ago(59))
    await stamp(client, county, case_id, "facility_arrival", minutes_ago(20), facility_id=COUNTY)
    await stamp(client, county, case_id, "nicu_admission", minutes_ago(10))
    read = await read_case(client, county, case_id)
    assert (31.0, False) == interval(read, "call_to_team_dispatched")
    assert (10.0, True) == interval(read, "door_to_nicu")


async def test_a_pathway_s_own_milestone_on_another_pathway_is_flagged(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A STEMI case has no obstetric surgery: the stamp is kept and flagged outside_pathway, as
    any milestone outside the pathway (a data-quality flag, never a refusal); an unknown
    milestone is refused (422)."""
    township = await signed_in(login, SENDER)
    case_id = int((await open_case(client, township, case_body(*NANDUN_VILLAGE)))["id"])
    refused = await client.post(
        f"/api/v1/cases/{case_id}/events",
        json={"milestone": "obstetric_surgery_start", "at": minutes_ago(1).isoformat()},
        headers=township,
    )
    assert (201, ["outside_pathway"]) == (refused.status_code, refused.json()["flags"])
    unknown = await client.post(
        f"/api/v1/cases/{case_id}/events",
        json={"milestone": "baby_born_maybe", "at": minutes_ago(1).isoformat()},
        headers=township,
    )
    assert "unknown milestone 'baby_born_maybe'" in assert_problem(unknown, 422)["detail"]


async def test_the_page_config_names_the_new_milestones(client: httpx.AsyncClient) -> None:
    config = (await client.get("/api/v1/web/config")).json()
    defs = {d["name"]: d for d in config["milestone_defs"]}
    assert ("产科手术开始", "Obstetric surgery started", ["hospital"]) == (
        defs["obstetric_surgery_start"]["label_zh"],
        defs["obstetric_surgery_start"]["label_en"],
        defs["obstetric_surgery_start"]["stamped_by"],
    )
    maternal = next(p for p in config["pathways"] if p["id"] == "maternal")
    assert ["kind:city_hospital", "kind:county_hospital"] == maternal["receivers_need"]

"""Delay reasons (issue 14): a coded reason for a missed target, on the case and counted in the
report; only for an interval that missed, only by those who may write on the case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import (
    CASES,
    NANDUN_VILLAGE,
    case_body,
    minutes_ago,
    open_case,
    signed_in,
    stamp,
    transfer,
)
from tests.e2e.units_helpers import assert_problem

COUNTY = "county-hospital"


async def missed_door_to_wire(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    """A walk-in at the county: FMC -> ECG 5 (met), door -> wire 100 (missed)."""
    case_id = int((await open_case(client, headers, case_body(*NANDUN_VILLAGE)))["id"])
    await transfer(client, headers, case_id, COUNTY)
    await stamp(client, headers, case_id, "facility_arrival", minutes_ago(200), facility_id=COUNTY)
    await stamp(client, headers, case_id, "first_medical_contact", minutes_ago(200))
    await stamp(client, headers, case_id, "first_ecg", minutes_ago(195))
    await stamp(client, headers, case_id, "wire_crossing", minutes_ago(100), facility_id=COUNTY)
    return case_id


def interval(case: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(i for i in case["intervals"] if i["name"] == name)


async def test_a_missed_door_to_wire_takes_a_coded_reason_counted_in_the_report(
    client: httpx.AsyncClient, login: Login
) -> None:
    headers = await signed_in(login, "data-manager")
    case_id = await missed_door_to_wire(client, headers)
    url = f"{CASES}/{case_id}/delay-reasons/door_to_wire"
    answer = await client.put(
        url, json={"code": "cathlab_busy", "note": "lab busy"}, headers=headers
    )
    assert 200 == answer.status_code, answer.text
    d2w = interval(answer.json(), "door_to_wire")
    assert (False, "cathlab_busy", "导管室占用", "lab busy") == (
        d2w["met"],
        d2w["delay_reason"]["code"],
        d2w["delay_reason"]["label_zh"],
        d2w["delay_reason"]["note"],
    )
    today = datetime.now(UTC).date()
    period = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}
    report = await client.get(
        "/api/v1/reports/intervals", params={**period, "cases": "all"}, headers=headers
    )
    counted = [
        (r["code"], r["n"]) for r in report.json()["delay_reasons"] if r["name"] == "door_to_wire"
    ]
    assert ("cathlab_busy", 1) in counted
    listed = next(c for c in report.json()["cases"] if c["case_id"] == case_id)
    reasons = {i["name"]: i["delay_reason"] for i in listed["intervals"]}
    assert {"code": "cathlab_busy", "label_zh": "导管室占用", "label_en": "Cath lab busy",
            "note": "lab busy"} == reasons["door_to_wire"]  # fmt: skip
    assert None is reasons["fmc_to_first_ecg"]  # met: no reason


async def test_no_reason_for_a_met_target_or_an_unknown_code_or_a_stranger(
    client: httpx.AsyncClient, login: Login
) -> None:
    """FMC -> first ECG was met: 422; an unknown code: 422; the auditor (read-only) and
    another township may not write: 403; nothing recorded."""
    headers = await signed_in(login, "data-manager")
    case_id = await missed_door_to_wire(client, headers)
    base = f"{CASES}/{case_id}/delay-reasons"
    met = await client.put(f"{base}/fmc_to_first_ecg", json={"code": "other"}, headers=headers)
    refused = assert_problem(met, 422)
    assert "/problems/invalid-delay-reason" == refused["type"]
    assert "did not miss" in refused["detail"]
    unknown = await client.put(f"{base}/door_to_wire", json={"code": "bad_luck"}, headers=headers)
    assert_problem(unknown, 422)
    for user in ("auditor", "township-th-fanji"):
        refused = await client.put(
            f"{base}/door_to_wire", json={"code": "other"}, headers=await signed_in(login, user)
        )
        assert refused.status_code in (403, 404), refused.text
    case = (await client.get(f"{CASES}/{case_id}", headers=headers)).json()
    assert None is interval(case, "door_to_wire")["delay_reason"]

"""The caller's phone, the patient's name and ID number and the address on a case (issue 13,
item 8): validated (nothing written when bad), read only by the case's parties, kept out of the
audit trail's before/after; a stroke case's last-known-well time reaches the decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.cases_helpers import CASES, NANDUN_VILLAGE, case_body, open_case, signed_in
from tests.e2e.units_helpers import assert_problem

# Synthetic: an area code no one has, with a correct GB 11643 check digit; a made-up name.
ID_NUMBER = "999999198001011233"
PHONE = "138-0000-0000"
NAME = "演示患者甲"
ADDRESS = "南顿镇吴庄村东头第三户（演示）"
PERSONAL = {
    "caller_phone": PHONE,
    "address": ADDRESS,
    "patient": {"age": 61, "sex": "male", "name": NAME, "id_number": ID_NUMBER},
}


async def count_cases(db: AsyncSession) -> int:
    return int(await db.scalar(text("SELECT count(*) FROM cases")) or 0)


async def test_the_parties_read_the_caller_and_the_patient(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Opened with the phone, name, ID number and address: the opener and the township the
    case came to read them back (the ID number's x upper-cased)."""
    dispatcher = await signed_in(login, "dispatcher")
    body = case_body(*NANDUN_VILLAGE, **PERSONAL)
    body["patient"] = {**PERSONAL["patient"], "id_number": "11010519491231002x"}
    case = await open_case(client, dispatcher, body)
    assert (PHONE, ADDRESS, NAME, "11010519491231002X") == (
        case["caller_phone"],
        case["address"],
        case["patient"]["name"],
        case["patient"]["id_number"],
    )
    moved = await client.post(
        f"{CASES}/{case['id']}/transfer", json={"facility_id": "th-nandun"}, headers=dispatcher
    )
    assert 200 == moved.status_code, moved.text
    township = await signed_in(login, "township-th-nandun")
    seen = (await client.get(f"{CASES}/{case['id']}", headers=township)).json()
    assert (PHONE, NAME) == (seen["caller_phone"], seen["patient"]["name"])


async def test_a_stranger_never_sees_the_phone_or_the_id_number(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Another township: the case is refused (403) and missing from its list; nothing it gets
    carries the phone, the name or the ID number."""
    township = await signed_in(login, "township-th-nandun")
    case = await open_case(client, township, case_body(*NANDUN_VILLAGE, **PERSONAL))
    stranger = await signed_in(login, "township-th-dingji")
    responses = [
        await client.get(f"{CASES}/{case['id']}", headers=stranger),
        await client.get(f"{CASES}/{case['id']}/decision", headers=stranger),
        await client.get(CASES, params={"limit": 1000}, headers=stranger),
    ]
    assert_problem(responses[0], 403)
    assert_problem(responses[1], 403)
    assert case["id"] not in [c["id"] for c in responses[2].json()]
    for response in responses:
        for secret in (PHONE, NAME, ID_NUMBER, ADDRESS):
            assert secret not in response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("caller_phone", "138-abc"),
        ("caller_phone", "12"),
        ("caller_phone", "1" * 40),
        ("address", "地" * 201),
        ("patient.name", "名" * 65),
        ("patient.id_number", "999999198001011234"),  # wrong check digit
        ("patient.id_number", "99999919800101123"),  # 17 characters
    ],
)
async def test_bad_personal_data_is_422_and_nothing_is_written(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, field: str, value: str
) -> None:
    """A bad phone, ID number or an over-long name or address: 422 naming the field, without
    the value; no case is opened."""
    dispatcher = await signed_in(login, "dispatcher")
    body: dict[str, Any] = case_body(*NANDUN_VILLAGE)
    if field.startswith("patient."):
        body["patient"] = {field.removeprefix("patient."): value}
    else:
        body[field] = value
    before = await count_cases(db)
    refused = await client.post(CASES, json=body, headers=dispatcher)
    problem = assert_problem(refused, 422)
    assert [field] == [e["field"] for e in problem["errors"]]
    assert value not in refused.text
    assert before == await count_cases(db)


async def test_a_patch_adds_them_and_the_audit_names_only_what_changed(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """PATCH sets the phone and the patient's name and ID number (age kept); the audit entry
    lists the changed fields by name and holds none of the values."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher, case_body(*NANDUN_VILLAGE, patient={"age": 70}))
    patch = {"caller_phone": PHONE, "patient": {"name": NAME, "id_number": ID_NUMBER}}
    changed = await client.patch(f"{CASES}/{case['id']}", json=patch, headers=dispatcher)
    assert 200 == changed.status_code, changed.text
    assert (PHONE, NAME, ID_NUMBER, 70) == (
        changed.json()["caller_phone"],
        changed.json()["patient"]["name"],
        changed.json()["patient"]["id_number"],
        changed.json()["patient"]["age"],
    )
    details = await db.scalars(
        text("SELECT detail FROM audit_log WHERE case_id = :id AND action = 'case.update'"),
        {"id": case["id"]},
    )
    entry = details.one()
    assert ["caller_phone", "patient_id_number", "patient_name"] == entry["personal_changed"]
    for secret in (PHONE, NAME, ID_NUMBER):
        assert secret not in json.dumps(entry, ensure_ascii=False)


async def test_a_stroke_case_s_last_known_well_reaches_the_decision(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Opened with last_known_well_at: the stroke decision counts the hours from it and no
    longer says it is unknown; a time in the future is refused."""
    dispatcher = await signed_in(login, "dispatcher")
    well = datetime.now(UTC) - timedelta(hours=2)
    body = case_body(*NANDUN_VILLAGE, pathway="stroke", last_known_well_at=well.isoformat())
    case = await open_case(client, dispatcher, body)
    decision = await client.get(f"{CASES}/{case['id']}/decision", headers=dispatcher)
    assert 200 == decision.status_code, decision.text
    result = decision.json()["result"]
    assert 2.0 == pytest.approx(result["hours_since_last_known_well"], abs=0.05)
    assert "lkw_missing" not in json.dumps(result)
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    late = case_body(*NANDUN_VILLAGE, pathway="stroke", last_known_well_at=future)
    assert_problem(await client.post(CASES, json=late, headers=dispatcher), 422)

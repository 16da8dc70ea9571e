"""Write scope over HTTP (issue 12, finding 4): who stamps which milestone at which facility, and
a facility joins a case only by an explicit transfer, never by a stamp."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.alerts_helpers import ALERTS, alert_body, send
from tests.e2e.cases_helpers import (
    CASES,
    NANDUN_VILLAGE,
    case_body,
    count_events,
    minutes_ago,
    open_case,
    post_event,
    read_case,
    signed_in,
    stamp,
    transfer,
)
from tests.e2e.units_helpers import assert_problem

NANDUN, DINGJI, COUNTY = "th-nandun", "th-dingji", "county-hospital"


async def nandun_case_on_amb_05(client: httpx.AsyncClient, login: Login) -> int:
    """A case opened by the Nandun unit (its patient inside), amb-05 dispatched, bound for the
    county hospital (transferred there by dispatch)."""
    township = await signed_in(login, f"township-{NANDUN}")
    case_id = int((await open_case(client, township, case_body(*NANDUN_VILLAGE)))["id"])
    await stamp(client, township, case_id, "facility_arrival", minutes_ago(40), facility_id=NANDUN)
    dispatcher = await signed_in(login, "dispatcher")
    sent = await client.post(
        f"{CASES}/{case_id}/dispatch", json={"ambulance_id": "amb-05"}, headers=dispatcher
    )
    assert 200 == sent.status_code, sent.text
    await transfer(client, dispatcher, case_id, COUNTY, "STEMI: primary PCI")
    return case_id


# role x {own facility, other facility} x {pre-hospital, hospital milestone}
@pytest.mark.parametrize(
    ("user", "milestone", "facility", "status"),
    [
        (f"township-{NANDUN}", "first_ecg", NANDUN, 201),  # own, pre-hospital
        (f"township-{NANDUN}", "thrombolysis_start", NANDUN, 201),  # own, in-hospital
        (f"township-{NANDUN}", "first_ecg", COUNTY, 403),  # other, pre-hospital
        (f"township-{NANDUN}", "cathlab_arrival", COUNTY, 403),  # other, hospital
        (f"township-{NANDUN}", "facility_arrival", COUNTY, 403),  # another team's door
        (f"township-{DINGJI}", "first_ecg", None, 403),  # not a party of the case
        (f"cathlab-{COUNTY}", "cathlab_arrival", COUNTY, 201),  # own, hospital
        (f"cathlab-{COUNTY}", "diagnosis", None, 201),  # own (the ECG centre's reading)
        (f"cathlab-{COUNTY}", "first_ecg", NANDUN, 403),  # other, pre-hospital
        (f"cathlab-{COUNTY}", "facility_departure", NANDUN, 403),  # other, door-out
        ("cathlab-city-hospital", "cathlab_arrival", "city-hospital", 403),  # not on the case
        ("crew-amb-05", "facility_arrival", "city-hospital", 409),  # not on the case
        ("crew-amb-05", "first_ecg", None, 201),  # assigned crew, pre-hospital
        ("crew-amb-05", "facility_arrival", COUNTY, 201),  # its door-in at the destination
        ("crew-amb-05", "cathlab_arrival", COUNTY, 403),  # assigned crew, hospital
        ("crew-amb-01", "first_ecg", None, 403),  # another ambulance's crew
        ("dispatcher", "unit_notified", None, 201),  # dispatch milestone
        ("dispatcher", "first_ecg", None, 403),  # pre-hospital, not dispatch
        ("dispatcher", "cathlab_arrival", COUNTY, 403),  # hospital
        ("admin", "cathlab_arrival", COUNTY, 201),
        ("admin", "first_ecg", NANDUN, 201),
        ("data-manager", "cathlab_arrival", COUNTY, 201),
        ("data-manager", "first_ecg", NANDUN, 201),
        ("auditor", "first_ecg", None, 403),
    ],
)
async def test_who_stamps_which_milestone_where(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    user: str,
    milestone: str,
    facility: str | None,
    status: int,
) -> None:
    """201 inside the user's write scope; otherwise a problem naming why, and nothing written."""
    case_id = await nandun_case_on_amb_05(client, login)
    before = await count_events(db, case_id)
    extra = {"facility_id": facility} if facility else {}
    response = await post_event(
        client, await signed_in(login, user), case_id, milestone, minutes_ago(5), **extra
    )
    if status == 201:
        assert 201 == response.status_code, response.text
        assert before + 1 == await count_events(db, case_id)
        return
    problem = assert_problem(response, status)
    assert before == await count_events(db, case_id)
    if status == 403:
        assert "/problems/forbidden" == problem["type"]
    else:
        assert "/problems/transfer-first" == problem["type"]
        assert "transfer the patient there first" in problem["detail"]


async def test_the_finding_a_township_cannot_make_a_door_to_wire_elsewhere(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Finding 4: the Nandun unit stamps a door-in at Dingji and at the county hospital, then the
    wire there. Every stamp is refused, Dingji gets no access, the cath lab's alert stays open
    and the county has no door-to-wire."""
    township = await signed_in(login, f"township-{NANDUN}")
    case_id = int((await open_case(client, township, case_body(*NANDUN_VILLAGE)))["id"])
    await stamp(client, township, case_id, "facility_arrival", minutes_ago(30), facility_id=NANDUN)
    sent = await send(client, township, alert_body(case_id))
    assert 201 == sent.status_code, sent.text
    alert_id = sent.json()["alert"]["id"]
    before = await count_events(db, case_id)

    at_dingji = await post_event(
        client, township, case_id, "facility_arrival", minutes_ago(20), facility_id=DINGJI
    )
    assert "/problems/transfer-first" == assert_problem(at_dingji, 409)["type"]
    dingji = await signed_in(login, f"township-{DINGJI}")
    assert_problem(await client.get(f"{CASES}/{case_id}", headers=dingji), 403)
    assert_problem(await post_event(client, dingji, case_id, "first_ecg", minutes_ago(1)), 403)

    at_county = await post_event(
        client, township, case_id, "facility_arrival", minutes_ago(2), facility_id=COUNTY
    )
    assert "/problems/transfer-first" == assert_problem(at_county, 409)["type"]
    wire = await post_event(
        client, township, case_id, "wire_crossing", minutes_ago(2), facility_id=COUNTY
    )
    assert "transfer the patient there first" in assert_problem(wire, 422)["detail"]

    # Even once the county is on the case (the unit sends the patient there), its door and its
    # wire are the county's own team's to stamp.
    await transfer(client, township, case_id, COUNTY, "primary PCI")
    for milestone in ("facility_arrival", "wire_crossing"):
        refused = await post_event(
            client, township, case_id, milestone, minutes_ago(2), facility_id=COUNTY
        )
        assert "/problems/forbidden" == assert_problem(refused, 403)["type"]
        assert COUNTY in assert_problem(refused, 403)["detail"]

    assert before == await count_events(db, case_id)
    alert = (await client.get(f"{ALERTS}/{alert_id}", headers=township)).json()
    assert (None, "sent") == (alert["closed_at"], alert["status"])
    after = await read_case(client, township, case_id)
    assert [] == [i for i in after["intervals"] if i["name"] == "door_to_wire"]
    assert {NANDUN} == {leg["facility_id"] for leg in after["legs"]}


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("dispatcher", 200),
        ("admin", 200),
        ("data-manager", 200),
        ("crew-amb-05", 200),  # the crew assigned
        (f"township-{NANDUN}", 200),  # holds the patient
        (f"cathlab-{COUNTY}", 403),  # a party, but not holding the patient
        ("crew-amb-01", 403),
        (f"township-{DINGJI}", 403),
        ("auditor", 403),
    ],
)
async def test_who_transfers_the_patient(
    client: httpx.AsyncClient, login: Login, user: str, status: int
) -> None:
    """POST /cases/{id}/transfer: dispatch, admin, data manager, the crew, the holding unit."""
    case_id = await nandun_case_on_amb_05(client, login)
    headers = await signed_in(login, user)
    response = await client.post(
        f"{CASES}/{case_id}/transfer",
        json={"facility_id": "city-hospital", "reason": "24/7 PCI"},
        headers=headers,
    )
    dispatcher = await signed_in(login, "dispatcher")
    after = await read_case(client, dispatcher, case_id)
    transfers = [h for h in after["history"] if h["action"] == "transfer"]
    if status == 200:
        assert 200 == response.status_code, response.text
        assert "city-hospital" == after["destination_facility_id"]
        assert [COUNTY, "city-hospital"] == [h["facility_id"] for h in transfers]
        assert (user, "24/7 PCI") == (transfers[-1]["by"], transfers[-1]["reason"])
        city = await signed_in(login, "cathlab-city-hospital")
        assert 200 == (await client.get(f"{CASES}/{case_id}", headers=city)).status_code
    else:
        assert_problem(response, status)
        assert COUNTY == after["destination_facility_id"]
        assert [COUNTY] == [h["facility_id"] for h in transfers]


async def test_a_destination_by_patch_is_a_transfer_with_the_same_rule(
    client: httpx.AsyncClient, login: Login
) -> None:
    """PATCH destination_facility_id is a transfer: refused to the party not holding the
    patient, recorded in the history when allowed; an unknown facility is 404."""
    case_id = await nandun_case_on_amb_05(client, login)
    cathlab = await signed_in(login, f"cathlab-{COUNTY}")
    refused = await client.patch(
        f"{CASES}/{case_id}", json={"destination_facility_id": DINGJI}, headers=cathlab
    )
    assert_problem(refused, 403)
    township = await signed_in(login, f"township-{NANDUN}")
    unknown = await client.post(
        f"{CASES}/{case_id}/transfer", json={"facility_id": "no-such-place"}, headers=township
    )
    assert_problem(unknown, 404)
    moved = await client.patch(
        f"{CASES}/{case_id}", json={"destination_facility_id": DINGJI}, headers=township
    )
    assert 200 == moved.status_code, moved.text
    body: dict[str, Any] = moved.json()
    assert DINGJI == body["destination_facility_id"]
    assert [COUNTY, DINGJI] == [h["facility_id"] for h in body["history"]]
    dingji = await signed_in(login, f"township-{DINGJI}")
    door = await stamp(
        client, dingji, case_id, "facility_arrival", minutes_ago(1), facility_id=DINGJI
    )
    assert DINGJI == door["facility_id"]


async def test_the_data_manager_reads_like_an_auditor(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The demo login data-manager (质控员) lists and reads any case, and sends no alert."""
    case_id = await nandun_case_on_amb_05(client, login)
    manager = await signed_in(login, "data-manager")
    listed = await client.get(CASES, headers=manager, params={"limit": 1000})
    assert case_id in {c["id"] for c in listed.json()}
    assert 200 == (await client.get(f"{CASES}/{case_id}", headers=manager)).status_code
    me = await client.get("/api/v1/auth/me", headers=manager)
    assert "data_manager" == me.json()["role"]
    assert_problem(await send(client, manager, alert_body(case_id)), 403)


@pytest.mark.parametrize(
    ("user", "facility", "status"),
    [
        (f"township-{NANDUN}", NANDUN, 403),  # moving the county's wire to its own facility
        (f"township-{NANDUN}", COUNTY, 403),
        ("crew-amb-05", None, 403),
        ("dispatcher", COUNTY, 403),
        (f"cathlab-{COUNTY}", COUNTY, 201),  # the county's own team
        ("data-manager", COUNTY, 201),
    ],
)
async def test_a_correction_needs_the_scope_of_the_stamp_it_corrects(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    user: str,
    facility: str | None,
    status: int,
) -> None:
    """The county's wire_crossing corrected by someone outside the county's team: 403 (a
    correction must be allowed for the corrected stamp and for the new one); by the county's
    team or a data manager, with a reason: 201."""
    case_id = await nandun_case_on_amb_05(client, login)
    cathlab = await signed_in(login, f"cathlab-{COUNTY}")
    await stamp(client, cathlab, case_id, "facility_arrival", minutes_ago(30), facility_id=COUNTY)
    wire = await stamp(
        client, cathlab, case_id, "wire_crossing", minutes_ago(10), facility_id=COUNTY
    )
    before = await count_events(db, case_id)
    extra = {"facility_id": facility} if facility else {}
    response = await post_event(
        client, await signed_in(login, user), case_id, "wire_crossing", minutes_ago(12),
        supersedes=wire["id"], reason="the monitor's clock", **extra,
    )  # fmt: skip
    if status == 201:
        assert 201 == response.status_code, response.text
        assert before + 1 == await count_events(db, case_id)
    else:
        assert "/problems/forbidden" == assert_problem(response, 403)["type"]
        assert before == await count_events(db, case_id)

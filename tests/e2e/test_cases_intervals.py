"""Intervals through GET /cases/{id}: the 47-minute case and every STEMI and stroke interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import (
    CASES,
    NANDUN_VILLAGE,
    SHANGHAI,
    case_body,
    intervals_by_name,
    last_shanghai_2340,
    milestones_of,
    open_case,
    read_case,
    signed_in,
    stamp,
    summary_of,
    transfer,
    when,
)


def minute_floor(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


async def set_destination(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: int, facility_id: str
) -> None:
    response = await client.patch(
        f"{CASES}/{case_id}", json={"destination_facility_id": facility_id}, headers=headers
    )
    assert 200 == response.status_code, response.text


async def test_the_47_minute_case(client: httpx.AsyncClient, login: Login) -> None:
    """Township critical value at 23:40 → county cath-lab puncture at 00:27: 47 minutes, met."""
    township = await signed_in(login, "township-th-nandun")
    cathlab = await signed_in(login, "cathlab-county-hospital")
    critical = last_shanghai_2340(datetime.now(UTC), timedelta(minutes=90))
    assert (23, 40) == (critical.hour, critical.minute)

    def t(minutes: int) -> datetime:
        return critical + timedelta(minutes=minutes)

    case = await open_case(client, township, case_body(*NANDUN_VILLAGE, complaint="胸痛3小时"))
    cid = case["id"]
    for milestone, at, facility in [
        ("facility_arrival", t(-20), "th-nandun"),
        ("first_medical_contact", t(-20), None),
        ("first_ecg", t(-16), None),
        ("ecg_transmitted", t(-14), None),
        ("diagnosis", t(-8), None),  # the county's reading of the transmitted ECG
        ("critical_value_reported", t(0), None),
    ]:
        extra = {"facility_id": facility} if facility else {}
        await stamp(client, township, cid, milestone, at, **extra)
    # the township, holding the patient, sends them to the county: the county joins the case
    await transfer(client, township, cid, "county-hospital", "STEMI: primary PCI")
    await stamp(client, township, cid, "facility_departure", t(8), facility_id="th-nandun")
    # the cath-lab team (activated from the field) stamps its own times, the door-in included
    for milestone, at in [
        ("facility_arrival", t(35)),  # the crew hands over at the county
        ("cathlab_activated", t(4)),
        ("cathlab_ready", t(30)),
        ("cathlab_arrival", t(38)),
        ("arterial_puncture", t(47)),
        ("wire_crossing", t(58)),
    ]:
        await stamp(client, cathlab, cid, milestone, at, facility_id="county-hospital")

    after = await read_case(client, cathlab, cid)
    puncture = when(milestones_of(after, "arterial_puncture")[0]["at"]).astimezone(SHANGHAI)
    assert ((0, 27), critical.date() + timedelta(days=1)) == (
        (puncture.hour, puncture.minute),
        puncture.date(),
    )  # across midnight, Asia/Shanghai
    found = intervals_by_name(after)
    value = found["critical_value_to_puncture"]
    assert [(47.0, 60, True)] == [(i["minutes"], i["target_minutes"], i["met"]) for i in value]
    assert (t(0), t(47)) == (when(value[0]["start_at"]), when(value[0]["end_at"]))
    summary = summary_of(after)
    assert (28.0, True) == summary[("door_in_door_out", "th-nandun")]
    assert (23.0, True) == summary[("door_to_wire", "county-hospital")]
    assert (78.0, True) == summary[("fmc_to_wire_transferred", None)]
    assert "fmc_to_wire_direct" not in found
    assert [("door_in_door_out", "th-nandun")] == [
        (i["name"], i["facility_id"]) for i in after["intervals"] if i["name"] == "door_in_door_out"
    ]  # the county hospital has PCI: no door-in-door-out there
    assert [
        ("th-nandun", t(-20), t(8)),
        ("county-hospital", t(35), None),
    ] == [
        (g["facility_id"], when(g["door_in"]), g["door_out"] and when(g["door_out"]))
        for g in after["legs"]
    ]
    assert [] == milestones_of(after, "call_received")  # a walk-in: no 120 call


async def test_every_stemi_interval_of_a_transfer(client: httpx.AsyncClient, login: Login) -> None:
    """A township walk-in sent for primary PCI: each STEMI interval, minutes and met; then the
    same case with a needle at the township: no longer primary PCI, so door -> wire, FMC ->
    wire, DIDO and cath-lab activation leave it and door -> needle comes in (issue 14)."""
    headers = await signed_in(login, "data-manager")  # entering the paper record
    t0 = minute_floor(datetime.now(UTC)) - timedelta(hours=4)

    def t(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    case = await open_case(client, headers, case_body(*NANDUN_VILLAGE))
    cid = case["id"]
    await stamp(client, headers, cid, "first_medical_contact", t(0))
    early = summary_of(await read_case(client, headers, cid))
    assert (None, None) == early[("fmc_to_first_ecg", None)]
    assert "door_to_wire" not in {name for name, _ in early}  # no wire yet: does not apply

    await transfer(client, headers, cid, "th-nandun")  # the patient came in there
    await set_destination(client, headers, cid, "county-hospital")
    for milestone, at, facility in [
        ("symptom_onset", t(-60), None),
        ("facility_arrival", t(0), "th-nandun"),
        ("first_ecg", t(10), None),
        ("ecg_transmitted", t(15), None),
        ("diagnosis", t(21), None),
        ("critical_value_reported", t(22), None),
        ("cathlab_activated", t(40), "county-hospital"),
        ("facility_departure", t(45), "th-nandun"),
        ("cathlab_ready", t(70), "county-hospital"),
        ("facility_arrival", t(80), "county-hospital"),
        ("cathlab_arrival", t(85), None),
        ("arterial_puncture", t(95), None),
        ("wire_crossing", t(170), None),
    ]:
        extra = {"facility_id": facility} if facility else {}
        await stamp(client, headers, cid, milestone, at, **extra)

    after = await read_case(client, headers, cid)
    assert {
        ("fmc_to_first_ecg", None): (10.0, True),  # at the target: met (<=)
        ("first_ecg_to_diagnosis", None): (11.0, False),
        ("first_ecg_to_notification", None): (5.0, True),
        ("critical_value_to_puncture", None): (73.0, False),
        ("door_in_door_out", "th-nandun"): (45.0, False),
        ("door_to_wire", "county-hospital"): (90.0, True),
        ("fmc_to_wire_transferred", None): (170.0, False),
        ("cathlab_activation", None): (30.0, False),  # at the target: missed (<)
        ("symptom_onset_to_fmc", None): (60.0, None),  # no target
        ("diagnosis_to_wire_transferred", None): (149.0, False),  # t21 -> t170, over 120
        ("total_ischaemic_time", None): (230.0, None),  # t-60 -> t170, reported
    } == summary_of(after)
    assert ["th-nandun", "county-hospital"] == [g["facility_id"] for g in after["legs"]]

    await stamp(client, headers, cid, "thrombolysis_start", t(30))  # at the township unit
    lysed = await read_case(client, headers, cid)
    names = {name for name, _ in summary_of(lysed)}
    assert not names & {"door_to_wire", "fmc_to_wire_transferred", "door_in_door_out"}
    assert "cathlab_activation" not in names
    assert (30.0, True) == summary_of(lysed)[("door_to_needle", "th-nandun")]
    thrombolysis = milestones_of(lysed, "thrombolysis_start")[0]
    assert "th-nandun" == thrombolysis["facility_id"]


async def test_a_walk_in_at_the_pci_centre_is_direct(
    client: httpx.AsyncClient, login: Login
) -> None:
    """First seen at the PCI centre: FMC → wire is the direct one (<= 90), no DIDO, no D2N."""
    headers = await signed_in(login, "data-manager")  # entering the paper record
    t0 = minute_floor(datetime.now(UTC)) - timedelta(hours=3)
    case = await open_case(client, headers)
    await transfer(client, headers, case["id"], "county-hospital")
    for milestone, minutes, facility in [
        ("facility_arrival", 0, "county-hospital"),
        ("first_medical_contact", 0, None),
        ("first_ecg", 6, None),
        ("diagnosis", 12, None),
        ("wire_crossing", 90, None),
    ]:
        extra = {"facility_id": facility} if facility else {}
        await stamp(
            client, headers, case["id"], milestone, t0 + timedelta(minutes=minutes), **extra
        )

    found = intervals_by_name(await read_case(client, headers, case["id"]))
    summary = {name: [(i["minutes"], i["met"]) for i in items] for name, items in found.items()}
    assert [(90.0, True)] == summary["fmc_to_wire_direct"]
    assert [(90.0, True)] == summary["door_to_wire"]
    assert [(6.0, True)] == summary["fmc_to_first_ecg"]
    assert [(6.0, True)] == summary["first_ecg_to_diagnosis"]
    assert not {"fmc_to_wire_transferred", "door_in_door_out", "door_to_needle"} & set(found)
    assert [(None, None)] == summary["cathlab_activation"]
    assert ["cathlab_activated", "cathlab_ready"] == found["cathlab_activation"][0]["missing"]


async def test_every_stroke_interval_of_a_drip_and_ship(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Lysis at the county (no thrombectomy), groin puncture at the city: each stroke interval."""
    headers = await signed_in(login, "data-manager")  # entering the paper record
    t0 = minute_floor(datetime.now(UTC)) - timedelta(hours=5)

    def t(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    case = await open_case(client, headers, case_body(pathway="stroke"))
    cid = case["id"]
    await transfer(client, headers, cid, "county-hospital")
    await transfer(client, headers, cid, "city-hospital")  # drip and ship
    for milestone, at, facility in [
        ("facility_arrival", t(0), "county-hospital"),
        ("critical_value_reported", t(20), None),
        ("ct_start", t(25), None),
        ("ct_read", t(44), None),
        ("thrombolysis_start", t(60), None),
        ("facility_departure", t(70), "county-hospital"),
        ("facility_arrival", t(130), "city-hospital"),
        ("arterial_puncture", t(200), None),
    ]:
        extra = {"facility_id": facility} if facility else {}
        event = await stamp(client, headers, cid, milestone, at, **extra)
        assert [] == event["flags"], (milestone, event["flags"])

    after = await read_case(client, headers, cid)
    assert {
        ("door_to_ct", "county-hospital"): (25.0, True),  # at the target: met (<= 25)
        ("door_to_ct_read", "county-hospital"): (44.0, True),
        ("door_to_needle", "county-hospital"): (60.0, True),  # at the target: met (<= 60)
        ("door_to_groin", "city-hospital"): (70.0, True),
        ("door_in_door_out", "county-hospital"): (70.0, False),
        ("critical_value_to_puncture", None): (180.0, False),
        ("door_to_needle_45", "county-hospital"): (60.0, False),  # the second DNT target
        ("onset_to_door", "county-hospital"): (None, None),  # no onset stamped
        ("onset_to_needle", None): (None, None),
        ("puncture_to_recanalization", None): (None, None),  # no recanalization stamped
    } == summary_of(after)
    puncture = milestones_of(after, "arterial_puncture")[0]
    assert "city-hospital" == puncture["facility_id"]
    targets = {i["name"]: i["target_minutes"] for i in after["intervals"]}
    assert {
        "door_to_ct": 25,
        "door_to_ct_read": 45,
        "door_to_needle": 60,
        "door_to_groin": 90,
        "door_in_door_out": 60,
        "critical_value_to_puncture": 90,
        "door_to_needle_45": 45,
        "onset_to_door": None,
        "onset_to_needle": None,
        "puncture_to_recanalization": None,
    } == targets

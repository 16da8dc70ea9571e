"""STEMI intervals (pure): the 47-minute reference case, every target at, just below and just
above it, and a walk-in at the PCI hospital; every expected minute is written by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dispatch.cases.intervals import Stamp, legs, transferred
from tests.unit.intervals_helpers import (
    CAPABILITIES,
    COUNTY,
    TOWNSHIP_A,
    compute,
    local,
    names,
    only,
    pathway,
    stamps,
    utc,
)

# The reference case (docs/domain.md, "Information before the patient"): a township STEMI
# patient, critical value reported at the township unit at 23:40, puncture in the county cath lab
# at 00:27 the next day.
REFERENCE = stamps(
    ("symptom_onset", local(14, 22, 30)),
    ("first_medical_contact", local(14, 23, 18), TOWNSHIP_A),  # walk-in: the unit's door
    ("facility_arrival", local(14, 23, 18), TOWNSHIP_A),
    ("first_ecg", local(14, 23, 24), TOWNSHIP_A),
    ("ecg_transmitted", utc(14, 15, 27), TOWNSHIP_A),  # 23:27 local
    ("prealert_sent", local(14, 23, 29), TOWNSHIP_A),
    ("diagnosis", local(14, 23, 33)),  # the county reads the transmitted ECG
    ("critical_value_reported", local(14, 23, 40), TOWNSHIP_A),
    ("cathlab_activated", utc(14, 15, 41), COUNTY),  # 23:41 local
    ("facility_departure", local(14, 23, 46), TOWNSHIP_A),
    ("cathlab_ready", local(15, 0, 5), COUNTY),
    ("facility_arrival", utc(14, 16, 19), COUNTY),  # 00:19 local, next day
    ("cathlab_arrival", local(15, 0, 21), COUNTY),
    ("arterial_puncture", utc(14, 16, 27), COUNTY),  # 00:27 local, next day
    ("wire_crossing", local(15, 0, 36), COUNTY),
)


# --- the 47-minute reference case ---------------------------------------------------------


def test_reference_case_is_47_minutes_across_midnight() -> None:
    """Critical value 23:40 at the township → puncture 00:27 next day = 47.0 min, target met."""
    result = only(compute("stemi", REFERENCE), "critical_value_to_puncture")
    assert 47.0 == result.minutes
    assert (60, True) == (result.target_minutes, result.met)
    assert (local(14, 23, 40), local(15, 0, 27)) == (result.start_at, result.end_at)
    assert () == result.missing


def test_reference_case_every_interval() -> None:
    """The reference case's intervals, in the pathway's order, with hand-computed minutes."""
    results = compute("stemi", REFERENCE)
    expected = [
        ("fmc_to_first_ecg", 6.0, True, None),  # 23:18 → 23:24
        ("first_ecg_to_diagnosis", 9.0, True, None),  # 23:24 → 23:33
        ("first_ecg_to_notification", 3.0, True, None),  # 23:24 → transmitted 23:27
        ("critical_value_to_puncture", 47.0, True, None),  # 23:40 → 00:27
        ("door_in_door_out", 28.0, True, TOWNSHIP_A),  # 23:18 → 23:46 at the township
        ("door_to_wire", 17.0, True, COUNTY),  # 00:19 → 00:36 at the county
        ("fmc_to_wire_transferred", 78.0, True, None),  # 23:18 → 00:36
        ("cathlab_activation", 24.0, True, None),  # 23:41 → 00:05
        ("symptom_onset_to_fmc", 48.0, None, None),  # 22:30 → 23:18, no target
        ("diagnosis_to_wire_transferred", 63.0, True, None),  # 23:33 → 00:36
        ("total_ischaemic_time", 126.0, None, None),  # 22:30 → 00:36, reported, no target
    ]
    assert expected == [(r.name, r.minutes, r.met, r.facility_id) for r in results]


def test_reference_case_is_transferred_not_direct() -> None:
    """First facility lacks PCI: FMC-to-wire 'transferred' applies and 'direct' does not."""
    results = names(compute("stemi", REFERENCE))
    assert "fmc_to_wire_transferred" in results
    assert "fmc_to_wire_direct" not in results
    assert transferred(legs(REFERENCE), CAPABILITIES, "pci")


def test_reference_case_dido_only_at_the_township() -> None:
    """Door-in-door-out is measured at the township unit, not at the PCI county hospital."""
    dido = [r for r in compute("stemi", REFERENCE) if r.name == "door_in_door_out"]
    assert [(TOWNSHIP_A, 28.0)] == [(r.facility_id, r.minutes) for r in dido]


def test_reference_case_order_of_input_does_not_matter() -> None:
    """The same stamps given in reverse give the same intervals."""
    assert compute("stemi", REFERENCE) == compute("stemi", list(reversed(REFERENCE)))


# --- every STEMI interval at, just below and just above its target ------------------------

START = local(14, 23, 50)  # every boundary case crosses midnight for targets over 10 min


def _boundary_case(name: str, minutes: float) -> list[Stamp]:
    """A minimal case where interval ``name`` lasts ``minutes``; the end is written in UTC."""
    end = (START + timedelta(minutes=minutes)).astimezone(UTC)
    cases: dict[str, list[tuple[str, datetime] | tuple[str, datetime, str | None]]] = {
        "fmc_to_first_ecg": [("first_medical_contact", START), ("first_ecg", end)],
        "first_ecg_to_diagnosis": [("first_ecg", START), ("diagnosis", end)],
        "first_ecg_to_notification": [("first_ecg", START), ("ecg_transmitted", end)],
        "critical_value_to_puncture": [
            ("critical_value_reported", START),
            ("arterial_puncture", end),
        ],
        "door_in_door_out": [
            ("facility_arrival", START, TOWNSHIP_A),
            ("facility_departure", end, TOWNSHIP_A),
        ],
        "door_to_needle": [
            ("facility_arrival", START, TOWNSHIP_A),
            ("thrombolysis_start", end, TOWNSHIP_A),
        ],
        "door_to_wire": [("facility_arrival", START, COUNTY), ("wire_crossing", end, COUNTY)],
        "fmc_to_wire_transferred": [
            ("first_medical_contact", START),
            ("facility_arrival", START, TOWNSHIP_A),
            ("wire_crossing", end, COUNTY),
        ],
        "fmc_to_wire_direct": [
            ("first_medical_contact", START),
            ("facility_arrival", START, COUNTY),
            ("wire_crossing", end, COUNTY),
        ],
        "cathlab_activation": [("cathlab_activated", START), ("cathlab_ready", end)],
    }
    return stamps(*cases[name])


@pytest.mark.parametrize(
    ("name", "minutes", "met"),
    [
        ("fmc_to_first_ecg", 9, True),
        ("fmc_to_first_ecg", 10, True),
        ("fmc_to_first_ecg", 11, False),
        ("first_ecg_to_diagnosis", 9, True),
        ("first_ecg_to_diagnosis", 10, True),
        ("first_ecg_to_diagnosis", 11, False),
        ("first_ecg_to_notification", 9, True),
        ("first_ecg_to_notification", 10, True),
        ("first_ecg_to_notification", 11, False),
        ("critical_value_to_puncture", 59, True),
        ("critical_value_to_puncture", 60, True),
        ("critical_value_to_puncture", 61, False),
        ("door_in_door_out", 29, True),
        ("door_in_door_out", 30, True),
        ("door_in_door_out", 31, False),
        ("door_to_needle", 29, True),
        ("door_to_needle", 30, True),
        ("door_to_needle", 31, False),
        ("door_to_wire", 89, True),
        ("door_to_wire", 90, True),
        ("door_to_wire", 91, False),
        ("fmc_to_wire_transferred", 119, True),
        ("fmc_to_wire_transferred", 120, True),
        ("fmc_to_wire_transferred", 121, False),
        ("fmc_to_wire_direct", 89, True),
        ("fmc_to_wire_direct", 90, True),
        ("fmc_to_wire_direct", 91, False),
        ("cathlab_activation", 29, True),
        ("cathlab_activation", 30, False),  # "< 30": exactly 30 is a miss
        ("cathlab_activation", 31, False),
    ],
)
def test_stemi_interval_at_its_target(name: str, minutes: int, met: bool) -> None:
    """Each STEMI interval is met or missed at, just below and just above its target."""
    result = only(compute("stemi", _boundary_case(name, minutes)), name)
    assert (float(minutes), met) == (result.minutes, result.met)


def test_le_target_is_met_at_exactly_the_target() -> None:
    """door_to_wire is '<= 90': 90.0 min is met."""
    result = only(compute("stemi", _boundary_case("door_to_wire", 90)), "door_to_wire")
    spec = next(i for i in pathway("stemi").intervals if i.name == "door_to_wire")
    assert (90.0, 90, "le", True) == (
        result.minutes,
        result.target_minutes,
        spec.met_if,
        result.met,
    )


def test_lt_target_is_missed_at_exactly_the_target_by_seconds() -> None:
    """cathlab_activation is '< 30': 29 min 59 s is met, 30 min 0 s is not, 30 min 1 s is not."""
    activated = local(14, 23, 50)
    for ready, met in (
        (local(15, 0, 19, 59), True),
        (local(15, 0, 20, 0), False),
        (local(15, 0, 20, 1), False),
    ):
        case = stamps(("cathlab_activated", activated), ("cathlab_ready", ready))
        assert met == only(compute("stemi", case), "cathlab_activation").met
    case = stamps(("cathlab_activated", activated), ("cathlab_ready", local(15, 0, 19, 30)))
    assert 29.5 == only(compute("stemi", case), "cathlab_activation").minutes


def test_interval_without_target_is_never_judged() -> None:
    """symptom_onset_to_fmc has no target: minutes are given, met stays None, no note."""
    case = stamps(("symptom_onset", local(14, 20, 0)), ("first_medical_contact", utc(14, 13, 5)))
    result = only(compute("stemi", case), "symptom_onset_to_fmc")
    assert (65.0, None, None, "") == (
        result.minutes,
        result.target_minutes,
        result.met,
        result.note,
    )


# --- walk-in at the PCI hospital ----------------------------------------------------------


def test_walk_in_at_pci_hospital_is_direct() -> None:
    """First door at the county (PCI): transferred False, FMC→wire 'direct' (≤ 90) applies."""
    case = stamps(
        ("first_medical_contact", local(14, 23, 40), COUNTY),
        ("facility_arrival", local(14, 23, 40), COUNTY),
        ("first_ecg", local(14, 23, 45), COUNTY),
        ("wire_crossing", utc(14, 16, 55), COUNTY),  # 00:55 local
    )
    results = compute("stemi", case)
    assert not transferred(legs(case), CAPABILITIES, "pci")
    assert "fmc_to_wire_transferred" not in names(results)
    direct = only(results, "fmc_to_wire_direct")
    assert (75.0, 90, True) == (direct.minutes, direct.target_minutes, direct.met)
    assert 75.0 == only(results, "door_to_wire").minutes
    assert "door_in_door_out" not in names(results)

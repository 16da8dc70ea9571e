"""A case's legs across several facilities (pure): door-in-door-out per leg, transfers, return
visits, the facility at a time; every expected minute is written by hand.
"""

from __future__ import annotations

from dispatch.cases.intervals import Leg, facility_at, legs, transferred
from tests.unit.intervals_helpers import (
    CAPABILITIES,
    COUNTY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    compute,
    local,
    only,
    stamps,
    utc,
)

# --- several facilities -------------------------------------------------------------------

TWO_TOWNSHIPS = stamps(
    ("first_medical_contact", local(14, 22, 50), TOWNSHIP_B),
    ("facility_arrival", local(14, 22, 50), TOWNSHIP_B),
    ("facility_departure", utc(14, 15, 12), TOWNSHIP_B),  # 23:12 local: 22 min
    ("facility_arrival", local(14, 23, 30), TOWNSHIP_A),
    ("facility_departure", local(15, 0, 5), TOWNSHIP_A),  # 35 min, across midnight
    ("facility_arrival", local(15, 0, 40), COUNTY),
    ("wire_crossing", utc(14, 17, 20), COUNTY),  # 01:20 local
    ("facility_departure", local(15, 3, 0), COUNTY),
)


def test_dido_per_non_pci_leg() -> None:
    """Two township legs give two DIDO results (22 met, 35 missed), none at the county."""
    dido = [r for r in compute("stemi", TWO_TOWNSHIPS) if r.name == "door_in_door_out"]
    assert [(TOWNSHIP_B, 22.0, True), (TOWNSHIP_A, 35.0, False)] == [
        (r.facility_id, r.minutes, r.met) for r in dido
    ]


def test_legs_in_time_order_across_facilities() -> None:
    """legs(): each facility visit with its door-in and door-out, in time order."""
    assert [
        Leg(TOWNSHIP_B, local(14, 22, 50), local(14, 23, 12)),
        Leg(TOWNSHIP_A, local(14, 23, 30), local(15, 0, 5)),
        Leg(COUNTY, local(15, 0, 40), local(15, 3, 0)),
    ] == legs(TWO_TOWNSHIPS)


def test_door_to_wire_and_fmc_to_wire_across_two_transfers() -> None:
    """D2W starts at the county door (00:40 → 01:20 = 40); FMC→wire 22:50 → 01:20 = 150."""
    results = compute("stemi", TWO_TOWNSHIPS)
    assert (40.0, COUNTY) == (
        only(results, "door_to_wire").minutes,
        only(results, "door_to_wire").facility_id,
    )
    transfer = only(results, "fmc_to_wire_transferred")
    assert (150.0, False) == (transfer.minutes, transfer.met)


def test_leg_with_door_out_but_no_door_in() -> None:
    """A door-out with no door-in makes a leg without a door-in; DIDO misses facility_arrival."""
    case = stamps(
        ("facility_departure", local(14, 23, 46), TOWNSHIP_A),
        ("facility_arrival", local(15, 0, 19), COUNTY),
    )
    assert [
        Leg(TOWNSHIP_A, None, local(14, 23, 46)),
        Leg(COUNTY, local(15, 0, 19), None),
    ] == legs(case)
    result = only(compute("stemi", case), "door_in_door_out")
    assert (TOWNSHIP_A, None, ("facility_arrival",)) == (
        result.facility_id,
        result.minutes,
        result.missing,
    )


RETURN_VISIT = stamps(
    ("facility_arrival", local(14, 8, 0), TOWNSHIP_A),
    ("facility_departure", local(14, 8, 20), TOWNSHIP_A),
    ("facility_arrival", local(14, 8, 50), TOWNSHIP_B),
    ("facility_departure", local(14, 9, 30), TOWNSHIP_B),
    ("facility_arrival", utc(14, 2, 0), TOWNSHIP_A),  # 10:00 local: back at the first unit
    ("thrombolysis_start", local(14, 10, 20), TOWNSHIP_A),
    ("facility_departure", local(14, 10, 25), TOWNSHIP_A),
)


def test_return_visit_is_a_new_leg() -> None:
    """Back at the same unit: a third leg; DIDO for the first two visits (20, 40), not for the
    third: lysed there before its door-out, the patient left after lysis, not for primary PCI
    (DOMAIN.md: DIDO is for STEMI transferred on for primary PCI)."""
    assert [TOWNSHIP_A, TOWNSHIP_B, TOWNSHIP_A] == [leg.facility_id for leg in legs(RETURN_VISIT)]
    dido = [r for r in compute("stemi", RETURN_VISIT) if r.name == "door_in_door_out"]
    assert [(TOWNSHIP_A, 20.0), (TOWNSHIP_B, 40.0)] == [(r.facility_id, r.minutes) for r in dido]


def test_return_visit_door_to_needle_uses_the_door_of_that_visit() -> None:
    """Lysis on the second visit to a unit: door 10:00 → needle 10:20 = 20 min, not 140."""
    result = only(compute("stemi", RETURN_VISIT), "door_to_needle")
    assert (20.0, local(14, 10, 0)) == (result.minutes, result.start_at)


def test_return_visit_to_the_pci_hospital_door_to_wire_uses_that_visit() -> None:
    """Seen and sent home from the county at 08:00, back 20:00, wire 21:00: D2W is 60 min."""
    case = stamps(
        ("facility_arrival", local(14, 8, 0), COUNTY),
        ("facility_departure", local(14, 9, 0), COUNTY),
        ("facility_arrival", local(14, 20, 0), COUNTY),
        ("wire_crossing", local(14, 21, 0), COUNTY),
    )
    assert 60.0 == only(compute("stemi", case), "door_to_wire").minutes


def test_duplicate_door_in_does_not_open_a_second_leg() -> None:
    """Two door-ins at the township with one door-out: one leg, DIDO from the first door-in."""
    case = stamps(
        ("facility_arrival", local(14, 23, 18), TOWNSHIP_A),  # ambulance status: at_destination
        ("facility_arrival", local(14, 23, 20), TOWNSHIP_A),  # typed by the township nurse
        ("facility_departure", local(14, 23, 46), TOWNSHIP_A),
    )
    assert [Leg(TOWNSHIP_A, local(14, 23, 18), local(14, 23, 46))] == legs(case)


def test_facility_at_follows_the_legs() -> None:
    """facility_at: inside from door-in (inclusive) to door-out (exclusive), None on the road."""
    assert TOWNSHIP_A == facility_at(RETURN_VISIT, local(14, 8, 0))
    assert TOWNSHIP_A == facility_at(RETURN_VISIT, utc(14, 0, 19))  # 08:19 local
    assert None is facility_at(RETURN_VISIT, local(14, 8, 20))  # the door-out instant
    assert None is facility_at(RETURN_VISIT, local(14, 8, 35))  # on the road
    assert TOWNSHIP_B == facility_at(RETURN_VISIT, local(14, 9, 0))
    assert TOWNSHIP_A == facility_at(RETURN_VISIT, local(14, 10, 10))  # the return visit
    assert None is facility_at(RETURN_VISIT, local(14, 7, 59))  # before any door-in


def test_facility_at_open_leg_and_door_out_only_leg() -> None:
    """An open leg holds the patient for ever after; a leg with no door-in never holds them."""
    case = stamps(
        ("facility_departure", local(14, 23, 0), TOWNSHIP_A),
        ("facility_arrival", local(14, 23, 30), COUNTY),
    )
    assert None is facility_at(case, local(14, 22, 0))
    assert COUNTY == facility_at(case, local(15, 6, 0))


def test_legs_skip_door_stamps_without_a_facility() -> None:
    """A door stamp without facility cannot make a leg; other milestones never make legs."""
    case = stamps(
        ("facility_arrival", local(14, 23, 0)),
        ("first_ecg", local(14, 23, 5), TOWNSHIP_A),
        ("facility_departure", local(14, 23, 30)),
    )
    assert [] == legs(case)


def test_transferred_helper() -> None:
    """transferred(): True only if the first leg's facility lacks the target capability."""
    township_first = [Leg(TOWNSHIP_A, local(14, 23, 0), None), Leg(COUNTY, None, None)]
    county_first = [Leg(COUNTY, local(14, 23, 0), None)]
    assert transferred(township_first, CAPABILITIES, "pci")
    assert not transferred(county_first, CAPABILITIES, "pci")
    assert transferred(county_first, CAPABILITIES, "thrombectomy")
    assert not transferred([], CAPABILITIES, "pci")
    assert transferred([Leg("unknown_unit", None, None)], CAPABILITIES, "pci")

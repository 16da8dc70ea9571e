"""The CPC platform record (pure): which times it requires, by arrival mode and treatment."""

from __future__ import annotations

from datetime import UTC, datetime

from dispatch.cases.intervals import current, legs
from dispatch.reports.cpc_record import CaseFacts, cpc_record
from tests.unit.intervals_helpers import CAPABILITIES, COUNTY, TOWNSHIP_A, local, stamps

CASE = CaseFacts(1, "stemi", datetime(2025, 3, 14, tzinfo=UTC), 61, "male", "active", None)


def record(*rows: tuple[str, datetime] | tuple[str, datetime, str | None]) -> dict:  # type: ignore[type-arg]
    counted = current(stamps(*rows))
    return cpc_record(CASE, counted, legs(counted), CAPABILITIES)


BASE = [
    ("symptom_onset", local(14, 7, 0)),
    ("first_medical_contact", local(14, 8, 0)),
    ("first_ecg", local(14, 8, 5)),
    ("diagnosis", local(14, 8, 12)),
]


def test_an_ambulance_case_needs_the_call_and_a_walk_in_does_not() -> None:
    """Same primary PCI at the county; with 120 stamps the call is required, without them not."""
    pci = [
        ("facility_arrival", local(14, 8, 40), COUNTY),
        ("cathlab_activated", local(14, 8, 20), COUNTY),
        ("arterial_puncture", local(14, 9, 10), COUNTY),
        ("wire_crossing", local(14, 9, 20), COUNTY),
    ]
    walk_in = record(*BASE, *pci)
    ambulance = record(*BASE, ("unit_on_scene", local(14, 7, 55)), *pci)
    assert ("walk_in", []) == (walk_in["first_aid"]["arrival_mode"], walk_in["missing"])
    assert ("ambulance", ["call_received"]) == (
        ambulance["first_aid"]["arrival_mode"],
        ambulance["missing"],
    )
    assert 40.0 == walk_in["pci"]["door_to_wire_minutes"]


def test_a_lysed_transfer_needs_the_first_hospitals_doors_not_the_cath_lab() -> None:
    """Lysed at the township, sent on without a door-out stamped: not primary PCI (no
    activation or puncture required), the township's door-out is missing."""
    lysed = record(
        *BASE,
        ("facility_arrival", local(14, 8, 0), TOWNSHIP_A),
        ("thrombolysis_start", local(14, 8, 25), TOWNSHIP_A),
        ("facility_arrival", local(14, 9, 30), COUNTY),
    )
    assert ("transfer", False, COUNTY) == (
        lysed["first_aid"]["arrival_mode"],
        lysed["pci"]["primary_pci"],
        lysed["registration"]["filing_facility_id"],
    )
    assert ["transfer.door_out"] == lysed["missing"]
    assert (True, None) == (
        lysed["prehospital_lysis"]["lysed"],
        lysed["pci"]["door_to_wire_minutes"],
    )

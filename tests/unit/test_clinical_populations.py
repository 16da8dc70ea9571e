"""Issue 14: each metric counts its own population, at the right door, with the right boundary.

Sources (DOMAIN.md, "Intervals and targets"): China Chest Pain Center accreditation (standard
version): D2W and FMC-to-wire are for primary PCI only (no thrombolysis before the wire) and the
D2W door is that of the hospital where the wire crossed; a transfer between two PCI-capable
hospitals is a transfer; bypass ED and CCU for ambulance/transfer primary PCI, bypass CCU for
walk-ins; DIDO only for STEMI transferred on for primary PCI (configurable, widely used); D2W
monthly mean <= 90 (on it: met); POCT troponin drawn -> result mean <= 20. Stroke (Target:
Stroke, configurable): door -> CT <= 25, door -> CT read <= 45.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dispatch.cases.intervals import Stamp, current, legs
from dispatch.reports.catalogue import by_key
from dispatch.reports.document import meets
from dispatch.reports.metrics import Figures
from dispatch.reports.rates import load_rates, rate_met
from tests.unit.intervals_helpers import (
    CAPABILITIES,
    CITY,
    COUNTY,
    TOWNSHIP_A,
    compute,
    local,
    only,
    stamps,
)

DOOR = local(14, 8, 0)


def at(minutes: float) -> datetime:
    return DOOR + timedelta(minutes=minutes)


def named(case: list[Stamp], name: str, pathway: str = "stemi") -> list[tuple[str | None, float]]:
    return [(r.facility_id, r.minutes or 0.0) for r in compute(pathway, case) if r.name == name]


# --- 1. primary PCI only -------------------------------------------------------------------

LYSED_THEN_WIRED = stamps(
    ("first_medical_contact", at(-10)),
    ("facility_arrival", at(0), TOWNSHIP_A),
    ("thrombolysis_start", at(20), TOWNSHIP_A),
    ("facility_departure", at(40), TOWNSHIP_A),
    ("facility_arrival", at(80), COUNTY),
    ("wire_crossing", at(290), COUNTY),  # 3.5 h after the county door: angiography after lysis
)
PRIMARY_PCI = stamps(
    ("first_medical_contact", at(-10)),
    ("facility_arrival", at(0), TOWNSHIP_A),
    ("facility_departure", at(25), TOWNSHIP_A),
    ("facility_arrival", at(60), COUNTY),
    ("wire_crossing", at(120), COUNTY),
)


def test_a_wire_after_lysis_is_not_primary_pci_and_counts_in_no_wire_metric() -> None:
    """Lysed at the township and wired 3.5 h later: no D2W, no FMC-to-wire, no DIDO (it left
    after lysis); its door-to-needle still counts (20 min)."""
    results = {r.name for r in compute("stemi", LYSED_THEN_WIRED)}
    assert not results & {"door_to_wire", "fmc_to_wire_transferred", "fmc_to_wire_direct"}
    assert "door_in_door_out" not in results
    assert 20.0 == only(compute("stemi", LYSED_THEN_WIRED), "door_to_needle").minutes


def test_a_primary_pci_transfer_counts_in_every_wire_metric() -> None:
    """The same journey without lysis: D2W 60 at the county, FMC-to-wire transferred 130,
    DIDO 25 at the township."""
    assert [(COUNTY, 60.0)] == named(PRIMARY_PCI, "door_to_wire")
    assert [(None, 130.0)] == named(PRIMARY_PCI, "fmc_to_wire_transferred")
    assert [(TOWNSHIP_A, 25.0)] == named(PRIMARY_PCI, "door_in_door_out")


def test_a_lysis_stamped_after_the_wire_does_not_take_the_case_out() -> None:
    """'No thrombolysis before the wire': a needle stamped after the wire (a data-entry slip)
    leaves the case primary PCI."""
    late = [*PRIMARY_PCI, Stamp(99, "thrombolysis_start", at(130), COUNTY)]
    assert [(COUNTY, 60.0)] == named(late, "door_to_wire")


# --- 2. the D2W door is the wire's hospital; PCI -> PCI is a transfer ----------------------

COUNTY_TO_CITY = stamps(
    ("first_medical_contact", at(-5)),
    ("facility_arrival", at(0), COUNTY),  # PCI, not 24/7
    ("facility_departure", at(60), COUNTY),
    ("facility_arrival", at(100), CITY),
    ("wire_crossing", at(150), CITY),
)


def test_door_to_wire_starts_at_the_door_of_the_hospital_where_the_wire_crossed() -> None:
    """County (PCI, not 24/7) -> city: D2W is city door -> wire, 50 (not 150 from the county's
    door); FMC-to-wire is 'transferred' (155 > 120: missed), not 'direct'."""
    assert [(CITY, 50.0)] == named(COUNTY_TO_CITY, "door_to_wire")
    transferred = only(compute("stemi", COUNTY_TO_CITY), "fmc_to_wire_transferred")
    assert (155.0, False) == (transferred.minutes, transferred.met)
    assert [] == named(COUNTY_TO_CITY, "fmc_to_wire_direct")


def test_a_patient_straight_to_the_wire_hospital_is_direct() -> None:
    """Ambulance straight to the city: FMC-to-wire direct (90: met at the boundary)."""
    direct = stamps(
        ("first_medical_contact", at(-40)),
        ("facility_arrival", at(0), CITY),
        ("wire_crossing", at(50), CITY),
    )
    result = only(compute("stemi", direct), "fmc_to_wire_direct")
    assert (90.0, True) == (result.minutes, result.met)
    assert [] == named(direct, "fmc_to_wire_transferred")


def test_a_wire_stamped_without_facility_takes_the_visit_it_happened_in() -> None:
    """A wire stamped with no facility during the city visit: the city's door (50)."""
    case = [*COUNTY_TO_CITY[:-1], Stamp(9, "wire_crossing", at(150))]
    assert [(CITY, 50.0)] == named(case, "door_to_wire")


# --- 7. DIDO: STEMI transferred on for primary PCI; stroke transferred on -----------------


def test_dido_leaves_out_patients_who_stayed_and_undifferentiated_chest_pain() -> None:
    """Still at the township (no door-out, no later door): no DIDO; chest pain never has DIDO."""
    stayed = stamps(("facility_arrival", at(0), TOWNSHIP_A), ("diagnosis", at(10), TOWNSHIP_A))
    assert [] == named(stayed, "door_in_door_out")
    assert [] == named(PRIMARY_PCI, "door_in_door_out", "chest_pain")


def test_stroke_dido_only_for_patients_sent_on_to_thrombectomy() -> None:
    """Stroke: a lysed patient who stayed at the county has no DIDO; one sent on to the city
    has DIDO at the county (45)."""
    stayed = stamps(("facility_arrival", at(0), COUNTY), ("thrombolysis_start", at(40), COUNTY))
    sent_on = stamps(
        ("facility_arrival", at(0), COUNTY),
        ("thrombolysis_start", at(30), COUNTY),
        ("facility_departure", at(45), COUNTY),
        ("facility_arrival", at(90), CITY),
    )
    assert [] == named(stayed, "door_in_door_out", "stroke")
    assert [(COUNTY, 45.0)] == named(sent_on, "door_in_door_out", "stroke")


# --- 5. boundaries -------------------------------------------------------------------------


@pytest.mark.parametrize(("mean", "met"), [(89.9, True), (90.0, True), (90.1, False)])
def test_the_d2w_monthly_mean_meets_its_target_on_it(mean: float, met: bool) -> None:
    """D2W monthly mean <= 90 (a mean exactly on the target meets it)."""
    figures = Figures(n=4, mean=mean, median=mean, p90=mean, judged=4, met=4)
    assert met is meets(by_key()[("stemi", "door_to_wire")], figures)["mean"]


@pytest.mark.parametrize(("mean", "met"), [(9.9, True), (10.0, False), (10.1, False)])
def test_the_fmc_to_ecg_monthly_mean_stays_below_its_target(mean: float, met: bool) -> None:
    """FMC -> first ECG: monthly mean < 10 (DOMAIN.md says 'less than' for this one)."""
    figures = Figures(n=4, mean=mean, median=mean, p90=mean, judged=4, met=4)
    assert met is meets(by_key()[("stemi", "fmc_to_first_ecg")], figures)["mean"]


@pytest.mark.parametrize(("minutes", "met"), [(44, True), (45, True), (46, False)])
def test_door_to_ct_read_is_at_most_45(minutes: int, met: bool) -> None:
    case = stamps(("facility_arrival", at(0), COUNTY), ("ct_read", at(minutes), COUNTY))
    result = only(compute("stroke", case), "door_to_ct_read")
    assert (float(minutes), met) == (result.minutes, result.met)


@pytest.mark.parametrize(("minutes", "met"), [(19, True), (20, True), (21, False)])
def test_poct_troponin_drawn_to_result_is_at_most_20(minutes: int, met: bool) -> None:
    """Chest pain with troponin: drawn -> result <= 20; without a draw the metric is absent."""
    case = stamps(("troponin_drawn", at(0), COUNTY), ("troponin_result", at(minutes), COUNTY))
    result = only(compute("chest_pain", case), "troponin_drawn_to_result")
    assert (float(minutes), met) == (result.minutes, result.met)
    no_draw = stamps(("facility_arrival", at(0), COUNTY))
    assert [] == named(no_draw, "troponin_drawn_to_result", "chest_pain")


# --- 4. bypass ED and CCU ------------------------------------------------------------------


def _rate(name: str, case: list[Stamp]) -> tuple[bool, str] | None:
    spec = next(r for r in load_rates() if r.name == name)
    counted = current(case)
    return rate_met(spec, counted, legs(counted), CAPABILITIES)


AMBULANCE_PCI = [
    ("unit_on_scene", at(-30)),
    ("facility_arrival", at(0), CITY),
    ("wire_crossing", at(60), CITY),
]


def test_ambulance_primary_pci_bypasses_the_ed_and_the_ccu() -> None:
    """Ambulance: straight to the lab is met; through the CCU (not the ED) is not."""
    straight = stamps(*AMBULANCE_PCI)
    via_ccu = stamps(*AMBULANCE_PCI, ("ccu_arrival", at(10), CITY))
    assert (True, CITY) == _rate("ed_bypass_transferred", straight)
    assert (False, CITY) == _rate("ed_bypass_transferred", via_ccu)


def test_a_walk_in_may_visit_the_ed_but_bypasses_the_ccu() -> None:
    """Walk-in primary PCI: through the ED is met; through the CCU is not; a lysed walk-in is
    not in the population."""
    walk_in = [("facility_arrival", at(0), CITY), ("wire_crossing", at(70), CITY)]
    via_ed = stamps(*walk_in, ("ed_arrival", at(2), CITY))
    via_ccu = stamps(*walk_in, ("ccu_arrival", at(20), CITY))
    lysed = stamps(*walk_in, ("thrombolysis_start", at(10), CITY))
    assert (True, CITY) == _rate("ccu_bypass_walk_in", via_ed)
    assert (False, CITY) == _rate("ccu_bypass_walk_in", via_ccu)
    assert None is _rate("ccu_bypass_walk_in", lysed)


def test_bypass_is_judged_at_the_wire_hospital_and_pci_to_pci_is_a_transfer() -> None:
    """County (PCI) -> city wire: a transfer, judged at the city's door (the county's ED visit
    does not count against it; the city's does)."""
    case = stamps(*[(m, t, f) for m, t, f in COUNTY_TO_CITY_ROWS], ("ed_arrival", at(5), COUNTY))
    assert (True, CITY) == _rate("ed_bypass_transferred", case)
    at_city = stamps(*COUNTY_TO_CITY_ROWS, ("ed_arrival", at(105), CITY))
    assert (False, CITY) == _rate("ed_bypass_transferred", at_city)


COUNTY_TO_CITY_ROWS = [
    ("facility_arrival", at(0), COUNTY),
    ("facility_departure", at(60), COUNTY),
    ("facility_arrival", at(100), CITY),
    ("wire_crossing", at(150), CITY),
]


# --- the missing metrics ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "met"), [(119, False), (120, True), (1440, True), (1441, False)]
)
def test_angiography_two_to_24_hours_after_lysis(minutes: int, met: bool) -> None:
    """After lysis, angiography (the puncture) 2-24 h later (ESC 2023): both ends met."""
    case = stamps(
        ("thrombolysis_start", at(0), TOWNSHIP_A),
        ("arterial_puncture", at(minutes), COUNTY),
    )
    result = only(compute("stemi", case), "lysis_to_angiography")
    assert (float(minutes), met) == (result.minutes, result.met)


@pytest.mark.parametrize(("minutes", "met"), [(9, True), (10, True), (11, False)])
def test_diagnosis_to_needle_is_at_most_10(minutes: int, met: bool) -> None:
    case = stamps(("diagnosis", at(0), TOWNSHIP_A), ("thrombolysis_start", at(minutes), TOWNSHIP_A))
    result = only(compute("stemi", case), "diagnosis_to_needle")
    assert (float(minutes), met) == (result.minutes, result.met)


def test_diagnosis_to_wire_and_total_ischaemic_time_are_for_primary_pci() -> None:
    """Primary PCI transfer: diagnosis -> wire transferred (<= 120) and onset -> wire reported;
    after lysis neither applies."""
    onset = Stamp(50, "symptom_onset", at(-60))
    diagnosis = Stamp(51, "diagnosis", at(5), TOWNSHIP_A)
    primary = [*PRIMARY_PCI, onset, diagnosis]
    assert [(None, 115.0)] == named(primary, "diagnosis_to_wire_transferred")
    assert [(None, 180.0)] == named(primary, "total_ischaemic_time")
    lysed = [*LYSED_THEN_WIRED, onset, diagnosis]
    assert [] == named(lysed, "diagnosis_to_wire_transferred") + named(
        lysed, "total_ischaemic_time"
    )


@pytest.mark.parametrize(("minutes", "met"), [(44, True), (45, True), (46, False)])
def test_stroke_door_to_needle_within_45(minutes: int, met: bool) -> None:
    """DNT <= 45 for >= 50% of cases (Target: Stroke): judged per case at 45."""
    case = stamps(("facility_arrival", at(0), COUNTY), ("thrombolysis_start", at(minutes), COUNTY))
    result = only(compute("stroke", case), "door_to_needle_45")
    assert (float(minutes), met) == (result.minutes, result.met)


def test_stroke_prenotification_counts_ambulance_arrivals_only() -> None:
    """Pre-notified before the door is met, after it is not; a walk-in is not in the rate."""
    ambulance = [("unit_on_scene", at(-30)), ("facility_arrival", at(0), COUNTY)]
    early = stamps(*ambulance, ("prealert_sent", at(-10)))
    late = stamps(*ambulance, ("prealert_sent", at(5)))
    walk_in = stamps(("facility_arrival", at(0), COUNTY), ("prealert_sent", at(-10)))
    assert (True, COUNTY) == _rate("stroke_prenotification", early)
    assert (False, COUNTY) == _rate("stroke_prenotification", late)
    assert None is _rate("stroke_prenotification", walk_in)


def test_stroke_thrombectomy_rate_is_judged_at_thrombectomy_centres() -> None:
    """A patient who never reached a thrombectomy centre is not in the rate."""
    county_only = stamps(("facility_arrival", at(0), COUNTY))
    at_city = stamps(("facility_arrival", at(0), CITY), ("arterial_puncture", at(40), CITY))
    assert None is _rate("stroke_thrombectomy_rate", county_only)
    assert (True, CITY) == _rate("stroke_thrombectomy_rate", at_city)

"""Interval arithmetic on a case's time stamps (pure): every expected minute is written by hand.

Times are given in Asia/Shanghai (+08:00) and in UTC, mixed on purpose: an interval is the same
whichever zone each of its stamps was written in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from dispatch.cases.intervals import (
    IntervalResult,
    Leg,
    Stamp,
    compute_intervals,
    current,
    facility_at,
    legs,
    transferred,
)
from dispatch.cases.pathways import Pathway, load_pathways

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
TOWNSHIP_A = "township_a"  # chest-pain treatment unit: ECG, transmits, lyses; no PCI
TOWNSHIP_B = "township_b"
COUNTY = "county"  # PCI, CT, thrombolysis
CITY = "city"  # comprehensive stroke centre: thrombectomy
CAPABILITIES = {
    TOWNSHIP_A: frozenset({"ecg12", "ecg_transmit", "thrombolysis"}),
    TOWNSHIP_B: frozenset({"ecg12", "ecg_transmit"}),
    COUNTY: frozenset({"ecg12", "pci", "ct", "thrombolysis", "stroke_thrombolysis"}),
    CITY: frozenset({"ecg12", "pci", "pci_24_7", "ct", "stroke_thrombolysis", "thrombectomy"}),
}
NOT_ORDERED = "ends before it starts: check the stamps"


def local(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A wall-clock time in Asia/Shanghai, March 2025."""
    return datetime(2025, 3, day, hour, minute, second, tzinfo=SHANGHAI)


def utc(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A time in UTC, March 2025 (UTC 15:40 is 23:40 in Shanghai)."""
    return datetime(2025, 3, day, hour, minute, second, tzinfo=UTC)


def stamps(*rows: tuple[str, datetime] | tuple[str, datetime, str | None]) -> list[Stamp]:
    """Stamps numbered in the order given: (milestone, at[, facility])."""
    made = []
    for number, row in enumerate(rows, start=1):
        facility = row[2] if len(row) == 3 else None
        made.append(Stamp(number, row[0], row[1], facility))
    return made


def pathway(pathway_id: str) -> Pathway:
    return load_pathways()[pathway_id]


def compute(pathway_id: str, case: list[Stamp]) -> list[IntervalResult]:
    return compute_intervals(pathway(pathway_id), case, CAPABILITIES)


def only(results: list[IntervalResult], name: str) -> IntervalResult:
    """The one result named ``name``."""
    found = [r for r in results if r.name == name]
    assert 1 == len(found), f"{name}: {len(found)} results"
    return found[0]


def names(results: list[IntervalResult]) -> list[str]:
    return [r.name for r in results]


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


# --- missing stamps -----------------------------------------------------------------------


def test_missing_end_stamp_names_it() -> None:
    """FMC without a first ECG: minutes None, met None, missing names first_ecg."""
    case = stamps(("first_medical_contact", local(14, 23, 0)))
    result = only(compute("stemi", case), "fmc_to_first_ecg")
    assert (None, None, ("first_ecg",)) == (result.minutes, result.met, result.missing)
    assert (local(14, 23, 0), None) == (result.start_at, result.end_at)


def test_missing_both_stamps_names_both() -> None:
    """With no stamps at all, critical_value_to_puncture misses both of its milestones."""
    result = only(compute("stemi", []), "critical_value_to_puncture")
    assert (None, None) == (result.minutes, result.met)
    assert ("critical_value_reported", "arterial_puncture") == result.missing


def test_missing_any_of_endpoint_names_every_alternative() -> None:
    """Neither ECG transmitted nor pre-alert sent: missing reads 'ecg_transmitted/prealert_sent'."""
    case = stamps(("first_ecg", local(14, 23, 0)))
    result = only(compute("stemi", case), "first_ecg_to_notification")
    assert ("ecg_transmitted/prealert_sent",) == result.missing


def test_interval_whose_present_condition_fails_is_left_out() -> None:
    """No thrombolysis_start: door_to_needle is not reported at all; no wire: no D2W, no FMC2W."""
    case = stamps(
        ("first_medical_contact", local(14, 23, 0)),
        ("facility_arrival", local(14, 23, 0), TOWNSHIP_A),
    )
    results = names(compute("stemi", case))
    for absent in ("door_to_needle", "door_to_wire", "fmc_to_wire_transferred"):
        assert absent not in results
    assert "fmc_to_wire_direct" not in results
    assert "fmc_to_first_ecg" in results


def test_open_leg_reports_dido_with_missing_door_out() -> None:
    """A patient still in the township unit: DIDO is there, minutes None, door-out missing."""
    case = stamps(("facility_arrival", local(14, 23, 0), TOWNSHIP_A))
    result = only(compute("stemi", case), "door_in_door_out")
    assert (TOWNSHIP_A, None, None, ("facility_departure",)) == (
        result.facility_id,
        result.minutes,
        result.met,
        result.missing,
    )


def test_door_to_wire_without_a_pci_door_misses_the_door() -> None:
    """Wire crossed but no door-in at a PCI facility stamped: D2W misses facility_arrival."""
    case = stamps(
        ("facility_arrival", local(14, 23, 0), TOWNSHIP_A),
        ("wire_crossing", local(15, 0, 30), COUNTY),
    )
    result = only(compute("stemi", case), "door_to_wire")
    assert (None, None, ("facility_arrival",)) == (result.minutes, result.met, result.missing)


def test_door_to_needle_with_needle_outside_any_facility_misses_the_door() -> None:
    """A needle stamped with no facility: door_to_needle applies but has no door to start from."""
    case = stamps(
        ("facility_arrival", local(14, 23, 0), TOWNSHIP_A),
        ("thrombolysis_start", local(14, 23, 20)),
    )
    result = only(compute("stemi", case), "door_to_needle")
    assert (None, ("facility_arrival",)) == (result.minutes, result.missing)


# --- corrections --------------------------------------------------------------------------


def test_superseded_stamp_is_ignored_for_its_correction() -> None:
    """First ECG typed as 23:40 then corrected to 23:25: FMC→ECG uses 23:25 (7 min, met)."""
    case = [
        Stamp(1, "first_medical_contact", local(14, 23, 18)),
        Stamp(2, "first_ecg", local(14, 23, 40), superseded=True),
        Stamp(3, "first_ecg", utc(14, 15, 25)),  # the correction, 23:25 local
    ]
    result = only(compute("stemi", case), "fmc_to_first_ecg")
    assert (7.0, True, utc(14, 15, 25)) == (result.minutes, result.met, result.end_at)


def test_correction_to_a_later_time_is_used_even_though_the_old_one_is_earlier() -> None:
    """Superseded 23:20 ECG is not 'the earliest': the corrected 23:31 ECG counts (13, missed)."""
    case = [
        Stamp(1, "first_medical_contact", local(14, 23, 18)),
        Stamp(2, "first_ecg", local(14, 23, 20), superseded=True),
        Stamp(3, "first_ecg", local(14, 23, 31)),
    ]
    result = only(compute("stemi", case), "fmc_to_first_ecg")
    assert (13.0, False) == (result.minutes, result.met)


def test_superseded_door_out_is_replaced_in_the_leg() -> None:
    """Door-out corrected from 23:55 to 23:45: the leg and DIDO use 23:45 (25 min)."""
    case = [
        Stamp(1, "facility_arrival", local(14, 23, 20), TOWNSHIP_A),
        Stamp(2, "facility_departure", local(14, 23, 55), TOWNSHIP_A, superseded=True),
        Stamp(3, "facility_departure", local(14, 23, 45), TOWNSHIP_A),
    ]
    assert [Leg(TOWNSHIP_A, local(14, 23, 20), local(14, 23, 45))] == legs(case)
    assert 25.0 == only(compute("stemi", case), "door_in_door_out").minutes


def test_only_superseded_stamp_counts_as_missing() -> None:
    """A stamp withdrawn with no replacement leaves the interval missing it."""
    case = [
        Stamp(1, "cathlab_activated", local(14, 23, 41)),
        Stamp(2, "cathlab_ready", local(15, 0, 5), superseded=True),
    ]
    result = only(compute("stemi", case), "cathlab_activation")
    assert (None, ("cathlab_ready",)) == (result.minutes, result.missing)


def test_current_drops_superseded_and_orders_by_time_then_id() -> None:
    """current(): non-superseded stamps in time order, ties broken by event id, zones mixed."""
    a = Stamp(5, "first_ecg", local(14, 23, 30))
    b = Stamp(2, "diagnosis", utc(14, 15, 30))  # same instant as a
    c = Stamp(3, "first_medical_contact", utc(14, 15, 20))
    d = Stamp(4, "first_ecg", local(14, 23, 25), superseded=True)
    assert [c, b, a] == current([a, b, c, d])


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
    """Back at the same unit: a third leg, and DIDO for each visit (20, 40, 25)."""
    assert [TOWNSHIP_A, TOWNSHIP_B, TOWNSHIP_A] == [leg.facility_id for leg in legs(RETURN_VISIT)]
    dido = [r for r in compute("stemi", RETURN_VISIT) if r.name == "door_in_door_out"]
    assert [(TOWNSHIP_A, 20.0), (TOWNSHIP_B, 40.0), (TOWNSHIP_A, 25.0)] == [
        (r.facility_id, r.minutes) for r in dido
    ]


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


# --- "any of" endpoints and negative intervals --------------------------------------------


def test_any_of_endpoint_uses_the_earlier_prealert() -> None:
    """Pre-alert 23:28 before transmission 23:33: first ECG 23:24 → notification is 4 min."""
    case = stamps(
        ("first_ecg", local(14, 23, 24)),
        ("ecg_transmitted", local(14, 23, 33)),
        ("prealert_sent", utc(14, 15, 28)),
    )
    result = only(compute("stemi", case), "first_ecg_to_notification")
    assert (4.0, local(14, 23, 28)) == (result.minutes, result.end_at)


def test_any_of_endpoint_uses_the_earlier_transmission() -> None:
    """Transmission 23:26 before pre-alert 23:45: the interval is 2 min."""
    case = stamps(
        ("first_ecg", local(14, 23, 24)),
        ("prealert_sent", local(14, 23, 45)),
        ("ecg_transmitted", local(14, 23, 26)),
    )
    assert 2.0 == only(compute("stemi", case), "first_ecg_to_notification").minutes


def test_any_of_endpoint_with_one_alternative_present() -> None:
    """Only a pre-alert (no transmission): it alone ends the interval, nothing missing."""
    case = stamps(("first_ecg", local(14, 23, 55)), ("prealert_sent", local(15, 0, 7)))
    result = only(compute("stemi", case), "first_ecg_to_notification")
    assert (12.0, False, ()) == (result.minutes, result.met, result.missing)


def test_negative_interval_is_not_judged_and_is_noted() -> None:
    """ECG 3 min before FMC: minutes -3.0, met None, a note asks to check the stamps."""
    case = stamps(
        ("first_medical_contact", utc(14, 16, 2)),  # 00:02 local
        ("first_ecg", local(14, 23, 59)),
    )
    result = only(compute("stemi", case), "fmc_to_first_ecg")
    assert (-3.0, None, NOT_ORDERED) == (result.minutes, result.met, result.note)


def test_zero_minute_interval_is_met() -> None:
    """Start and end at the same instant (written in two zones): 0.0 min, met, no note."""
    case = stamps(("first_medical_contact", local(15, 0, 0)), ("first_ecg", utc(14, 16, 0)))
    result = only(compute("stemi", case), "fmc_to_first_ecg")
    assert (0.0, True, "") == (result.minutes, result.met, result.note)


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


# --- stroke and trauma --------------------------------------------------------------------

STROKE = stamps(
    ("facility_arrival", local(14, 23, 0), TOWNSHIP_A),
    ("facility_departure", local(14, 23, 35), TOWNSHIP_A),
    ("facility_arrival", local(14, 23, 50), COUNTY),
    ("ct_start", utc(14, 16, 4), COUNTY),  # 00:04 local
    ("ct_read", local(15, 0, 30), COUNTY),
    ("facility_departure", local(15, 1, 30), COUNTY),
    ("facility_arrival", local(15, 2, 20), CITY),
    ("arterial_puncture", local(15, 3, 30), CITY),
)


def test_door_to_ct_uses_the_door_where_ct_was_done() -> None:
    """CT at the county 00:04: door-to-CT counts from the county door 23:50 (14), not 23:00."""
    result = only(compute("stroke", STROKE), "door_to_ct")
    assert (14.0, True, COUNTY, local(14, 23, 50)) == (
        result.minutes,
        result.met,
        result.facility_id,
        result.start_at,
    )


def test_door_to_ct_read_and_groin_use_their_own_facility() -> None:
    """CT read 00:30 at the county (40, < 45 met); groin 03:30 at the city, door 02:20 (70)."""
    results = compute("stroke", STROKE)
    read = only(results, "door_to_ct_read")
    assert (40.0, True, COUNTY) == (read.minutes, read.met, read.facility_id)
    groin = only(results, "door_to_groin")
    assert (70.0, True, CITY) == (groin.minutes, groin.met, groin.facility_id)


@pytest.mark.parametrize(("minutes", "met"), [(24, True), (25, False), (26, False)])
def test_door_to_ct_is_strictly_under_25(minutes: int, met: bool) -> None:
    """Door-to-CT is '< 25': 24 met, 25 and 26 missed."""
    door = local(14, 23, 50)
    case = stamps(
        ("facility_arrival", door, COUNTY),
        ("ct_start", door + timedelta(minutes=minutes), COUNTY),
    )
    result = only(compute("stroke", case), "door_to_ct")
    assert (float(minutes), met) == (result.minutes, result.met)


def test_stroke_door_to_needle_only_with_thrombolysis() -> None:
    """Without a needle there is no door_to_needle; with one at the county 00:40 it is 50 (≤ 60)."""
    assert "door_to_needle" not in names(compute("stroke", STROKE))
    with_needle = [*STROKE, Stamp(99, "thrombolysis_start", utc(14, 16, 40), COUNTY)]
    result = only(compute("stroke", with_needle), "door_to_needle")
    assert (50.0, 60, True, COUNTY) == (
        result.minutes,
        result.target_minutes,
        result.met,
        result.facility_id,
    )


def test_stroke_dido_at_legs_without_thrombectomy() -> None:
    """Stroke DIDO at the township (35) and the county (100, missed), not at the city."""
    dido = [r for r in compute("stroke", STROKE) if r.name == "door_in_door_out"]
    assert [(TOWNSHIP_A, 35.0, True), (COUNTY, 100.0, False)] == [
        (r.facility_id, r.minutes, r.met) for r in dido
    ]


def test_stroke_critical_value_to_puncture_needs_a_puncture() -> None:
    """Stroke's critical-value interval appears only with a puncture (here 01:10 → 03:30)."""
    assert "critical_value_to_puncture" not in names(compute("stroke", STROKE[:3]))
    case = [*STROKE, Stamp(99, "critical_value_reported", local(15, 1, 10), COUNTY)]
    result = only(compute("stroke", case), "critical_value_to_puncture")
    assert (140.0, False) == (result.minutes, result.met)


def test_trauma_pathway_computes_call_to_scene() -> None:
    """Trauma (data only): call 23:55 → on scene 00:09 next day = 14 min, met (≤ 15)."""
    case = stamps(
        ("call_received", local(14, 23, 55)),
        ("unit_on_scene", utc(14, 16, 9)),
        ("unit_left_scene", local(15, 0, 21)),
    )
    results = compute("trauma", case)
    call = only(results, "call_to_scene")
    assert (14.0, 15, True) == (call.minutes, call.target_minutes, call.met)
    scene = only(results, "scene_time")
    assert (12.0, False) == (scene.minutes, scene.met)

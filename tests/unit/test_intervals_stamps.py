"""Which stamps an interval uses (pure): missing stamps, corrections, "any of" endpoints and
negative intervals; every expected minute is written by hand.
"""

from __future__ import annotations

from dispatch.cases.intervals import Leg, Stamp, current, legs
from tests.unit.intervals_helpers import (
    COUNTY,
    NOT_ORDERED,
    TOWNSHIP_A,
    compute,
    local,
    names,
    only,
    stamps,
    utc,
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


def test_dido_counts_a_visit_only_once_the_patient_is_transferred_on() -> None:
    """DIDO is for patients transferred on (DOMAIN.md): still in the township unit, no DIDO;
    a door-in at the county with no door-out stamped at the township: DIDO there, minutes None,
    door-out missing."""
    staying = stamps(("facility_arrival", local(14, 23, 0), TOWNSHIP_A))
    moved_on = stamps(
        ("facility_arrival", local(14, 23, 0), TOWNSHIP_A),
        ("facility_arrival", local(15, 0, 0), COUNTY),
    )
    assert [] == [r for r in compute("stemi", staying) if r.name == "door_in_door_out"]
    result = only(compute("stemi", moved_on), "door_in_door_out")
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


def test_door_to_needle_with_a_needle_without_facility_takes_the_visit_it_happened_in() -> None:
    """A needle stamped with no facility: inside the township unit's visit, D2N starts at its
    door (20 min); after the patient left (outside any visit), there is no door to start from."""
    inside = stamps(
        ("facility_arrival", local(14, 23, 0), TOWNSHIP_A),
        ("thrombolysis_start", local(14, 23, 20)),
    )
    outside = stamps(
        ("facility_arrival", local(14, 23, 0), TOWNSHIP_A),
        ("facility_departure", local(14, 23, 10), TOWNSHIP_A),
        ("thrombolysis_start", local(14, 23, 20)),
    )
    assert (20.0, ()) == (
        only(compute("stemi", inside), "door_to_needle").minutes,
        only(compute("stemi", inside), "door_to_needle").missing,
    )
    result = only(compute("stemi", outside), "door_to_needle")
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

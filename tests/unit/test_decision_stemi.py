"""STEMI decision support (pure): the 120-minute rule, the modifiers that force primary PCI, no
diagnosis yet; at and around every threshold, with their inputs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from dispatch.cases.decision_rules import TEXTS, out_of_hours
from dispatch.cases.decision_stemi import PciOption
from tests.unit.decision_helpers import (
    CONFIG,
    COUNTY,
    NOW,
    SHANGHAI,
    TOWNSHIP_LYSIS,
    codes,
    minutes_ago,
    stemi,
)

# --- STEMI: the 120-minute rule -----------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "predicted", "recommendation", "destination", "transfer_to"),
    [
        (19, 119.0, "primary_pci", "county", None),
        (20, 120.0, "primary_pci", "county", None),
        (21, 121.0, "thrombolysis_then_transfer", "township_a", "county"),
    ],
)
def test_stemi_predicted_around_120(
    elapsed: float, predicted: float, recommendation: str, destination: str, transfer_to: str | None
) -> None:
    """Elapsed + road 40 + prior D2W 60: 119 and 120 → primary PCI, 121 → lysis then transfer."""
    decision = stemi(diagnosed_minutes_ago=elapsed)
    assert decision.best_pci is not None
    assert predicted == decision.best_pci.predicted_minutes
    assert (recommendation, destination, transfer_to) == (
        decision.recommendation,
        decision.destination_facility_id,
        decision.transfer_to_facility_id,
    )
    assert (float(elapsed), 0.0) == (decision.elapsed_minutes, decision.remaining_door_out_minutes)


def test_stemi_primary_pci_says_activate_from_the_field() -> None:
    """Within the limit: reasons end with 'activate the cath lab from the field, bypass the ED'."""
    decision = stemi(diagnosed_minutes_ago=20)
    assert ["elapsed", "pci_prior", "within_limit", "activate_cathlab"] == codes(decision)
    last = decision.reasons[-1]
    assert "activate the cath lab from the field, bypass the ED" in last.reason
    assert "院前启动导管室，绕行急诊" in last.reason_zh
    assert "县医院: road 40 + prior door-to-wire 60 (0 cases < 5) = 120 min." == (
        decision.reasons[1].reason
    )


def test_stemi_thrombolysis_names_the_needle_target_and_the_transfer() -> None:
    """Over the limit: lysis at the nearest unit, door-to-needle ≤ 30, then transfer to the PCI."""
    decision = stemi(diagnosed_minutes_ago=21)
    assert ["elapsed", "pci_prior", "over_limit", "thrombolysis_first"] == codes(decision)
    assert (
        "Thrombolysis at A镇卫生院 (road 0 min, door-to-needle ≤ 30 min), then immediate "
        "transfer to 县医院." == decision.reasons[-1].reason
    )
    assert TOWNSHIP_LYSIS == decision.nearest_lysis


def test_stemi_decision_carries_its_inputs_and_thresholds() -> None:
    """Every input, every derived number and the thresholds are on the decision."""
    door_in, onset = minutes_ago(12), NOW - timedelta(hours=3)
    decision = stemi(door_in=door_in, onset_at=onset, killip_class=1)
    assert NOW == decision.now
    assert minutes_ago(20) == decision.diagnosis_at
    assert (door_in, False) == (decision.current_facility_door_in, decision.at_pci_facility)
    assert (onset, 1, False) == (
        decision.onset_at,
        decision.killip_class,
        decision.lysis_contraindicated,
    )
    assert (TOWNSHIP_LYSIS,) == decision.lysis_options
    assert (20.0, 18.0, 3.0) == (
        decision.elapsed_minutes,
        decision.remaining_door_out_minutes,
        decision.hours_since_onset,
    )
    assert CONFIG == decision.config
    assert (120, 30, 60, 5, 30, 12) == (
        decision.config.stemi_pci_limit_minutes,
        decision.config.expected_door_out_minutes,
        decision.config.door_to_wire_prior_minutes,
        decision.config.min_cases_for_median,
        decision.config.lysis_door_to_needle_target,
        decision.config.onset_pci_only_hours,
    )
    (estimate,) = decision.pci_estimates
    assert (COUNTY, 0, 60, "prior", 138.0) == (
        estimate.option,
        estimate.cases,
        estimate.door_to_wire_minutes,
        estimate.door_to_wire_source,
        estimate.predicted_minutes,
    )


def test_stemi_configured_limit_is_used() -> None:
    """A configured limit of 90 turns a 100-minute prediction into lysis first."""
    strict = replace(CONFIG, stemi_pci_limit_minutes=90)
    assert "primary_pci" == stemi(diagnosed_minutes_ago=0).recommendation
    decision = stemi(diagnosed_minutes_ago=0, config=strict)
    assert ("thrombolysis_then_transfer", 90) == (
        decision.recommendation,
        decision.config.stemi_pci_limit_minutes,
    )


# --- STEMI: modifiers force primary PCI; late presentation (ESC 2023; DOMAIN.md) ----------


@pytest.mark.parametrize(
    ("onset_hours_ago", "recommendation", "destination"),
    [
        (11.9, "thrombolysis_then_transfer", "township_a"),
        (12.0, "thrombolysis_then_transfer", "township_a"),  # "> 12 h": exactly 12 h is not late
        (12.0 + 1 / 60, "no_emergency_reperfusion", "county"),
    ],
)
def test_stemi_onset_over_12_hours_takes_lysis_away(
    onset_hours_ago: float, recommendation: str, destination: str
) -> None:
    """At 121 predicted minutes, stable (Killip I): within 12 h lysis first; beyond 12 h no
    lysis and no emergency activation: angiography at the PCI centre may be considered."""
    decision = stemi(diagnosed_minutes_ago=21, onset_at=NOW - timedelta(hours=onset_hours_ago))
    assert (recommendation, destination) == (
        decision.recommendation,
        decision.destination_facility_id,
    )
    assert (onset_hours_ago <= 12) == decision.lysis_allowed


def test_stemi_onset_over_12_hours_reason() -> None:
    """The late reasons give the hours and the limits, in both languages."""
    decision = stemi(diagnosed_minutes_ago=21, onset_at=NOW - timedelta(hours=13))
    reason = next(r for r in decision.reasons if r.code == "onset_over_limit")
    assert "Onset 13 h ago (> 12 h): no thrombolysis." == reason.reason
    assert "发病13小时（> 12小时）：不溶栓。" == reason.reason_zh
    assert "late_stable_no_activation" in codes(decision)
    assert "activate_cathlab" not in codes(decision)


@pytest.mark.parametrize(
    ("hours", "recommendation", "destination", "code"),
    [
        (47.9, "no_emergency_reperfusion", "county", "late_stable_no_activation"),
        (48.0, "no_emergency_reperfusion", "county", "late_stable_no_activation"),
        (48.1, "no_emergency_reperfusion", None, "late_stable_none"),
        (60.0, "no_emergency_reperfusion", None, "late_stable_none"),  # never a field activation
    ],
)
def test_stemi_late_and_stable_never_activates_the_cath_lab(
    hours: float, recommendation: str, destination: str | None, code: str
) -> None:
    """Stable, diagnosed just now (the county within the limit): 12-48 h, no activation; over
    48 h, no reperfusion at all (DOMAIN.md: onset > 48 h and stable: none)."""
    decision = stemi(diagnosed_minutes_ago=0, onset_at=NOW - timedelta(hours=hours))
    assert (recommendation, destination, True) == (
        decision.recommendation,
        decision.destination_facility_id,
        code in codes(decision),
    )


@pytest.mark.parametrize(
    ("signs", "killip"),
    [
        ({"ongoing_ischaemia": True}, 1),
        ({"arrhythmia": True}, 1),
        ({}, 2),  # heart failure
        ({}, 4),  # shock
    ],
)
def test_stemi_late_with_ischaemia_failure_shock_or_arrhythmia_is_primary_pci(
    signs: dict[str, bool], killip: int
) -> None:
    """Onset 60 h ago with any of the signs: primary PCI (activate), no lysis offered."""
    decision = stemi(
        diagnosed_minutes_ago=21, onset_at=NOW - timedelta(hours=60), killip_class=killip, **signs
    )
    assert ("primary_pci", "county", None) == (
        decision.recommendation,
        decision.destination_facility_id,
        decision.nearest_lysis,
    )
    assert {"late_pci_indicated", "activate_cathlab"} <= set(codes(decision))


def test_stemi_late_with_no_pci_reachable_is_not_sent_to_a_lysis_unit() -> None:
    """Onset over 12 h, heart failure, no PCI centre reachable: no lysis unit as destination."""
    unreachable = PciOption("county", "县医院", None)
    decision = stemi(
        diagnosed_minutes_ago=21,
        onset_at=NOW - timedelta(hours=14),
        killip_class=2,
        pci_options=(unreachable,),
    )
    assert ("no_pci_reachable", None) == (
        decision.recommendation,
        decision.destination_facility_id,
    )
    assert "no_pci_no_lysis" in codes(decision)


@pytest.mark.parametrize(
    ("killip", "recommendation", "modifiers"),
    [
        (1, "thrombolysis_then_transfer", ()),
        (2, "thrombolysis_then_transfer", ()),  # Killip II does not override the delay rule
        (3, "primary_pci", ("killip_shock_or_failure",)),
        (4, "primary_pci", ("killip_shock_or_failure",)),
    ],
)
def test_stemi_killip_three_or_four_forces_pci(
    killip: int, recommendation: str, modifiers: tuple[str]
) -> None:
    """At 121 predicted minutes, Killip I-II keep lysis first; III-IV force primary PCI."""
    decision = stemi(diagnosed_minutes_ago=21, killip_class=killip)
    assert (recommendation, modifiers, killip) == (
        decision.recommendation,
        decision.modifiers,
        decision.killip_class,
    )


def test_stemi_lysis_contraindicated() -> None:
    """At 121 predicted minutes, a contraindication to lysis forces primary PCI."""
    decision = stemi(diagnosed_minutes_ago=21, lysis_contraindicated=True)
    assert ("primary_pci", ("lysis_contraindicated",), True) == (
        decision.recommendation,
        decision.modifiers,
        decision.lysis_contraindicated,
    )
    assert "lysis_contraindicated" in codes(decision)


def test_stemi_all_modifiers_are_listed() -> None:
    """Killip IV and a contraindication together: both named, in that order."""
    decision = stemi(diagnosed_minutes_ago=90, killip_class=4, lysis_contraindicated=True)
    assert ("killip_shock_or_failure", "lysis_contraindicated") == decision.modifiers
    assert "primary_pci" == decision.recommendation


def test_stemi_modifiers_do_not_change_a_primary_pci_within_the_limit() -> None:
    """Within the limit the answer is primary PCI anyway; the modifier is still shown."""
    decision = stemi(diagnosed_minutes_ago=10, killip_class=3)
    assert ("primary_pci", ("killip_shock_or_failure",)) == (
        decision.recommendation,
        decision.modifiers,
    )


# --- STEMI: which PCI centres may be offered --------------------------------------------

CITY_24_7 = PciOption("city", "市医院", 70)
COUNTY_DAYTIME = PciOption("county", "县医院", 40, around_the_clock=False)


@pytest.mark.parametrize(
    ("out_of_hours", "best"),
    [(False, "county"), (True, "city")],
)
def test_a_centre_without_24_7_pci_is_not_offered_out_of_hours(
    out_of_hours: bool, best: str
) -> None:
    """The county (no 24/7 PCI, nearer) in hours; the city (24/7) out of hours."""
    decision = stemi(
        diagnosed_minutes_ago=0, pci_options=(COUNTY_DAYTIME, CITY_24_7), out_of_hours=out_of_hours
    )
    assert decision.best_pci is not None
    assert (best, out_of_hours) == (
        decision.best_pci.option.facility_id,
        "county" in decision.not_offered,
    )
    assert out_of_hours == ("pci_not_24_7" in codes(decision))


def test_a_busy_cath_lab_is_not_offered() -> None:
    """The county's cath lab is busy: the city is recommended, the county named as busy."""
    busy = PciOption("county", "县医院", 40, busy=True)
    decision = stemi(diagnosed_minutes_ago=0, pci_options=(busy, CITY_24_7))
    assert decision.best_pci is not None
    assert ("city", ("county",)) == (decision.best_pci.option.facility_id, decision.not_offered)
    assert "pci_busy" in codes(decision)


def test_stemi_unknown_onset_and_killip_are_said() -> None:
    """Unknown onset and Killip class are named as unknown, and are not modifiers."""
    decision = stemi(diagnosed_minutes_ago=21, onset_at=None, killip_class=None)
    assert {"onset_unknown", "killip_unknown"} <= set(codes(decision))
    assert ((), None) == (decision.modifiers, decision.hours_since_onset)
    assert "thrombolysis_then_transfer" == decision.recommendation


@pytest.mark.parametrize("killip", [0, 5])
def test_stemi_killip_outside_one_to_four_is_refused(killip: int) -> None:
    """Killip class is I-IV."""
    with pytest.raises(ValueError, match="Killip class"):
        stemi(killip_class=killip)


# --- STEMI: no diagnosis yet --------------------------------------------------------------


def test_stemi_awaiting_diagnosis() -> None:
    """No diagnosis stamp: 'awaiting_diagnosis', no destination, predictions counted from now."""
    decision = stemi(diagnosed_minutes_ago=None, door_in=minutes_ago(10))
    assert ("awaiting_diagnosis", None, None, None) == (
        decision.recommendation,
        decision.diagnosis_at,
        decision.elapsed_minutes,
        decision.destination_facility_id,
    )
    assert "awaiting_diagnosis" == codes(decision)[0]
    assert [120.0] == [e.predicted_minutes for e in decision.pci_estimates]  # 20 + 40 + 60


def test_stemi_diagnosis_just_now() -> None:
    """Diagnosed at this very minute: elapsed 0."""
    decision = stemi(diagnosed_minutes_ago=0)
    assert (0.0, "primary_pci") == (decision.elapsed_minutes, decision.recommendation)


def test_stemi_every_reason_has_both_languages() -> None:
    """Every reason code has an English and a Chinese sentence, both filled in."""
    for decision in (
        stemi(diagnosed_minutes_ago=21, killip_class=None, onset_at=None),
        stemi(diagnosed_minutes_ago=None),
        stemi(pci_options=[PciOption("c", "C", None)]),
    ):
        for reason in decision.reasons:
            assert reason.reason
            assert reason.reason_zh
            assert "{" not in reason.reason + reason.reason_zh
    assert all(len(pair) == 2 for pair in TEXTS.values())


@pytest.mark.parametrize(
    ("local", "outside"),
    [
        (datetime(2025, 3, 14, 7, 59, tzinfo=SHANGHAI), True),  # Friday, before 08:00
        (datetime(2025, 3, 14, 8, 0, tzinfo=SHANGHAI), False),
        (datetime(2025, 3, 14, 17, 29, tzinfo=SHANGHAI), False),
        (datetime(2025, 3, 14, 17, 30, tzinfo=SHANGHAI), True),  # the end hour is out
        (datetime(2025, 3, 15, 10, 0, tzinfo=SHANGHAI), True),  # Saturday
    ],
)
def test_out_of_hours_is_weekends_and_outside_the_day(local: datetime, outside: bool) -> None:
    """A daytime cath lab's hours (configurable, 08:00-17:30 Monday to Friday)."""
    assert outside == out_of_hours(local, CONFIG)

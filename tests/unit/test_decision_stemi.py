"""STEMI decision support (pure): the 120-minute rule, the modifiers that force primary PCI, no
diagnosis yet; at and around every threshold, with their inputs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from dispatch.cases.decision_rules import TEXTS, PciOption
from tests.unit.decision_helpers import (
    CONFIG,
    COUNTY,
    NOW,
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


# --- STEMI: modifiers force primary PCI ---------------------------------------------------


@pytest.mark.parametrize(
    ("onset_hours_ago", "recommendation", "modifiers"),
    [
        (11.9, "thrombolysis_then_transfer", ()),
        (12.0, "thrombolysis_then_transfer", ()),  # "> 12 h": exactly 12 h is not a modifier
        (12.0 + 1 / 60, "primary_pci", ("onset_over_limit",)),
    ],
)
def test_stemi_onset_over_12_hours(
    onset_hours_ago: float, recommendation: str, modifiers: tuple[str, ...]
) -> None:
    """At 121 predicted minutes, onset more than 12 h ago forces primary PCI; exactly 12 h not."""
    decision = stemi(diagnosed_minutes_ago=21, onset_at=NOW - timedelta(hours=onset_hours_ago))
    assert (recommendation, modifiers) == (decision.recommendation, decision.modifiers)


def test_stemi_onset_over_12_hours_reason() -> None:
    """The modifier's reason gives the hours and the limit, in both languages."""
    decision = stemi(diagnosed_minutes_ago=21, onset_at=NOW - timedelta(hours=13))
    reason = next(r for r in decision.reasons if r.code == "onset_over_limit")
    assert "Onset 13 h ago (> 12 h): primary PCI." == reason.reason
    assert "发病13小时（> 12小时）：直接PCI。" == reason.reason_zh
    assert ("county", None) == (decision.destination_facility_id, decision.transfer_to_facility_id)


@pytest.mark.parametrize(
    ("killip", "recommendation", "modifiers"),
    [
        (1, "thrombolysis_then_transfer", ()),
        (2, "primary_pci", ("killip_over_1",)),
        (4, "primary_pci", ("killip_over_1",)),
    ],
)
def test_stemi_killip_above_one(killip: int, recommendation: str, modifiers: tuple[str]) -> None:
    """At 121 predicted minutes, Killip I keeps lysis first; Killip II or worse forces PCI."""
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
    """Onset, Killip and contraindication together: all three named, in that order."""
    decision = stemi(
        diagnosed_minutes_ago=90,
        onset_at=NOW - timedelta(hours=20),
        killip_class=3,
        lysis_contraindicated=True,
    )
    assert ("onset_over_limit", "killip_over_1", "lysis_contraindicated") == decision.modifiers
    assert "primary_pci" == decision.recommendation


def test_stemi_modifiers_do_not_change_a_primary_pci_within_the_limit() -> None:
    """Within the limit the answer is primary PCI anyway; the modifier is still shown."""
    decision = stemi(diagnosed_minutes_ago=10, killip_class=2)
    assert ("primary_pci", ("killip_over_1",)) == (decision.recommendation, decision.modifiers)


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

"""STEMI decision support (pure): each PCI centre's door-to-wire, the best destination, the
nearest lysis unit, the current facility's remaining door-out time.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dispatch.cases.decision_rules import FacilityName, LysisOption
from dispatch.cases.decision_stemi import PciOption
from tests.unit.decision_helpers import CONFIG, COUNTY, codes, minutes_ago, stemi

# --- STEMI: each PCI centre's door-to-wire -------------------------------------------------


@pytest.mark.parametrize(
    ("recent", "d2w", "source"),
    [
        ([30, 40, 50, 60], 60.0, "prior"),  # 4 = min_cases - 1: the prior
        ([30, 40, 50, 60, 70], 50.0, "own_median"),  # 5 = min_cases: its own median
        ([70, 30, 80, 40, 60, 50], 55.0, "own_median"),  # even count: mean of the middle two
        ([], 60.0, "prior"),
    ],
)
def test_stemi_prior_until_min_cases(recent: list[float], d2w: float, source: str) -> None:
    """A centre's own median door-to-wire is used from min_cases cases on, the prior before."""
    decision = stemi(pci_options=[PciOption("county", "县医院", 40, recent)])
    (estimate,) = decision.pci_estimates
    assert (d2w, source, len(recent)) == (
        estimate.door_to_wire_minutes,
        estimate.door_to_wire_source,
        estimate.cases,
    )
    assert 20 + 40 + d2w == estimate.predicted_minutes


def test_stemi_own_median_reason_says_which_was_used() -> None:
    """The reason names the own median and its case count."""
    decision = stemi(pci_options=[PciOption("county", "县医院", 40, [30, 40, 50, 60, 70])])
    assert "县医院: road 40 + own median door-to-wire 50 (5 cases) = 110 min." == (
        decision.reasons[1].reason
    )
    assert "县医院：路程40 + 本院中位门-导丝50（5例）= 110分钟。" == decision.reasons[1].reason_zh


def test_stemi_reasons_name_the_centre_in_each_language() -> None:
    """A centre with an English name is named in English in the English sentences."""
    county = PciOption("county", FacilityName("县医院", "County hospital"), 40, [])
    decision = stemi(pci_options=[county])
    assert decision.reasons[1].reason.startswith("County hospital: road 40")
    assert decision.reasons[1].reason_zh.startswith("县医院：路程40")
    assert "县医院" == decision.pci_estimates[0].option.name  # the name itself stays Chinese


def test_stemi_configured_prior_and_min_cases() -> None:
    """A prior of 75 and min_cases 3: three cases already give the own median."""
    config = replace(CONFIG, door_to_wire_prior_minutes=75, min_cases_for_median=3)
    slow = PciOption("county", "县医院", 40, [])
    three = PciOption("city", "市医院", 40, [40, 45, 50])
    decision = stemi(pci_options=[slow, three], config=config)
    assert [(75, "prior", 135.0), (45.0, "own_median", 105.0)] == [
        (e.door_to_wire_minutes, e.door_to_wire_source, e.predicted_minutes)
        for e in decision.pci_estimates
    ]


def test_stemi_best_is_the_smallest_prediction_not_the_nearest() -> None:
    """County is nearer (30) but slow (median 90); the city (45 + prior 60) is predicted sooner."""
    county = PciOption("county", "县医院", 30, [85, 90, 90, 95, 100])
    city = PciOption("city", "市医院", 45)
    decision = stemi(diagnosed_minutes_ago=10, pci_options=[county, city])
    assert [130.0, 115.0] == [e.predicted_minutes for e in decision.pci_estimates]
    assert decision.best_pci is not None
    assert ("city", "primary_pci", "city") == (
        decision.best_pci.option.facility_id,
        decision.recommendation,
        decision.destination_facility_id,
    )


def test_stemi_unreachable_pci_centre_is_shown_not_chosen() -> None:
    """A centre with no road is listed (predicted None, said so) and the other one is chosen."""
    cut_off = PciOption("city", "市医院", None)
    decision = stemi(pci_options=[cut_off, COUNTY])
    assert [None, 120.0] == [e.predicted_minutes for e in decision.pci_estimates]
    assert "pci_unreachable" in codes(decision)
    assert "county" == decision.destination_facility_id


@pytest.mark.parametrize("options", [[], [PciOption("city", "市医院", None)]])
def test_stemi_no_pci_reachable(options: list[PciOption]) -> None:
    """No PCI centre (none given, or none reachable): say so; suggest the nearest lysis unit."""
    decision = stemi(pci_options=options)
    assert ("no_pci_reachable", None, "township_a") == (
        decision.recommendation,
        decision.best_pci,
        decision.destination_facility_id,
    )
    assert "no_pci_reachable" == codes(decision)[-1]


def test_stemi_no_pci_and_lysis_contraindicated_has_no_destination() -> None:
    """No PCI reachable and lysis contraindicated: no destination is suggested."""
    decision = stemi(pci_options=[], lysis_contraindicated=True)
    assert ("no_pci_reachable", None) == (
        decision.recommendation,
        decision.destination_facility_id,
    )


def test_stemi_over_the_limit_without_a_lysis_unit_is_primary_pci() -> None:
    """Over 120 but no lysis-capable unit reachable: primary PCI, and the reason says why."""
    decision = stemi(diagnosed_minutes_ago=40, lysis_options=[LysisOption("t", "T", None)])
    assert ("primary_pci", None) == (decision.recommendation, decision.nearest_lysis)
    assert ["over_limit", "no_lysis_unit", "activate_cathlab"] == codes(decision)[-3:]


def test_stemi_nearest_lysis_unit_by_road_minutes() -> None:
    """Lysis at the unit with the fewest road minutes (unreachable ones skipped)."""
    units = [
        LysisOption("township_b", "B镇", 12),
        LysisOption("cut_off", "断路", None),
        LysisOption("county", "县医院", 40),
        LysisOption("township_c", "C镇", 7),
    ]
    decision = stemi(diagnosed_minutes_ago=60, lysis_options=units)
    assert ("thrombolysis_then_transfer", "township_c") == (
        decision.recommendation,
        decision.destination_facility_id,
    )
    assert LysisOption("township_c", "C镇", 7) == decision.nearest_lysis


# --- STEMI: the current facility's remaining door-out time ---------------------------------


@pytest.mark.parametrize(
    ("inside", "remaining", "predicted"),
    [
        (0, 30.0, 140.0),
        (10, 20.0, 130.0),
        (29, 1.0, 111.0),
        (30, 0.0, 110.0),
        (45, 0.0, 110.0),  # already over the expected 30: nothing more is added
    ],
)
def test_stemi_remaining_door_out(inside: float, remaining: float, predicted: float) -> None:
    """At a non-PCI unit: remaining = max(0, 30 - minutes inside), added to the prediction."""
    decision = stemi(diagnosed_minutes_ago=10, door_in=minutes_ago(inside))
    assert decision.best_pci is not None
    assert (remaining, predicted) == (
        decision.remaining_door_out_minutes,
        decision.best_pci.predicted_minutes,
    )
    assert "door_out_remaining" in codes(decision)


def test_stemi_remaining_door_out_decides_at_the_limit() -> None:
    """15 elapsed + 5 remaining + 40 + 60 = 120 → PCI; 6 remaining (121) → lysis first."""
    assert "primary_pci" == stemi(diagnosed_minutes_ago=15, door_in=minutes_ago(25)).recommendation
    decision = stemi(diagnosed_minutes_ago=15, door_in=minutes_ago(24))
    assert (6.0, "thrombolysis_then_transfer") == (
        decision.remaining_door_out_minutes,
        decision.recommendation,
    )


def test_stemi_no_remaining_door_out_at_the_pci_centre() -> None:
    """Already at the PCI centre: nothing is added for a door-out, even with a door-in."""
    here = PciOption("county", "县医院", 0, [50, 55, 60, 65, 70])
    decision = stemi(door_in=minutes_ago(5), at_pci_facility=True, pci_options=[here])
    assert decision.best_pci is not None
    assert (0.0, 80.0, True) == (
        decision.remaining_door_out_minutes,
        decision.best_pci.predicted_minutes,
        decision.at_pci_facility,
    )
    assert "door_out_remaining" not in codes(decision)


def test_stemi_configured_expected_door_out() -> None:
    """An expected door-out of 45 (configured) leaves 35 after 10 minutes inside."""
    config = replace(CONFIG, expected_door_out_minutes=45)
    decision = stemi(door_in=minutes_ago(10), config=config)
    assert 35.0 == decision.remaining_door_out_minutes

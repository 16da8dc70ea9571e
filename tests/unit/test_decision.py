"""Decision support (pure): the DOMAIN.md rules at and around every threshold, with their inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from dispatch.cases.decision_rules import (
    TEXTS,
    DecisionConfig,
    LysisOption,
    PciOption,
    StemiDecision,
    StrokeDecision,
    StrokeOption,
    StrokeScale,
    stemi_reperfusion,
    stroke_triage,
)

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
NOW = datetime(2025, 3, 15, 0, 30, tzinfo=SHANGHAI)
CONFIG = DecisionConfig()
COUNTY = PciOption("county", "县医院", 40)  # no recent cases: the prior 60 min is used
TOWNSHIP_LYSIS = LysisOption("township_a", "A镇卫生院", 0)


def minutes_ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def stemi(
    *,
    diagnosed_minutes_ago: float | None = 20,
    door_in: datetime | None = None,
    at_pci_facility: bool = False,
    pci_options: Sequence[PciOption] = (COUNTY,),
    lysis_options: Sequence[LysisOption] = (TOWNSHIP_LYSIS,),
    onset_at: datetime | None = NOW - timedelta(hours=2),
    killip_class: int | None = 1,
    lysis_contraindicated: bool = False,
    config: DecisionConfig = CONFIG,
) -> StemiDecision:
    """The STEMI rule with defaults: diagnosed 20 min ago, on the road, county 40 + prior 60."""
    diagnosis = None if diagnosed_minutes_ago is None else minutes_ago(diagnosed_minutes_ago)
    return stemi_reperfusion(
        NOW,
        diagnosis,
        door_in,
        at_pci_facility,
        list(pci_options),
        list(lysis_options),
        onset_at,
        killip_class,
        lysis_contraindicated,
        config,
    )


def codes(decision: StemiDecision | StrokeDecision) -> list[str]:
    return [r.code for r in decision.reasons]


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


# --- stroke -------------------------------------------------------------------------------

CITY_EVT = StrokeOption("city", "市医院卒中中心", 50)
COUNTY_IVT = StrokeOption("county", "县医院", 30)


def stroke(
    *,
    lkw_hours_ago: float | None = 2,
    scale: StrokeScale | None = "race",
    score: int | None = 6,
    thrombectomy: Sequence[StrokeOption] = (CITY_EVT,),
    thrombolysis: Sequence[StrokeOption] = (COUNTY_IVT,),
    config: DecisionConfig = CONFIG,
) -> StrokeDecision:
    """Stroke triage with defaults: LKW 2 h ago, RACE 6, city +20 min over the county."""
    lkw = None if lkw_hours_ago is None else NOW - timedelta(hours=lkw_hours_ago)
    return stroke_triage(NOW, lkw, scale, score, list(thrombectomy), list(thrombolysis), config)


@pytest.mark.parametrize(
    ("scale", "score", "threshold", "positive"),
    [
        ("race", 4, 5, False),
        ("race", 5, 5, True),
        ("fast_ed", 3, 4, False),
        ("fast_ed", 4, 4, True),
        ("lams", 3, 4, False),
        ("lams", 4, 4, True),
    ],
)
def test_stroke_scale_thresholds(
    scale: StrokeScale, score: int, threshold: int, positive: bool
) -> None:
    """LVO positive from the scale's threshold on (RACE 5, FAST-ED 4, LAMS 4); one below: not."""
    decision = stroke(scale=scale, score=score)
    assert (threshold, positive) == (decision.lvo_threshold, decision.lvo_positive)
    expected = "thrombectomy_centre" if positive else "nearest_thrombolysis_centre"
    assert expected == decision.recommendation
    assert ("lvo_positive" if positive else "lvo_negative") == codes(decision)[0]
    assert not decision.drip_and_ship


def test_stroke_lvo_reason_text() -> None:
    """The scale reason states the score against its threshold."""
    decision = stroke(scale="fast_ed", score=4)
    assert "FAST-ED 4 ≥ 4: LVO likely." == decision.reasons[0].reason
    assert "FAST-ED 4 ≥ 4：提示大血管闭塞。" == decision.reasons[0].reason_zh


@pytest.mark.parametrize(
    ("evt_minutes", "extra", "recommendation", "destination", "drip_and_ship"),
    [
        (59, 29.0, "thrombectomy_centre", "city", False),
        (60, 30.0, "thrombectomy_centre", "city", False),
        (61, 31.0, "nearest_thrombolysis_centre", "county", True),
    ],
)
def test_stroke_extra_minutes_to_the_thrombectomy_centre(
    evt_minutes: float, extra: float, recommendation: str, destination: str, drip_and_ship: bool
) -> None:
    """LVO positive: the thrombectomy centre if it adds ≤ 30 min, else drip and ship."""
    decision = stroke(thrombectomy=[StrokeOption("city", "市医院", evt_minutes)])
    assert (extra, recommendation, destination, drip_and_ship) == (
        decision.extra_minutes,
        decision.recommendation,
        decision.destination_facility_id,
        decision.drip_and_ship,
    )


def test_stroke_drip_and_ship_reason() -> None:
    """Drip and ship names both centres."""
    decision = stroke(thrombectomy=[StrokeOption("city", "市医院", 61)])
    assert "Nearest thrombolysis centre 县医院, then transfer to 市医院 (drip and ship)." == (
        decision.reasons[-1].reason
    )
    assert ["lvo_positive", "windows", "extra_minutes", "drip_and_ship"] == codes(decision)


def test_stroke_configured_extra_minutes() -> None:
    """With N = 15 (configured), 20 extra minutes means drip and ship."""
    decision = stroke(config=replace(CONFIG, thrombectomy_extra_minutes=15))
    assert (20.0, 15, "nearest_thrombolysis_centre", True) == (
        decision.extra_minutes,
        decision.config.thrombectomy_extra_minutes,
        decision.recommendation,
        decision.drip_and_ship,
    )


@pytest.mark.parametrize(
    ("hours", "within", "recommendation"),
    [
        (23.5, True, "thrombectomy_centre"),
        (24.0, True, "thrombectomy_centre"),
        (24 + 1 / 60, False, "nearest_thrombolysis_centre"),
    ],
)
def test_stroke_last_known_well_at_the_window_edge(
    hours: float, within: bool, recommendation: str
) -> None:
    """LKW exactly 24 h ago is within the window; one minute more is not (no drip and ship)."""
    decision = stroke(lkw_hours_ago=hours)
    assert (within, recommendation, False) == (
        decision.within_lvo_window,
        decision.recommendation,
        decision.drip_and_ship,
    )


@pytest.mark.parametrize(
    ("hours", "open_"),
    [(4.0, True), (4.5, True), (4.5 + 1 / 60, False)],
)
def test_stroke_lysis_window(hours: float, open_: bool) -> None:
    """IV lysis window: open up to 4.5 h after last known well, closed a minute later."""
    decision = stroke(lkw_hours_ago=hours, score=2)
    assert (open_, True) == (decision.within_lysis_window, decision.within_lvo_window)
    assert ("open" if open_ else "passed") in decision.reasons[1].reason


def test_stroke_windows_reason_text() -> None:
    """The windows reason gives hours since LKW and both windows, in both languages."""
    decision = stroke(lkw_hours_ago=6)
    assert (
        "Last known well 6 h ago: lysis window 4.5 h passed, thrombectomy window 24 h open."
        == decision.reasons[1].reason
    )
    assert "最后正常6小时前：溶栓窗4.5小时已过，取栓窗24小时内。" == decision.reasons[1].reason_zh


def test_stroke_decision_carries_its_inputs_and_thresholds() -> None:
    """Inputs, derived values and the configured thresholds are all on the decision."""
    decision = stroke()
    assert (NOW, NOW - timedelta(hours=2), "race", 6) == (
        decision.now,
        decision.last_known_well_at,
        decision.scale,
        decision.score,
    )
    assert ((CITY_EVT,), (COUNTY_IVT,)) == (
        decision.thrombectomy_options,
        decision.thrombolysis_options,
    )
    assert (5, True, 2.0, True, True, CITY_EVT, COUNTY_IVT, 20.0) == (
        decision.lvo_threshold,
        decision.lvo_positive,
        decision.hours_since_last_known_well,
        decision.within_lvo_window,
        decision.within_lysis_window,
        decision.nearest_thrombectomy,
        decision.nearest_thrombolysis,
        decision.extra_minutes,
    )
    assert (5, 4, 4, 24, 4.5, 30) == (
        decision.config.lvo_threshold_race,
        decision.config.lvo_threshold_fast_ed,
        decision.config.lvo_threshold_lams,
        decision.config.lvo_window_hours,
        decision.config.lysis_window_hours,
        decision.config.thrombectomy_extra_minutes,
    )


def test_stroke_configured_threshold() -> None:
    """A RACE threshold configured to 6 makes RACE 5 negative."""
    decision = stroke(score=5, config=replace(CONFIG, lvo_threshold_race=6))
    assert (6, False, "nearest_thrombolysis_centre") == (
        decision.lvo_threshold,
        decision.lvo_positive,
        decision.recommendation,
    )


@pytest.mark.parametrize(
    ("scale", "score"),
    [(None, 6), ("race", None), (None, None)],
)
def test_stroke_missing_score(scale: StrokeScale | None, score: int | None) -> None:
    """No scale or no score: nearest thrombolysis centre, LVO unknown, and the reason says so."""
    decision = stroke(scale=scale, score=score)
    assert ("nearest_thrombolysis_centre", "county", None, False) == (
        decision.recommendation,
        decision.destination_facility_id,
        decision.lvo_positive,
        decision.drip_and_ship,
    )
    assert "scale_missing" == codes(decision)[0]


def test_stroke_missing_last_known_well() -> None:
    """No LKW: nearest thrombolysis centre, windows unknown, and the reason says so."""
    decision = stroke(lkw_hours_ago=None)
    assert ("nearest_thrombolysis_centre", None, None, None) == (
        decision.recommendation,
        decision.hours_since_last_known_well,
        decision.within_lvo_window,
        decision.within_lysis_window,
    )
    assert "lkw_missing" in codes(decision)
    assert not decision.drip_and_ship


def test_stroke_thrombectomy_centre_is_also_the_nearest_lysis_centre() -> None:
    """When the nearest thrombolysis centre does thrombectomy, it adds 0 min: go there."""
    both = StrokeOption("city", "市医院", 25)
    decision = stroke(thrombectomy=[both], thrombolysis=[both, COUNTY_IVT])
    assert (0.0, "thrombectomy_centre", "city") == (
        decision.extra_minutes,
        decision.recommendation,
        decision.destination_facility_id,
    )


def test_stroke_negative_lvo_goes_to_the_nearest_centre_even_if_it_does_thrombectomy() -> None:
    """LVO negative: the nearest thrombolysis centre, which may be the thrombectomy one."""
    both = StrokeOption("city", "市医院", 25)
    decision = stroke(score=3, thrombectomy=[both], thrombolysis=[both, COUNTY_IVT])
    assert ("nearest_thrombolysis_centre", "city", False) == (
        decision.recommendation,
        decision.destination_facility_id,
        decision.drip_and_ship,
    )


def test_stroke_only_a_thrombectomy_centre_reachable() -> None:
    """No thrombolysis centre reachable: the thrombectomy centre, whatever the score."""
    decision = stroke(score=1, thrombolysis=[StrokeOption("county", "县医院", None)])
    assert ("thrombectomy_centre", "city", None) == (
        decision.recommendation,
        decision.destination_facility_id,
        decision.extra_minutes,
    )
    assert "only_thrombectomy_centre" == codes(decision)[-1]


def test_stroke_lvo_without_a_thrombectomy_centre() -> None:
    """LVO positive but no thrombectomy centre reachable: nearest lysis, no drip and ship."""
    decision = stroke(thrombectomy=[])
    assert ("nearest_thrombolysis_centre", False, None) == (
        decision.recommendation,
        decision.drip_and_ship,
        decision.nearest_thrombectomy,
    )


def test_stroke_no_centre_reachable() -> None:
    """Nothing reachable: said so, no destination."""
    decision = stroke(thrombectomy=[], thrombolysis=[])
    assert ("no_stroke_centre_reachable", None) == (
        decision.recommendation,
        decision.destination_facility_id,
    )
    assert "no_stroke_centre" == codes(decision)[-1]


def test_stroke_nearest_by_road_minutes() -> None:
    """The nearest centres are chosen by road minutes, unreachable ones skipped."""
    decision = stroke(
        thrombectomy=[StrokeOption("far", "远", 90), StrokeOption("near", "近", 45)],
        thrombolysis=[StrokeOption("x", "X", None), StrokeOption("t", "T", 20), COUNTY_IVT],
    )
    assert ("near", "t", 25.0) == (
        decision.nearest_thrombectomy.facility_id if decision.nearest_thrombectomy else None,
        decision.nearest_thrombolysis.facility_id if decision.nearest_thrombolysis else None,
        decision.extra_minutes,
    )


@pytest.mark.parametrize(("scale", "score"), [("race", 10), ("lams", 6), ("fast_ed", -1)])
def test_stroke_score_out_of_range_is_refused(scale: StrokeScale, score: int) -> None:
    """RACE and FAST-ED run 0-9, LAMS 0-5."""
    with pytest.raises(ValueError, match="outside"):
        stroke(scale=scale, score=score)


def test_stroke_unknown_scale_is_refused() -> None:
    """Only RACE, FAST-ED and LAMS are known."""
    with pytest.raises(ValueError, match="unknown LVO scale"):
        stroke_triage(NOW, NOW, "nihss", 10, [], [], CONFIG)  # type: ignore[arg-type]


def test_stroke_times_in_utc_and_shanghai_compare() -> None:
    """LKW given in UTC, now in Shanghai time: 4.5 h apart exactly, the lysis window is open."""
    lkw = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai; NOW is 00:30 next day
    decision = stroke_triage(NOW, lkw, "lams", 4, [CITY_EVT], [COUNTY_IVT], CONFIG)
    assert (4.5, True) == (decision.hours_since_last_known_well, decision.within_lysis_window)

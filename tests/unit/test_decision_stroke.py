"""Stroke triage (pure): the rules of docs/domain.md, "Decision rules", at and around every
threshold, with their inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dispatch.cases.decision_rules import DecisionConfig, StrokeOption, StrokeScale
from dispatch.cases.decision_stroke import StrokeDecision, stroke_triage
from tests.unit.decision_helpers import CONFIG, NOW, codes

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


# --- issue 14, finding 3: never drip and ship past the lysis window ----------------------

FAR_EVT = StrokeOption("city", "市医院卒中中心", 90)  # 60 minutes more than the county


@pytest.mark.parametrize("hours", [4.5 + 1 / 60, 6.0, 20.0, 24.0])
def test_lvo_past_the_lysis_window_goes_straight_to_thrombectomy(hours: float) -> None:
    """LVO positive, LKW past 4.5 h (and within 24 h): no lysis is possible, so straight to the
    thrombectomy centre however much farther it is; never 'drip and ship' to a lysis-only
    centre. Beyond 6 h the reasons say it needs advanced imaging."""
    decision = stroke(lkw_hours_ago=hours, thrombectomy=(FAR_EVT,))
    assert ("thrombectomy_centre", "city", False) == (
        decision.recommendation,
        decision.destination_facility_id,
        decision.drip_and_ship,
    )
    assert "past_lysis_window" in codes(decision)
    assert (hours > 6) == ("advanced_imaging" in codes(decision))


def test_lvo_within_the_lysis_window_far_from_thrombectomy_is_drip_and_ship() -> None:
    """LKW 2 h, the city 60 minutes farther (> 30 allowed): drip and ship to the county."""
    decision = stroke(lkw_hours_ago=2, thrombectomy=(FAR_EVT,))
    assert ("nearest_thrombolysis_centre", True) == (
        decision.recommendation,
        decision.drip_and_ship,
    )


@pytest.mark.parametrize(
    ("lkw_hours", "recommendation"),
    [
        (3.5, "thrombectomy_centre"),  # arrives at 3.5 + 50/60 = 4.33 h: inside the window
        (3.0 + 40 / 60, "thrombectomy_centre"),  # arrives at exactly 4.5 h
        (3.0 + 41 / 60, "nearest_thrombolysis_centre"),  # would arrive at 4.52 h: lyse first
    ],
)
def test_a_bypass_never_pushes_arrival_past_the_lysis_window(
    lkw_hours: float, recommendation: str
) -> None:
    """Within 4.5 h, the thrombectomy centre (+20 min, allowed) only while the patient still
    arrives inside the lysis window; otherwise the nearest lysis centre first."""
    decision = stroke(lkw_hours_ago=lkw_hours)
    assert recommendation == decision.recommendation
    assert (recommendation != "thrombectomy_centre") == (
        "arrives_past_lysis_window" in codes(decision)
    )


def test_an_lvo_negative_patient_past_the_window_is_not_sent_to_thrombectomy() -> None:
    """Not in the population: LVO negative at 6 h goes to the nearest stroke centre."""
    decision = stroke(lkw_hours_ago=6, score=2)
    assert ("nearest_thrombolysis_centre", False) == (
        decision.recommendation,
        decision.drip_and_ship,
    )

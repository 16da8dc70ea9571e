"""Stroke triage: the thrombectomy centre or the nearest thrombolysis centre (docs/domain.md,
"Stroke LVO triage"). Pure: no I/O, no clock (``now`` is given); the shared types, thresholds
and reasons are in ``decision_rules``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from dispatch.cases.decision_rules import (
    DEFAULT_CONFIG,
    SCALE_MAX,
    DecisionConfig,
    Reason,
    StrokeOption,
    StrokeScale,
    minutes_between,
    nearest,
    reason,
)

StrokeRecommendation = Literal[
    "thrombectomy_centre", "nearest_thrombolysis_centre", "no_stroke_centre_reachable"
]
# Beyond this, thrombectomy needs advanced imaging to select patients (DAWN/DEFUSE-3; AHA/ASA 2019)
ADVANCED_IMAGING_HOURS = 6.0


@dataclass(frozen=True)
class StrokeDecision:
    recommendation: StrokeRecommendation
    destination_facility_id: str | None
    drip_and_ship: bool  # LVO: lyse at the nearest centre, then transfer for thrombectomy
    reasons: tuple[Reason, ...]
    # inputs
    now: datetime
    last_known_well_at: datetime | None
    scale: StrokeScale | None
    score: int | None
    thrombectomy_options: tuple[StrokeOption, ...]
    thrombolysis_options: tuple[StrokeOption, ...]
    # derived
    lvo_threshold: int | None
    lvo_positive: bool | None  # None: scale or score missing
    hours_since_last_known_well: float | None
    within_lvo_window: bool | None
    within_lysis_window: bool | None
    nearest_thrombectomy: StrokeOption | None
    nearest_thrombolysis: StrokeOption | None
    extra_minutes: float | None  # nearest thrombectomy centre minus nearest thrombolysis centre
    config: DecisionConfig


def _direct_to_thrombectomy(
    hours: float,
    evt: StrokeOption,
    extra: float | None,
    in_lysis: bool,
    config: DecisionConfig,
) -> tuple[bool, list[Reason]]:
    """LVO likely within the thrombectomy window (DOMAIN.md, "Stroke LVO triage"; AHA/ASA
    2019): past the lysis window no lysis is possible, so straight to the thrombectomy centre
    (beyond 6 h it needs advanced imaging); within it, the thrombectomy centre only if it adds
    at most the allowed minutes and the patient still arrives inside the lysis window."""
    if not in_lysis:
        reasons = [reason("past_lysis_window", name=evt.name, lysis=config.lysis_window_hours)]
        if hours > ADVANCED_IMAGING_HOURS:
            reasons.append(reason("advanced_imaging", hours=ADVANCED_IMAGING_HOURS))
        return True, reasons
    if extra is not None and extra > config.thrombectomy_extra_minutes:
        return False, []
    arrival_hours = hours + (evt.road_minutes or 0.0) / 60
    if arrival_hours > config.lysis_window_hours:
        return False, [
            reason(
                "arrives_past_lysis_window",
                name=evt.name,
                arrival=arrival_hours,
                lysis=config.lysis_window_hours,
            )
        ]
    return True, []


def stroke_triage(
    now: datetime,
    last_known_well_at: datetime | None,
    scale: StrokeScale | None,
    score: int | None,
    thrombectomy_options: Sequence[StrokeOption],
    thrombolysis_options: Sequence[StrokeOption],
    config: DecisionConfig = DEFAULT_CONFIG,
) -> StrokeDecision:
    """Stroke LVO triage (docs/domain.md, "Stroke LVO triage"): the thrombectomy centre directly,
    or drip and ship."""
    threshold = None if scale is None else config.lvo_threshold(scale)
    lvo = None
    if scale is None or score is None or threshold is None:
        reasons = [reason("scale_missing")]
    else:
        if not 0 <= score <= SCALE_MAX[scale]:
            raise ValueError(f"{scale} score {score} is outside 0-{SCALE_MAX[scale]}")
        lvo = score >= threshold
        label = {"race": "RACE", "fast_ed": "FAST-ED", "lams": "LAMS"}[scale]
        code = "lvo_positive" if lvo else "lvo_negative"
        reasons = [reason(code, scale=label, score=score, threshold=threshold)]
    hours = None if last_known_well_at is None else minutes_between(now, last_known_well_at) / 60
    in_lvo = in_lysis = None
    if hours is None:
        reasons.append(reason("lkw_missing"))
    else:
        in_lvo = hours <= config.lvo_window_hours
        in_lysis = hours <= config.lysis_window_hours
        states = {
            "lysis_state": "open" if in_lysis else "passed",
            "lvo_state": "open" if in_lvo else "passed",
            "lysis_zh": "内" if in_lysis else "已过",
            "lvo_zh": "内" if in_lvo else "已过",
        }
        lysis, window = config.lysis_window_hours, config.lvo_window_hours
        reasons.append(reason("windows", hours=hours, lysis=lysis, lvo=window, **states))
    evt, ivt = nearest(thrombectomy_options), nearest(thrombolysis_options)
    extra = None
    if evt is not None and ivt is not None:
        extra = float((evt.road_minutes or 0) - (ivt.road_minutes or 0))
        names = {"evt": evt.name, "ivt": ivt.name}
        allowed = config.thrombectomy_extra_minutes
        reasons.append(reason("extra_minutes", extra=extra, allowed=allowed, **names))
    lvo_in_window = bool(lvo and in_lvo)
    direct = False
    if lvo_in_window and evt is not None and hours is not None:
        direct, why = _direct_to_thrombectomy(hours, evt, extra, bool(in_lysis), config)
        reasons += why
    recommendation: StrokeRecommendation = "no_stroke_centre_reachable"
    destination = None
    drip_and_ship = False
    if evt is not None and (ivt is None or direct):
        recommendation, destination = "thrombectomy_centre", evt.facility_id
        code = "direct_to_thrombectomy" if ivt is not None else "only_thrombectomy_centre"
        reasons.append(reason(code, name=evt.name))
    elif ivt is not None:
        recommendation, destination = "nearest_thrombolysis_centre", ivt.facility_id
        drip_and_ship = lvo_in_window and bool(in_lysis) and evt is not None
        evt_name = "" if evt is None else evt.name
        code = "drip_and_ship" if drip_and_ship else "nearest_thrombolysis"
        reasons.append(reason(code, name=ivt.name, evt=evt_name))
    else:
        reasons.append(reason("no_stroke_centre"))
    return StrokeDecision(
        recommendation=recommendation,
        destination_facility_id=destination,
        drip_and_ship=drip_and_ship,
        reasons=tuple(reasons),
        now=now,
        last_known_well_at=last_known_well_at,
        scale=scale,
        score=score,
        thrombectomy_options=tuple(thrombectomy_options),
        thrombolysis_options=tuple(thrombolysis_options),
        lvo_threshold=threshold,
        lvo_positive=lvo,
        hours_since_last_known_well=hours,
        within_lvo_window=in_lvo,
        within_lysis_window=in_lysis,
        nearest_thrombectomy=evt,
        nearest_thrombolysis=ivt,
        extra_minutes=extra,
        config=config,
    )

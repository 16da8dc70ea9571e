"""Decision support (docs/domain.md, "Decision rules"). Pure: no I/O, no clock (``now`` is given).

Decision support, never an order: every result carries its recommendation, every input and
threshold it used, and its reasons in English and Chinese, so a doctor can see why.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from dispatch.cases.decision_texts import TEXTS

StrokeScale = Literal["race", "fast_ed", "lams"]
StemiRecommendation = Literal[
    "awaiting_diagnosis",
    "primary_pci",
    "thrombolysis_then_transfer",
    "no_pci_reachable",
    "no_emergency_reperfusion",
]
StrokeRecommendation = Literal[
    "thrombectomy_centre", "nearest_thrombolysis_centre", "no_stroke_centre_reachable"
]
# The highest score each prehospital LVO scale can give (RACE 0-9, FAST-ED 0-9, LAMS 0-5).
SCALE_MAX: dict[str, int] = {"race": 9, "fast_ed": 9, "lams": 5}
# Beyond this, thrombectomy needs advanced imaging to select patients (DAWN/DEFUSE-3; AHA/ASA 2019)
ADVANCED_IMAGING_HOURS = 6.0


@dataclass(frozen=True)
class DecisionConfig:
    """The thresholds (docs/domain.md, "Decision rules"; configurable ones belong in settings)."""

    stemi_pci_limit_minutes: float = 120
    expected_door_out_minutes: float = 30
    door_to_wire_prior_minutes: float = 60
    min_cases_for_median: int = 5
    lysis_door_to_needle_target: float = 30
    onset_pci_only_hours: float = 12
    onset_stable_none_hours: float = 48
    # A PCI centre without 24/7 PCI is offered only in its working hours (local time, Monday
    # to Friday; public holidays are not known here): configurable.
    pci_day_start_hour: float = 8
    pci_day_end_hour: float = 17.5
    lvo_threshold_race: int = 5
    lvo_threshold_fast_ed: int = 4
    lvo_threshold_lams: int = 4
    lvo_window_hours: float = 24
    lysis_window_hours: float = 4.5
    thrombectomy_extra_minutes: float = 30

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{f.name} must be a number, not {value!r}")
            if f.type == "int" and value != int(value):
                raise ValueError(f"{f.name} must be a whole number, not {value!r}")
            if not value > 0:
                raise ValueError(f"{f.name} must be above 0, not {value!r}")
        for scale, top in SCALE_MAX.items():
            value = getattr(self, f"lvo_threshold_{scale}")
            if value > top:
                raise ValueError(f"lvo_threshold_{scale} must be at most {top} (the scale's top)")

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> DecisionConfig:
        """The config from plain numbers (settings), defaults for the rest; bad ones refused."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(
                f"unknown threshold(s) {', '.join(unknown)}: use {', '.join(sorted(known))}"
            )
        chosen = {
            name: int(value) if known[name].type == "int" and value == int(value) else value
            for name, value in values.items()
        }
        return cls(**chosen)  # type: ignore[arg-type]

    def lvo_threshold(self, scale: StrokeScale) -> int:
        """The score at or above which ``scale`` suggests a large-vessel occlusion."""
        if scale not in SCALE_MAX:
            raise ValueError(f"unknown LVO scale {scale!r}: use race, fast_ed or lams")
        threshold: int = getattr(self, f"lvo_threshold_{scale}")
        return threshold


@dataclass(frozen=True)
class Reason:
    """One step of the reasoning: a stable code, and the sentence in English and Chinese."""

    code: str
    reason: str
    reason_zh: str


class FacilityName(str):
    """A facility's Chinese name (the string itself) carrying its English one: the reasons'
    English sentences name it in English, the Chinese ones in Chinese."""

    en: str

    def __new__(cls, zh: str, en: str = "") -> FacilityName:
        made = super().__new__(cls, zh)
        made.en = en or zh
        return made


@dataclass(frozen=True)
class FacilityOption:
    """A facility the patient could go to; ``road_minutes`` None means not reachable by road."""

    facility_id: str
    name: str
    road_minutes: float | None


LysisOption = FacilityOption
StrokeOption = FacilityOption


@dataclass(frozen=True)
class PciOption:
    facility_id: str
    name: str
    road_minutes: float | None
    recent_door_to_wire: Sequence[float] = ()
    around_the_clock: bool = True  # capability pci_24_7
    busy: bool = False  # its cath lab's status is "busy"


@dataclass(frozen=True)
class PciEstimate:
    """One PCI centre's predicted diagnosis → wire, and how it was reached."""

    option: PciOption
    cases: int  # recent door-to-wire cases of this centre
    door_to_wire_minutes: float
    door_to_wire_source: Literal["own_median", "prior"]
    predicted_minutes: float | None  # None: not reachable by road


@dataclass(frozen=True)
class StemiDecision:
    recommendation: StemiRecommendation
    destination_facility_id: str | None  # where the patient goes now
    transfer_to_facility_id: str | None  # after thrombolysis: the PCI centre
    reasons: tuple[Reason, ...]
    # inputs
    now: datetime
    diagnosis_at: datetime | None
    current_facility_door_in: datetime | None
    at_pci_facility: bool
    onset_at: datetime | None
    killip_class: int | None
    lysis_contraindicated: bool
    ongoing_ischaemia: bool | None
    arrhythmia: bool | None
    out_of_hours: bool
    lysis_options: tuple[LysisOption, ...]
    # derived
    elapsed_minutes: float | None  # since the diagnosis (None: no diagnosis yet)
    remaining_door_out_minutes: float
    hours_since_onset: float | None
    pci_estimates: tuple[PciEstimate, ...]
    not_offered: tuple[str, ...]  # PCI centres left out: busy, or not 24/7 out of hours
    best_pci: PciEstimate | None
    nearest_lysis: LysisOption | None
    modifiers: tuple[str, ...]  # codes of the reasons that force primary PCI
    lysis_allowed: bool  # False beyond the onset limit (12 h)
    config: DecisionConfig


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


# Each reason's sentence in English and Chinese, filled in with ``str.format``.


def _reason(code: str, **values: object) -> Reason:
    """The reason ``code`` with its sentences filled in (floats at most one decimal)."""
    shown = {
        k: f"{round(v, 1):g}" if isinstance(v, int | float) and not isinstance(v, bool) else v
        for k, v in values.items()
    }
    in_english = {k: v.en if isinstance(v, FacilityName) else v for k, v in shown.items()}
    english, chinese = TEXTS[code]
    return Reason(code, english.format(**in_english), chinese.format(**shown))


def out_of_hours(local_now: datetime, config: DecisionConfig) -> bool:
    """Whether ``local_now`` (in the county's time zone) is outside a daytime cath lab's hours:
    a weekend, or before ``pci_day_start_hour`` / from ``pci_day_end_hour`` on a weekday."""
    hour = local_now.hour + local_now.minute / 60 + local_now.second / 3600
    weekend = local_now.weekday() >= 5
    return weekend or not config.pci_day_start_hour <= hour < config.pci_day_end_hour


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def _nearest(options: Sequence[FacilityOption]) -> FacilityOption | None:
    reachable = [o for o in options if o.road_minutes is not None]
    return min(reachable, key=lambda o: (o.road_minutes or 0.0, o.facility_id), default=None)


def _estimate(option: PciOption, before_road: float, config: DecisionConfig) -> PciEstimate:
    cases = len(option.recent_door_to_wire)
    own = cases >= config.min_cases_for_median
    recent = option.recent_door_to_wire
    d2w = float(statistics.median(recent)) if own else config.door_to_wire_prior_minutes
    predicted = None if option.road_minutes is None else before_road + option.road_minutes + d2w
    return PciEstimate(option, cases, d2w, "own_median" if own else "prior", predicted)


def _estimate_reason(e: PciEstimate, config: DecisionConfig) -> Reason:
    o = e.option
    if e.predicted_minutes is None or o.road_minutes is None:
        return _reason("pci_unreachable", name=o.name)
    code = "pci_own_median" if e.door_to_wire_source == "own_median" else "pci_prior"
    values = {"d2w": e.door_to_wire_minutes, "cases": e.cases, "predicted": e.predicted_minutes}
    return _reason(
        code, name=o.name, road=o.road_minutes, min_cases=config.min_cases_for_median, **values
    )


def _offered(
    estimates: Sequence[PciEstimate], out_of_hours: bool
) -> tuple[list[PciEstimate], list[Reason]]:
    """The PCI centres that may be offered now (DOMAIN.md, STEMI reperfusion: a centre
    without 24/7 PCI out of hours, or whose cath lab is busy, is not offered), and why the
    others are not."""
    offered, left_out = [], []
    for e in estimates:
        if e.option.busy:
            left_out.append(_reason("pci_busy", name=e.option.name))
        elif out_of_hours and not e.option.around_the_clock:
            left_out.append(_reason("pci_not_24_7", name=e.option.name))
        else:
            offered.append(e)
    return offered, left_out


def _late_presentation(
    hours: float,
    killip_class: int | None,
    ongoing_ischaemia: bool | None,
    arrhythmia: bool | None,
    config: DecisionConfig,
) -> tuple[bool, list[Reason]]:
    """Onset beyond the limit (ESC 2023; DOMAIN.md): no lysis; primary PCI only with ongoing
    ischaemia, heart failure (Killip II or worse), shock or a life-threatening arrhythmia.
    True: emergency primary PCI is indicated."""
    limit = config.onset_pci_only_hours
    reasons = [_reason("onset_over_limit", hours=hours, limit=limit)]
    failing = killip_class is not None and killip_class >= 2
    signs = [
        (english, chinese)
        for english, chinese, present in (
            ("ongoing ischaemia", "持续缺血", ongoing_ischaemia),
            ("heart failure or shock", "心衰或休克", failing),
            ("a life-threatening arrhythmia", "恶性心律失常", arrhythmia),
        )
        if present
    ]
    if signs:
        english, chinese = ", ".join(e for e, _ in signs), "、".join(c for _, c in signs)
        reasons.append(_reason("late_pci_indicated", signs=english, signs_zh=chinese))
        return True, reasons
    stable = config.onset_stable_none_hours
    code = "late_stable_none" if hours > stable else "late_stable_no_activation"
    reasons.append(_reason(code, hours=hours, stable=stable, limit=limit))
    return False, reasons


def stemi_reperfusion(
    now: datetime,
    diagnosis_at: datetime | None,
    current_facility_door_in: datetime | None,
    at_pci_facility: bool,
    pci_options: Sequence[PciOption],
    lysis_options: Sequence[LysisOption],
    onset_at: datetime | None,
    killip_class: int | None,
    lysis_contraindicated: bool,
    config: DecisionConfig = DecisionConfig(),
    ongoing_ischaemia: bool | None = None,
    arrhythmia: bool | None = None,
    out_of_hours: bool = False,
) -> StemiDecision:
    """Primary PCI or thrombolysis first (docs/domain.md, "STEMI reperfusion"; ESC 2023): time
    zero is the diagnosis. Modifiers that mean PCI whatever the delay: cardiogenic shock or
    acute heart failure (Killip III-IV) and a contraindication to lysis; Killip II does not.
    Onset beyond 12 h: no lysis (see ``_late_presentation``)."""
    if killip_class is not None and not 1 <= killip_class <= 4:
        raise ValueError(f"Killip class {killip_class} is not I-IV")
    limit = config.stemi_pci_limit_minutes
    elapsed = None if diagnosis_at is None else max(0.0, _minutes(now, diagnosis_at))
    reasons = [
        _reason("awaiting_diagnosis") if elapsed is None else _reason("elapsed", elapsed=elapsed)
    ]
    remaining = 0.0
    if not at_pci_facility and current_facility_door_in is not None:
        inside = _minutes(now, current_facility_door_in)
        expected = config.expected_door_out_minutes
        remaining = max(0.0, expected - inside)
        reasons.append(
            _reason("door_out_remaining", inside=inside, remaining=remaining, expected=expected)
        )
    estimates = tuple(_estimate(o, (elapsed or 0.0) + remaining, config) for o in pci_options)
    reasons.extend(_estimate_reason(e, config) for e in estimates)
    offered, left_out = _offered(estimates, out_of_hours)
    reasons += left_out
    best = min(
        (e for e in offered if e.predicted_minutes is not None),
        key=lambda e: (
            e.predicted_minutes or 0.0,
            e.option.road_minutes or 0.0,
            e.option.facility_id,
        ),
        default=None,
    )
    hours_since_onset = None if onset_at is None else _minutes(now, onset_at) / 60
    late = hours_since_onset is not None and hours_since_onset > config.onset_pci_only_hours
    nearest_lysis = None if late else _nearest(lysis_options)

    modifiers: list[Reason] = []
    if killip_class is not None and killip_class >= 3:
        modifiers.append(_reason("killip_shock_or_failure", killip=killip_class))
    if lysis_contraindicated:
        modifiers.append(_reason("lysis_contraindicated"))
    reasons += [_reason("onset_unknown")] if onset_at is None else []
    reasons += [_reason("killip_unknown")] if killip_class is None else []
    reasons += modifiers
    late_pci = False
    if late and hours_since_onset is not None:
        late_pci, late_reasons = _late_presentation(
            hours_since_onset, killip_class, ongoing_ischaemia, arrhythmia, config
        )
        reasons += late_reasons

    recommendation: StemiRecommendation
    destination = transfer_to = None
    if elapsed is None:
        recommendation = "awaiting_diagnosis"
    elif late and not late_pci:
        recommendation = "no_emergency_reperfusion"
        stable_none = hours_since_onset is not None and (
            hours_since_onset > config.onset_stable_none_hours
        )
        if best is not None and not stable_none:
            destination = best.option.facility_id  # angiography, without an emergency activation
    elif best is None or best.predicted_minutes is None:
        recommendation = "no_pci_reachable"
        reasons.append(_reason("no_pci_reachable" if not late else "no_pci_no_lysis"))
        if nearest_lysis is not None and not lysis_contraindicated:
            destination = nearest_lysis.facility_id
    else:
        predicted, pci = best.predicted_minutes, best.option
        within = predicted <= limit
        verdict = "within_limit" if within else "over_limit"
        reasons.append(_reason(verdict, name=pci.name, predicted=predicted, limit=limit))
        if within or modifiers or late or nearest_lysis is None:
            recommendation, destination = "primary_pci", pci.facility_id
            reasons += [] if within or modifiers or late else [_reason("no_lysis_unit")]
            reasons.append(_reason("activate_cathlab", name=pci.name))
        else:
            recommendation = "thrombolysis_then_transfer"
            destination, transfer_to = nearest_lysis.facility_id, pci.facility_id
            unit, target = nearest_lysis, config.lysis_door_to_needle_target
            reasons.append(
                _reason(
                    "thrombolysis_first",
                    name=unit.name,
                    road=unit.road_minutes,
                    target=target,
                    pci=pci.name,
                )
            )
    return StemiDecision(
        recommendation=recommendation,
        destination_facility_id=destination,
        transfer_to_facility_id=transfer_to,
        reasons=tuple(reasons),
        now=now,
        diagnosis_at=diagnosis_at,
        current_facility_door_in=current_facility_door_in,
        at_pci_facility=at_pci_facility,
        onset_at=onset_at,
        killip_class=killip_class,
        lysis_contraindicated=lysis_contraindicated,
        ongoing_ischaemia=ongoing_ischaemia,
        arrhythmia=arrhythmia,
        out_of_hours=out_of_hours,
        lysis_options=tuple(lysis_options),
        elapsed_minutes=elapsed,
        remaining_door_out_minutes=remaining,
        hours_since_onset=hours_since_onset,
        pci_estimates=estimates,
        not_offered=tuple(e.option.facility_id for e in estimates if e not in offered),
        best_pci=best,
        nearest_lysis=nearest_lysis,
        modifiers=tuple(m.code for m in modifiers),
        lysis_allowed=not late,
        config=config,
    )


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
        reasons = [_reason("past_lysis_window", name=evt.name, lysis=config.lysis_window_hours)]
        if hours > ADVANCED_IMAGING_HOURS:
            reasons.append(_reason("advanced_imaging", hours=ADVANCED_IMAGING_HOURS))
        return True, reasons
    if extra is not None and extra > config.thrombectomy_extra_minutes:
        return False, []
    arrival_hours = hours + (evt.road_minutes or 0.0) / 60
    if arrival_hours > config.lysis_window_hours:
        return False, [
            _reason(
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
    config: DecisionConfig = DecisionConfig(),
) -> StrokeDecision:
    """Stroke LVO triage (docs/domain.md, "Stroke LVO triage"): the thrombectomy centre directly,
    or drip and ship."""
    threshold = None if scale is None else config.lvo_threshold(scale)
    lvo = None
    if scale is None or score is None or threshold is None:
        reasons = [_reason("scale_missing")]
    else:
        if not 0 <= score <= SCALE_MAX[scale]:
            raise ValueError(f"{scale} score {score} is outside 0-{SCALE_MAX[scale]}")
        lvo = score >= threshold
        label = {"race": "RACE", "fast_ed": "FAST-ED", "lams": "LAMS"}[scale]
        code = "lvo_positive" if lvo else "lvo_negative"
        reasons = [_reason(code, scale=label, score=score, threshold=threshold)]
    hours = None if last_known_well_at is None else _minutes(now, last_known_well_at) / 60
    in_lvo = in_lysis = None
    if hours is None:
        reasons.append(_reason("lkw_missing"))
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
        reasons.append(_reason("windows", hours=hours, lysis=lysis, lvo=window, **states))
    evt, ivt = _nearest(thrombectomy_options), _nearest(thrombolysis_options)
    extra = None
    if evt is not None and ivt is not None:
        extra = float((evt.road_minutes or 0) - (ivt.road_minutes or 0))
        names = {"evt": evt.name, "ivt": ivt.name}
        allowed = config.thrombectomy_extra_minutes
        reasons.append(_reason("extra_minutes", extra=extra, allowed=allowed, **names))
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
        reasons.append(_reason(code, name=evt.name))
    elif ivt is not None:
        recommendation, destination = "nearest_thrombolysis_centre", ivt.facility_id
        drip_and_ship = lvo_in_window and bool(in_lysis) and evt is not None
        evt_name = "" if evt is None else evt.name
        code = "drip_and_ship" if drip_and_ship else "nearest_thrombolysis"
        reasons.append(_reason(code, name=ivt.name, evt=evt_name))
    else:
        reasons.append(_reason("no_stroke_centre"))
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

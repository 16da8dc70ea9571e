"""STEMI reperfusion: primary PCI, thrombolysis then transfer, or neither (docs/domain.md,
"Decision rules"). Pure: no I/O, no clock (``now`` is given); the shared types, thresholds and
reasons are in ``decision_rules``.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from dispatch.cases.decision_rules import (
    DEFAULT_CONFIG,
    DecisionConfig,
    LysisOption,
    Reason,
    minutes_between,
    nearest,
    reason,
)

StemiRecommendation = Literal[
    "awaiting_diagnosis",
    "primary_pci",
    "thrombolysis_then_transfer",
    "no_pci_reachable",
    "no_emergency_reperfusion",
]


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
        return reason("pci_unreachable", name=o.name)
    code = "pci_own_median" if e.door_to_wire_source == "own_median" else "pci_prior"
    values = {"d2w": e.door_to_wire_minutes, "cases": e.cases, "predicted": e.predicted_minutes}
    return reason(
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
            left_out.append(reason("pci_busy", name=e.option.name))
        elif out_of_hours and not e.option.around_the_clock:
            left_out.append(reason("pci_not_24_7", name=e.option.name))
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
    reasons = [reason("onset_over_limit", hours=hours, limit=limit)]
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
        reasons.append(reason("late_pci_indicated", signs=english, signs_zh=chinese))
        return True, reasons
    stable = config.onset_stable_none_hours
    code = "late_stable_none" if hours > stable else "late_stable_no_activation"
    reasons.append(reason(code, hours=hours, stable=stable, limit=limit))
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
    config: DecisionConfig = DEFAULT_CONFIG,
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
    elapsed = None if diagnosis_at is None else max(0.0, minutes_between(now, diagnosis_at))
    reasons = [
        reason("awaiting_diagnosis") if elapsed is None else reason("elapsed", elapsed=elapsed)
    ]
    remaining = 0.0
    if not at_pci_facility and current_facility_door_in is not None:
        inside = minutes_between(now, current_facility_door_in)
        expected = config.expected_door_out_minutes
        remaining = max(0.0, expected - inside)
        reasons.append(
            reason("door_out_remaining", inside=inside, remaining=remaining, expected=expected)
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
    hours_since_onset = None if onset_at is None else minutes_between(now, onset_at) / 60
    late = hours_since_onset is not None and hours_since_onset > config.onset_pci_only_hours
    nearest_lysis = None if late else nearest(lysis_options)

    modifiers: list[Reason] = []
    if killip_class is not None and killip_class >= 3:
        modifiers.append(reason("killip_shock_or_failure", killip=killip_class))
    if lysis_contraindicated:
        modifiers.append(reason("lysis_contraindicated"))
    reasons += [reason("onset_unknown")] if onset_at is None else []
    reasons += [reason("killip_unknown")] if killip_class is None else []
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
        reasons.append(reason("no_pci_reachable" if not late else "no_pci_no_lysis"))
        if nearest_lysis is not None and not lysis_contraindicated:
            destination = nearest_lysis.facility_id
    else:
        predicted, pci = best.predicted_minutes, best.option
        within = predicted <= limit
        verdict = "within_limit" if within else "over_limit"
        reasons.append(reason(verdict, name=pci.name, predicted=predicted, limit=limit))
        if within or modifiers or late or nearest_lysis is None:
            recommendation, destination = "primary_pci", pci.facility_id
            reasons += [] if within or modifiers or late else [reason("no_lysis_unit")]
            reasons.append(reason("activate_cathlab", name=pci.name))
        else:
            recommendation = "thrombolysis_then_transfer"
            destination, transfer_to = nearest_lysis.facility_id, pci.facility_id
            unit, target = nearest_lysis, config.lysis_door_to_needle_target
            reasons.append(
                reason(
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

"""Shared by the decision-support tests: a fixed clock, default options, the STEMI rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from dispatch.cases.decision_rules import DecisionConfig, LysisOption
from dispatch.cases.decision_stemi import PciOption, StemiDecision, stemi_reperfusion
from dispatch.cases.decision_stroke import StrokeDecision

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
    ongoing_ischaemia: bool | None = None,
    arrhythmia: bool | None = None,
    out_of_hours: bool = False,
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
        ongoing_ischaemia=ongoing_ischaemia,
        arrhythmia=arrhythmia,
        out_of_hours=out_of_hours,
    )


def codes(decision: StemiDecision | StrokeDecision) -> list[str]:
    return [r.code for r in decision.reasons]

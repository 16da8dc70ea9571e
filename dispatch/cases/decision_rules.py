"""Decision support (docs/domain.md, "Decision rules"). Pure: no I/O, no clock (``now`` is given).

Decision support, never an order: every result carries its recommendation, every input and
threshold it used, and its reasons in English and Chinese, so a doctor can see why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from dispatch.cases.decision_texts import TEXTS

StrokeScale = Literal["race", "fast_ed", "lams"]
# The highest score each prehospital LVO scale can give (RACE 0-9, FAST-ED 0-9, LAMS 0-5).
SCALE_MAX: dict[str, int] = {"race": 9, "fast_ed": 9, "lams": 5}


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


DEFAULT_CONFIG = DecisionConfig()


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


def reason(code: str, **values: object) -> Reason:
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


def minutes_between(later: datetime, earlier: datetime) -> float:
    """Minutes from ``earlier`` to ``later``."""
    return (later - earlier).total_seconds() / 60


def nearest(options: Sequence[FacilityOption]) -> FacilityOption | None:
    """The reachable option with the fewest road minutes (ties: by id), or None."""
    reachable = [o for o in options if o.road_minutes is not None]
    return min(reachable, key=lambda o: (o.road_minutes or 0.0, o.facility_id), default=None)

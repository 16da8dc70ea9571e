"""Every metric a report can show, from the pathways (intervals), ``rates.json`` and alerts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from dispatch.cases.pathways import IntervalSpec, load_pathways
from dispatch.reports.combined import COMBINED, Combined
from dispatch.reports.facts import Kind
from dispatch.reports.rates import load_rates

ACK_METRIC = "alerts_acknowledged_in_time"


@dataclass(frozen=True)
class MetricDef:
    pathway: str
    name: str
    kind: Kind
    label_zh: str
    label_en: str
    target_minutes: float | None = None
    met_if: str | None = None
    mean_below: float | None = None
    mean_at_most: float | None = None
    compliance_at_least: float | None = None
    aim_minutes: float | None = None
    rate_at_least: float | None = None
    # A combined metric's member pathways (its ``pathway`` is the combined key), else empty.
    members: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return self.pathway, self.name

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


def _interval(pathway: str, spec: IntervalSpec) -> MetricDef:
    return MetricDef(
        pathway, spec.name, "interval", spec.label_zh, spec.label_en, spec.target_minutes,
        spec.met_if, spec.report.mean_below, spec.report.mean_at_most,
        spec.report.compliance_at_least, spec.report.aim_minutes,
    )  # fmt: skip


def _combined(combined: Combined) -> MetricDef:
    """The combined metric: its members' interval (the same in each of them: names, targets),
    named for all of them."""
    pathways = load_pathways()
    specs = [
        spec
        for member in combined.members
        for spec in pathways[member].intervals
        if spec.name == combined.name
    ]
    defined = {_interval(combined.key, spec) for spec in specs}
    if len(specs) != len(combined.members) or len(defined) != 1:
        raise ValueError(f"{combined.name} must be the same interval in {combined.members}")
    one = defined.pop()
    return replace(
        one,
        label_zh=f"{one.label_zh}（{combined.name_zh}）",
        label_en=f"{one.label_en} ({combined.name_en.lower()})",
        members=combined.members,
    )


@lru_cache
def catalogue() -> tuple[MetricDef, ...]:
    """Every metric in report order: each pathway's intervals, its rates, alert answers; a
    combined metric after the last of its member pathways."""
    found: list[MetricDef] = []
    rates = load_rates()
    seen: set[str] = set()
    for pathway in load_pathways().values():
        seen.add(pathway.id)
        for spec in pathway.intervals:
            found.append(_interval(pathway.id, spec))
        for rate in rates:
            if pathway.id in rate.pathways:
                found.append(
                    MetricDef(
                        pathway.id, rate.name, "rate", rate.label_zh, rate.label_en,
                        rate_at_least=rate.at_least,
                    )
                )  # fmt: skip
        found.append(
            MetricDef(
                pathway.id, ACK_METRIC, "rate", "预警在目标时间内确认比例",
                "Alerts acknowledged within the target", met_if="le",
            )
        )  # fmt: skip
        found.extend(
            _combined(c) for c in COMBINED if pathway.id in c.members and seen >= set(c.members)
        )
    return tuple(found)


def by_key() -> dict[tuple[str, str], MetricDef]:
    """The catalogue by (pathway, name)."""
    return {m.key: m for m in catalogue()}

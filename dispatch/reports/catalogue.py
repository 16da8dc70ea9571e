"""Every metric a report can show, from the pathways (intervals), ``rates.json`` and alerts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dispatch.cases.pathways import load_pathways
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

    @property
    def key(self) -> tuple[str, str]:
        return self.pathway, self.name

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@lru_cache
def catalogue() -> tuple[MetricDef, ...]:
    """Every metric in report order: each pathway's intervals, its rates, alert answers."""
    found: list[MetricDef] = []
    rates = load_rates()
    for pathway in load_pathways().values():
        for spec in pathway.intervals:
            found.append(
                MetricDef(
                    pathway.id, spec.name, "interval", spec.label_zh, spec.label_en,
                    spec.target_minutes, spec.met_if, spec.report.mean_below,
                    spec.report.mean_at_most, spec.report.compliance_at_least,
                    spec.report.aim_minutes,
                )
            )  # fmt: skip
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
    return tuple(found)


def by_key() -> dict[tuple[str, str], MetricDef]:
    """The catalogue by (pathway, name)."""
    return {m.key: m for m in catalogue()}

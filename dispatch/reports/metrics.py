"""The report's figures from plain values. Pure: no I/O, no clock.

The reference implementation of what the SQL in ``queries.py`` computes, used by the unit
tests, by the tests that compare the two, and by the benchmark's Python baseline.

- ``n``: intervals measured (both stamps present, not ending before they start); for a rate,
  the cases it applies to;
- ``mean``; ``median`` and ``p90`` by linear interpolation between the closest ranks
  (PostgreSQL's ``percentile_cont``);
- ``compliance``: the share of judged intervals (those with a target) that met it, each by its
  pathway's rule (``met_if``: ``le`` or ``lt``); for a rate, the share of cases that meet it;
- ``outside``: judged and not met; ``missing``: applies but a stamp is missing; ``negative``:
  ends before it starts (a data-quality finding, left out of every figure).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dispatch.reports.facts import Fact, ReportCaseFacts

MetricKey = tuple[str, str]  # (pathway, metric name)
QUALITY_KINDS = ("missing", "out_of_order", "clock_skew", "corrections")


@dataclass(frozen=True)
class Figures:
    n: int
    mean: float | None
    median: float | None
    p90: float | None
    judged: int
    met: int
    missing: int = 0
    negative: int = 0

    @property
    def compliance(self) -> float | None:
        """Met over judged (None when nothing was judged)."""
        return self.met / self.judged if self.judged else None

    @property
    def outside(self) -> int:
        """Judged and not met."""
        return self.judged - self.met


@dataclass
class Groups:
    """One metric's figures over the whole period, by month and by facility."""

    total: Figures
    by_month: dict[date, Figures] = field(default_factory=dict)
    by_facility: dict[str | None, Figures] = field(default_factory=dict)


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value at ``fraction`` (0..1) of sorted values, interpolating between closest ranks."""
    if not ordered:
        raise ValueError("no values")
    if not 0 <= fraction <= 1:
        raise ValueError("the fraction is between 0 and 1")
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def figures(facts: Iterable[Fact]) -> Figures:
    """The figures of one metric's facts (all of one kind)."""
    measured: list[float] = []
    judged = met = missing = negative = 0
    rate = False
    for fact in facts:
        rate = rate or fact.kind == "rate"
        if fact.met is not None:
            judged += 1
            met += fact.met
        if fact.minutes is None:
            missing += fact.kind == "interval"
        elif fact.minutes < 0:
            negative += 1
        else:
            measured.append(fact.minutes)
    if rate:
        return Figures(judged, None, None, None, judged, met)
    measured.sort()
    if not measured:
        return Figures(0, None, None, None, judged, met, missing, negative)
    return Figures(
        n=len(measured),
        mean=math.fsum(measured) / len(measured),
        median=percentile(measured, 0.5),
        p90=percentile(measured, 0.9),
        judged=judged,
        met=met,
        missing=missing,
        negative=negative,
    )


def month_of(zone: str) -> Callable[[datetime], date]:
    """The first day of the month ``at`` falls in, in the time zone."""
    tz = ZoneInfo(zone)

    def first_day(at: datetime) -> date:
        local = at.astimezone(tz)
        return date(local.year, local.month, 1)

    return first_day


def aggregate(
    cases: Iterable[ReportCaseFacts], month: Callable[[datetime], date]
) -> dict[MetricKey, Groups]:
    """Every metric's figures over the cases: in total, by month, by attributed facility."""
    total: dict[MetricKey, list[Fact]] = {}
    months: dict[MetricKey, dict[date, list[Fact]]] = {}
    places: dict[MetricKey, dict[str | None, list[Fact]]] = {}
    for case in cases:
        when = month(case.ref_at)
        for fact in case.facts:
            key = (case.pathway, fact.name)
            total.setdefault(key, []).append(fact)
            months.setdefault(key, {}).setdefault(when, []).append(fact)
            places.setdefault(key, {}).setdefault(fact.facility_id, []).append(fact)
    return {
        key: Groups(
            total=figures(facts),
            by_month={m: figures(f) for m, f in sorted(months[key].items())},
            by_facility={p: figures(f) for p, f in places[key].items()},
        )
        for key, facts in total.items()
    }


def quality_counts(cases: Iterable[ReportCaseFacts]) -> dict[str, int]:
    """Data-quality findings counted over the cases, and how many cases have any."""
    counts = dict.fromkeys((*QUALITY_KINDS, "cases_with_findings"), 0)
    for case in cases:
        values = (case.missing, case.out_of_order, case.clock_skew, case.corrections)
        for kind, value in zip(QUALITY_KINDS, values, strict=True):
            counts[kind] += value
        counts["cases_with_findings"] += any(values)
    return counts

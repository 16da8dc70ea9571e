"""The time-audit report over 1,000,000 synthetic cases (``INFOFIRST_BENCH_REPORTS_CASES``: any
other count, e.g. 10,000,000): SQL on the read model against a Python baseline that loads the
cases' stamps and computes with the pure modules (issue 7).

Synthetic data (合成数据, benchmark only): bench/reports_synthetic.py generates the cases
(time-shifted copies of a few thousand random template cases) into their own database.

Ours: ``dispatch.reports.service.build_report`` for the whole year plus the JSON document
(figures only, no case rows), median of several runs after one untimed warm-up. Baseline: load
every case of the period and its stamps (one streamed query), compute each case's facts with
``dispatch.reports.facts`` and aggregate with ``dispatch.reports.metrics`` (the combined rows,
e.g. FMC -> first ECG over all chest pain, over ``combined.combine``). Both must give the
same figures. A full run measures the baseline on one month and extrapolates it to the year by
the case count (it takes ~0.4 ms a case: a whole year would take minutes); the quick run
measures it on the whole (small) year. Goal: under 5 s, and at least 10 times the baseline.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.common import bench_database_url, median, write_results
from bench.reports_states import three_states
from bench.reports_synthetic import SEED, T0, TZ, ZONE, dsn, prepare
from dispatch.cases.pathways import load_pathways
from dispatch.reports import readmodel, service
from dispatch.reports.combined import COMBINED, combine
from dispatch.reports.document import report_json
from dispatch.reports.facts import ReportCaseFacts, report_case_facts
from dispatch.reports.metrics import Figures, Groups, aggregate, month_of, quality_counts
from dispatch.reports.queries import Scope
from dispatch.reports.rates import load_rates

NAME = "reports"
YEAR = (T0, datetime(2026, 1, 1, tzinfo=TZ))
MONTH = (datetime(2025, 6, 1, tzinfo=TZ), datetime(2025, 7, 1, tzinfo=TZ))
GOAL_S, GOAL_RATIO = 5.0, 10.0
ACK_S = 60.0


@dataclass(frozen=True)
class Plan:
    cases: int
    templates: int
    runs: int
    baseline_period: tuple[datetime, datetime]


# The full run's case count: $INFOFIRST_BENCH_REPORTS_CASES, else a million (issue 17's next
# mark is 10,000,000). The templates grow with it (one per 250 cases, at least 4,000), so each
# template is copied about as often at any size and the distinct measured values (what the
# rollup's size follows) grow with the cases as real ones would, not stay those of 1 M.
CASES_ENV = "INFOFIRST_BENCH_REPORTS_CASES"
DEFAULT_CASES = 1_000_000
QUICK = Plan(5_000, 300, 2, YEAR)


def full_plan() -> Plan:
    """The full run's plan, at the case count the environment asks for."""
    cases = int(os.environ.get(CASES_ENV, DEFAULT_CASES))
    if cases < 1:
        raise ValueError(f"{CASES_ENV}={cases}: at least one case")
    return Plan(cases, max(4_000, cases // 250), 5, MONTH)


def reports_url(quick: bool, cases: int = DEFAULT_CASES) -> str:
    """The benchmark's own database: the bench database's name with ``_reports`` (``_quick``;
    ``_reports_<cases>`` for another size than the default's)."""
    url = make_url(bench_database_url())
    size = "_quick" if quick else "" if cases == DEFAULT_CASES else f"_{cases}"
    return url.set(database=f"{url.database}_reports{size}").render_as_string(hide_password=False)


def results_name(quick: bool, cases: int) -> str:
    """reports.json (the default size), reports-quick.json, reports-<cases>.json."""
    if quick:
        return f"{NAME}-quick"
    return NAME if cases == DEFAULT_CASES else f"{NAME}-{cases}"


async def database_bytes(url: str) -> int:
    """The benchmark database's size on disk."""
    conn = await asyncpg.connect(dsn(url))
    try:
        return int(await conn.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await conn.close()


async def ours(url: str, period: tuple[datetime, datetime], runs: int) -> tuple[list[float], Any]:
    """The report's figures as JSON, timed (one untimed warm-up first)."""
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine)
    times: list[float] = []
    report = None
    try:
        for run in range(runs + 1):
            async with sessions() as db, db.begin():
                started = time.perf_counter()
                report = await service.build_report(
                    db, Scope(*period, ZONE), ACK_S, datetime.now(UTC), cases="none"
                )
                json.dumps(report_json(report), ensure_ascii=False)
                if run:
                    times.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return times, report


async def baseline(
    url: str, period: tuple[datetime, datetime]
) -> tuple[float, dict[Any, Groups], dict[str, int], int]:
    """Load the period's cases and stamps, compute every case in Python, aggregate; timed."""
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn(url))
    pathways, rates = load_pathways(), load_rates()
    kept: list[ReportCaseFacts] = []
    try:
        caps = {
            r["id"]: frozenset(r["capabilities"])
            for r in await conn.fetch("SELECT id, capabilities FROM facilities")
        }
        margin = timedelta(days=1)  # a case is opened around its first contact
        async with conn.transaction():
            rows = conn.cursor(
                "SELECT c.id AS case_id, c.pathway, c.drill, c.created_at, c.created_facility_id,"
                " e.id, e.milestone, e.at, e.facility_id, e.flags, e.supersedes"
                " FROM cases c JOIN case_events e ON e.case_id = c.id"
                " WHERE c.created_at >= $1 AND c.created_at < $2 ORDER BY c.id",
                period[0] - margin, period[1] + margin, prefetch=20_000,
            )  # fmt: skip
            current: list[Any] = []

            def finish() -> None:
                head = current[0]
                case = _CaseRow(head.case_id, head.pathway, head.drill, head.created_at,
                                head.created_facility_id)  # fmt: skip
                facts = report_case_facts(
                    readmodel.case_input(case, current), pathways[case.pathway], rates, caps
                )
                if not facts.drill and period[0] <= facts.ref_at < period[1]:
                    kept.append(facts)

            async for row in rows:
                if current and current[0].case_id != row["case_id"]:
                    finish()
                    current = []
                current.append(_Event(*row.values()))
            if current:
                finish()
    finally:
        await conn.close()
    groups = aggregate(kept, month_of(ZONE))
    for combined in COMBINED:  # the combined rows over the union of their pathways' cases
        groups.update(aggregate(combine(kept, combined), month_of(ZONE)))
    quality = quality_counts(kept)
    return time.perf_counter() - started, groups, quality, len(kept)


class _Event(NamedTuple):
    """One row of the baseline's query: the case's columns and one of its stamps."""

    case_id: int
    pathway: str
    drill: bool
    created_at: datetime
    created_facility_id: str | None
    id: int
    milestone: str
    at: datetime
    facility_id: str | None
    flags: list[str]
    supersedes: int | None


@dataclass(frozen=True)
class _CaseRow:
    id: int
    pathway: str
    drill: bool
    created_at: datetime
    created_facility_id: str | None


def differences(report: Any, groups: dict[Any, Groups], quality: dict[str, int]) -> list[str]:
    """Where the SQL report and the Python baseline disagree (empty: nowhere)."""
    found: list[str] = []
    mine = {
        item.metric.key: item.groups
        for item in report.metrics
        if item.metric.name != "alerts_acknowledged_in_time"
    }

    def same(a: Figures, b: Figures) -> bool:
        counts = all(
            getattr(a, k) == getattr(b, k) for k in ("n", "judged", "met", "missing", "negative")
        )
        return counts and all(
            (x is None and y is None)
            or (x is not None and y is not None and abs(x - y) <= 1e-6 * max(1.0, abs(y)))
            for x, y in ((a.mean, b.mean), (a.median, b.median), (a.p90, b.p90))
        )

    if set(mine) != set(groups):
        found.append(f"metrics differ: {sorted(set(mine) ^ set(groups))}")
    for key in set(mine) & set(groups):
        ours_g, base_g = mine[key], groups[key]
        if not same(ours_g.total, base_g.total):
            found.append(f"{key} total")
        for label, a, b in (
            ("month", ours_g.by_month, base_g.by_month),
            ("facility", ours_g.by_facility, base_g.by_facility),
        ):
            if set(a) != set(b) or any(not same(a[k], b[k]) for k in a):
                found.append(f"{key} by {label}")
    expected = {k: v for k, v in report.quality.items() if k != "cases"}
    if expected != quality:
        found.append(f"quality {expected} != {quality}")
    return found


async def write_cost(url: str, samples: int = 50) -> float:
    """Milliseconds to rewrite one case's read-model rows (what each stamp pays), rolled back."""
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine)() as db, db.begin():
            started = time.perf_counter()
            for case_id in range(1, samples + 1):
                await readmodel.refresh_case(db, case_id)
            elapsed = time.perf_counter() - started
            await db.rollback()
    finally:
        await engine.dispose()
    return elapsed / samples * 1000


def main(quick: bool = False) -> dict[str, Any]:
    """Run the benchmark, write bench/results/reports.json (quick: reports-quick.json)."""
    plan = QUICK if quick else full_plan()
    url = reports_url(quick, plan.cases)
    data_info = prepare(url, plan.cases, plan.templates)

    async def measure() -> dict[str, Any]:
        year_s, year_report = await ours(url, YEAR, plan.runs)
        part_s, part_report = await ours(url, plan.baseline_period, max(1, plan.runs // 2 + 1))
        base_s, groups, quality, kept = await baseline(url, plan.baseline_period)
        cost = await write_cost(url)

        async def year() -> list[float]:
            return (await ours(url, YEAR, plan.runs))[0]

        data_info["database_bytes"] = await database_bytes(url)  # before the states' stash
        states = await three_states(url, plan.cases, year)
        return {"states": states,
            "year_s": year_s, "year": year_report, "part_s": part_s, "part": part_report,
            "base_s": base_s, "groups": groups, "quality": quality, "kept": kept, "cost": cost,
        }  # fmt: skip

    m = asyncio.run(measure())
    year_cases = m["year"].case_count
    part_cases = m["part"].case_count
    extrapolated = m["base_s"] * year_cases / max(1, part_cases)
    mismatches = differences(m["part"], m["groups"], m["quality"])
    ours_s = median(m["year_s"])
    figures = {
        "ours_median_s": round(ours_s, 3),
        "ours_runs_s": [round(t, 3) for t in m["year_s"]],
        "ours_same_period_as_baseline_median_s": round(median(m["part_s"]), 3),
        "baseline_measured_s": round(m["base_s"], 2),
        "baseline_measured_cases": m["kept"],
        "baseline_year_s": round(extrapolated, 1),
        "baseline_year_extrapolated": plan.baseline_period != YEAR,
        "ratio_year": round(extrapolated / ours_s, 1),
        "ratio_same_period_measured": round(m["base_s"] / median(m["part_s"]), 1),
        "read_model_refresh_ms_per_stamp": round(m["cost"], 2),
        "year_in_three_states": m["states"],
    }
    data: dict[str, Any] = {
        "quick": quick,
        "question": "time-audit report (all metrics: whole year, by month, by facility) as JSON",
        "data": {
            "synthetic": True,
            "source": "synthetic template cases (合成数据) over the demo county's facilities",
            "cases": year_cases,
            "templates": plan.templates,
            "seed": SEED,
            **data_info,
        },
        "method": {
            "states": "the year report (same as ours) fresh: report_cases/report_facts reloaded"
            " in one statement each (fresh_method reload) or their visibility maps dropped"
            " (forget), the rollups' maps dropped, autovacuum off on them, no VACUUM; vacuumed:"
            " after VACUUM (ANALYZE) of the five, their autovacuum setting reset (the server's"
            " own: server_autovacuum); stamps: once another process has begun to run"
            " readmodel.refresh_case on a random case ~10 times a second, and while it runs;"
            f" median of {plan.runs} runs each after a warm-up",
            "ours": "service.build_report (SQL aggregation over report_facts/report_cases:"
            " histogram + exact ranks for median and p90) + report_json + json.dumps;"
            f" median of {plan.runs} runs after one warm-up",
            "baseline": "stream the period's cases and stamps (one query, asyncpg cursor),"
            " dispatch.reports.facts.report_case_facts per case, metrics.aggregate, quality_counts",
            "baseline_period": [t.isoformat() for t in plan.baseline_period],
            "extrapolation": "baseline_year_s = measured seconds × year cases / measured cases"
            if plan.baseline_period != YEAR
            else "none: measured on the whole year",
            "agreement": "the SQL report and the baseline on the same period: every metric,"
            " total, by month, by facility, and the data-quality counts",
        },
        "figures": figures,
        "answers": {"compared_period_cases": part_cases, "mismatches": mismatches},
        "goals": {
            "under_s": GOAL_S,
            "met": ours_s < GOAL_S,
            "met_in_three_states": all(
                m["states"][f"{k}_median_s"] < GOAL_S for k in ("fresh", "vacuumed", "stamps")
            ),
            "ratio_at_least": GOAL_RATIO,
            "ratio_met": figures["ratio_year"] >= GOAL_RATIO,
            "identical_answers": not mismatches,
        },
    }
    path = write_results(results_name(quick, plan.cases), data)
    data["results_file"] = str(path)
    how = " (extrapolated from one month)" if plan.baseline_period != YEAR else ""
    print(
        f"reports: {year_cases:,} synthetic cases ({data_info['database_bytes'] / 1e9:.1f} GB,"
        f" generated in {data_info.get('generate_s', '?')} s); ours {ours_s:.2f} s (median),"
        " baseline"
        f" {extrapolated:.1f} s{how};"
        f" ratio {figures['ratio_year']:.0f}x; {len(mismatches)} differences; year report"
        " fresh / vacuumed / under {stamps_per_s_achieved}/s stamps: {fresh_median_s} s /"
        " {vacuumed_median_s} s / {stamps_median_s} s".format(**m["states"])
    )
    if mismatches:
        raise RuntimeError(f"the SQL report and the Python baseline differ: see {path}")
    return data

"""The report's SQL: aggregation runs in PostgreSQL over the read model, never per case in Python.

Median and p90 are exact (``percentile_cont``'s linear interpolation) but found without sorting
every value: one pass counts the measured minutes per quarter-minute bin for each group (whole
period, month, facility); the ranks each percentile needs are located in those histograms;
a second pass reads only the values inside the located bins (one range of the index
ix_report_facts_rank per bin), counts the distinct ones and finds each rank among them. Python
then interpolates between the two closest ranks of each group (a loop over groups, not cases).

A combined metric (``combined.py``: FMC -> first ECG over all chest-pain pathways) costs no
second read of the facts: its members' histogram cells are added again under the combined key
(counts and sums add up), and the second pass reads a located bin of the combined key in each
member's index range. Its median and p90 are therefore the union's, exact like the others.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.reports.combined import Combined
from dispatch.reports.facts import READ_MODEL_TIME_ZONE
from dispatch.reports.rollup import BINS_PER_MINUTE as ROLLUP_BINS_PER_MINUTE
from dispatch.reports.rollup import CELLS_SQL as ROLLUP_CELLS_SQL
from dispatch.reports.rollup import (
    EVERY_FACILITY,
    QUALITY_SQL,
    fold_pending,
    rollup_filter,
    whole_months,
)

FRACTIONS = (0.5, 0.9)
# Histogram bins per minute: finer bins leave fewer values to rank in the second pass, coarser
# ones fewer histogram cells in the first; a quarter of a minute balances them at a million.
BINS_PER_MINUTE = 4
# Groups: GROUPING(month, facility) of the rolled-up histogram.
WHOLE, BY_MONTH, BY_FACILITY = 3, 1, 2
NO_MONTH, NO_FACILITY, UNATTRIBUTED = date(1, 1, 1), "*", ""


@dataclass(frozen=True)
class Scope:
    """What the report covers: [start, end), one pathway or all, one facility or all."""

    start: datetime
    end: datetime
    time_zone: str
    drill: bool = False
    pathway: str | None = None
    facility_id: str | None = None


@dataclass(frozen=True)
class GroupRow:
    group: int
    pathway: str
    name: str
    month: date | None
    facility_id: str | None
    measured: int
    total: float
    judged: int
    met: int
    missing: int
    negative: int
    ranked: dict[int, float]


def facts_filter(scope: Scope, alias: str = "f") -> tuple[str, dict[str, Any]]:
    """The WHERE clause over report_facts for the scope (fixed fragments, bound values)."""
    clauses = [f"{alias}.ref_at >= :start", f"{alias}.ref_at < :end", f"{alias}.drill = :drill"]
    params: dict[str, Any] = {"start": scope.start, "end": scope.end, "drill": scope.drill}
    if scope.pathway is not None:
        clauses.append(f"{alias}.pathway = :pathway")
        params["pathway"] = scope.pathway
    if scope.facility_id is not None:
        clauses.append(f"{alias}.facility_id = :facility")
        params["facility"] = scope.facility_id
    return " AND ".join(clauses), params


def _cases_filter(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The WHERE clause over report_cases c: a facility's cases are those with a fact there."""
    clauses = ["c.ref_at >= :start", "c.ref_at < :end", "c.drill = :drill"]
    params: dict[str, Any] = {"start": scope.start, "end": scope.end, "drill": scope.drill}
    if scope.pathway is not None:
        clauses.append("c.pathway = :pathway")
        params["pathway"] = scope.pathway
    if scope.facility_id is not None:
        clauses.append(
            "(c.facility_id = :facility OR EXISTS (SELECT 1 FROM report_facts x"
            " WHERE x.case_id = c.case_id AND x.facility_id = :facility))"
        )
        params["facility"] = scope.facility_id
    return " AND ".join(clauses), params


def _month(column: str, stored: str | None, scope: Scope) -> str:
    """The local month: the stored column when the read model's zone is the one asked for."""
    if stored is not None and scope.time_zone == READ_MODEL_TIME_ZONE:
        return stored
    return f"date_trunc('month', {column} AT TIME ZONE :tz)::date"


FACTS_CELLS_SQL = """
  SELECT f.pathway, f.name, {month} AS month, coalesce(f.facility_id, '') AS facility,
         CASE WHEN f.minutes >= 0 THEN floor(f.minutes * {bins})::bigint
              WHEN f.minutes < 0 THEN -1 WHEN f.met IS NULL THEN -2 ELSE -3 END AS bin,
         count(*) AS rows, sum(f.minutes) AS total, count(f.met) AS judged,
         count(*) FILTER (WHERE f.met) AS met
  FROM report_facts f WHERE {where}
  GROUP BY 1, 2, 3, 4, 5
"""

FIGURES_SQL = """
WITH cells AS MATERIALIZED ({cells}),
hist AS MATERIALIZED (
  SELECT GROUPING(month, facility) AS g, pathway, name,
         coalesce(month, DATE '0001-01-01') AS month, coalesce(facility, '*') AS facility, bin,
         (CASE WHEN bin >= 0 THEN sum(rows) ELSE 0 END)::bigint AS n,
         CASE WHEN bin >= 0 THEN sum(total) ELSE 0 END AS total,
         sum(judged)::bigint AS judged, sum(met)::bigint AS met,
         (CASE WHEN bin = -2 THEN sum(rows) ELSE 0 END)::bigint AS missing,
         (CASE WHEN bin = -1 THEN sum(rows) ELSE 0 END)::bigint AS negative
  FROM (SELECT pathway, name, month, facility, bin, rows, total, judged, met FROM cells{combined}
       ) cells
  GROUP BY GROUPING SETS ((pathway, name, bin), (pathway, name, month, bin),
                          (pathway, name, facility, bin))
),
groups AS (
  SELECT g, pathway, name, month, facility, sum(n)::bigint AS n, sum(total) AS total,
         sum(judged)::bigint AS judged, sum(met)::bigint AS met,
         sum(missing)::bigint AS missing, sum(negative)::bigint AS negative
  FROM hist GROUP BY 1, 2, 3, 4, 5
),
cum AS (
  SELECT g, pathway, name, month, facility, bin, n,
         sum(n) OVER (PARTITION BY g, pathway, name, month, facility ORDER BY bin) - n AS before
  FROM hist WHERE bin >= 0 AND n > 0
),
wanted AS (
  SELECT DISTINCT gr.g, gr.pathway, gr.name, gr.month, gr.facility, r.rank
  FROM groups gr
  CROSS JOIN unnest(CAST(:fractions AS float8[])) AS q(p)
  CROSS JOIN LATERAL (VALUES (floor(q.p * (gr.n - 1))::bigint),
                             (ceil(q.p * (gr.n - 1))::bigint)) AS r(rank)
  WHERE gr.n > 0
),
located AS MATERIALIZED (
  SELECT w.g, w.pathway, w.name, w.month, w.facility, w.rank, c.bin, w.rank - c.before AS k
  FROM wanted w JOIN cum c USING (g, pathway, name, month, facility)
  WHERE w.rank >= c.before AND w.rank < c.before + c.n
),
counts AS MATERIALIZED (
  SELECT GROUPING(month, facility) AS g, pathway, name,
         coalesce(month, DATE '0001-01-01') AS month, coalesce(facility, '*') AS facility,
         bin, minutes, sum(w)::bigint AS c
  FROM (
    SELECT b.pathway, b.name, {month} AS month, coalesce(f.facility_id, '') AS facility,
           b.bin, f.minutes, {weight} AS w
    FROM (SELECT DISTINCT pathway, name, bin FROM located) b
    CROSS JOIN LATERAL (
      SELECT {columns} FROM {source} f
      WHERE {member} AND f.name = b.name
        AND f.minutes >= b.bin::float8 / {bins} AND f.minutes < (b.bin + 1)::float8 / {bins}
        AND {where}
      OFFSET 0  -- a fence: one index range scan per located bin, not a join over every row
    ) f
  ) candidates
  GROUP BY GROUPING SETS ((pathway, name, bin, minutes), (pathway, name, month, bin, minutes),
                          (pathway, name, facility, bin, minutes))
),
ranked AS (
  SELECT x.g, x.pathway, x.name, x.month, x.facility, x.bin, x.minutes, x.c,
         sum(x.c) OVER (PARTITION BY x.g, x.pathway, x.name, x.month, x.facility, x.bin
                        ORDER BY x.minutes) - x.c AS below
  FROM counts x
  JOIN (SELECT DISTINCT g, pathway, name, month, facility, bin FROM located) t
    USING (g, pathway, name, month, facility, bin)
),
found AS (
  SELECT l.g, l.pathway, l.name, l.month, l.facility,
         array_agg(l.rank ORDER BY l.rank) AS ranks, array_agg(r.minutes ORDER BY l.rank) AS vals
  FROM located l
  JOIN ranked r USING (g, pathway, name, month, facility, bin)
  WHERE l.k >= r.below AND l.k < r.below + r.c
  GROUP BY 1, 2, 3, 4, 5
)
SELECT gr.g, gr.pathway, gr.name, gr.month, gr.facility, gr.n, gr.total, gr.judged, gr.met,
       gr.missing, gr.negative, fo.ranks, fo.vals
FROM groups gr LEFT JOIN found fo USING (g, pathway, name, month, facility)
ORDER BY gr.pathway, gr.name, gr.g, gr.month, gr.facility
"""


async def tune(db: AsyncSession, work_mem: str = "256MB") -> None:
    """Room for the aggregation's hash tables (this transaction only); no JIT for a report."""
    await db.execute(text("SELECT set_config('work_mem', :m, true)"), {"m": work_mem})
    await db.execute(text("SELECT set_config('jit', 'off', true)"))


async def _switch(db: AsyncSession, settings: tuple[str, ...], value: str) -> None:
    """Planner switches for the rest of this transaction."""
    for name in settings:
        await db.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
        )


async def _covers_most(db: AsyncSession, where: str, params: dict[str, Any]) -> bool:
    """Whether the scope covers most of report_facts, by the planner's estimates."""
    plan = (
        await db.execute(
            text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM report_facts f WHERE {where}"),  # noqa: S608 - fixed fragments, bound values
            params,
        )
    ).scalar_one()
    estimate = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    total = (
        await db.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = 'report_facts'::regclass")
        )
    ).scalar_one()
    return bool(2 * estimate > total)


def _combined(combined: Sequence[Combined]) -> tuple[str, str, dict[str, Any]]:
    """FIGURES_SQL's fragments for the combined metrics (fixed text, bound values): the
    members' cells again under each combined key, and which pathways' facts hold a located
    bin (a combined key's: its members')."""
    if not combined:
        return "", "f.pathway = b.pathway", {}
    cells, cases, params = [], [], {}
    for i, c in enumerate(combined):
        cells.append(
            f"\n  UNION ALL SELECT CAST(:ck{i} AS text), name, month, facility, bin, rows,"  # noqa: S608 - fixed fragments, bound values
            f" total, judged, met FROM cells"
            f" WHERE name = :cn{i} AND pathway = ANY(CAST(:cm{i} AS text[]))"
        )
        cases.append(f"WHEN CAST(:ck{i} AS text) THEN CAST(:cm{i} AS text[])")
        params.update({f"ck{i}": c.key, f"cn{i}": c.name, f"cm{i}": list(c.members)})
    member = f"f.pathway = ANY(CASE b.pathway {' '.join(cases)} ELSE ARRAY[b.pathway] END)"
    return "".join(cells), member, params


async def figures(
    db: AsyncSession, scope: Scope, combined: Sequence[Combined] = (), exact: bool = False
) -> list[GroupRow]:
    """Every metric's counts, sums and percentile ranks: whole period, by month, by facility;
    and those of each ``combined`` metric, over its member pathways together. Read from the
    monthly rollup when the period is whole months (unless ``exact``: from the facts)."""
    cells, member, combined_params = _combined(combined)
    months = None if exact else whole_months(scope.start, scope.end, scope.time_zone)
    if months is not None:
        # Whole months: the rollup (dispatch/reports/rollup.py), whatever the case count.
        await fold_pending(db)
        where, params = rollup_filter(months, scope.drill, scope.pathway, scope.facility_id)
        source = {"source": "report_rollup", "weight": "f.rows", "month": "f.month"}
        source["columns"] = "f.minutes, f.month, f.facility_id, f.rows"
        bins = ROLLUP_BINS_PER_MINUTE
        first = ROLLUP_CELLS_SQL.format(bins=bins, where=where)
        where += " AND f.rows > 0"
    else:
        where, params = facts_filter(scope)
        month = _month("f.ref_at", "f.month", scope)
        source = {"source": "report_facts", "weight": "1", "month": month}
        source["columns"] = "f.minutes, f.month, f.ref_at, f.facility_id"
        bins = BINS_PER_MINUTE
        first = FACTS_CELLS_SQL.format(where=where, month=month, bins=bins)
    sql = FIGURES_SQL.format(
        cells=first, where=where, bins=bins, combined=cells, member=member, **source
    )
    # The CTEs' row counts are unknown to the planner, which then loops over them (minutes
    # instead of milliseconds): every join here is an equality join, so hash joins it is.
    # A scope covering most of the facts (a year, say) reads the covering index
    # ix_report_facts_rank instead of the table in both passes: in its (metric, minutes) order
    # the first pass's rows come cell after cell, so its hash tables stay in the CPU cache (a
    # quarter faster than the parallel scan of the table the planner would pick). A narrower
    # scope (a month) is faster read through the ref_at index, as the planner finds.
    switches: tuple[str, ...] = ("enable_nestloop",)
    if months is None and await _covers_most(db, where, params):
        switches += ("enable_seqscan", "enable_bitmapscan")
    await _switch(db, switches, "off")
    rows = await db.execute(
        text(sql),
        {**params, **combined_params, "tz": scope.time_zone, "fractions": list(FRACTIONS)},
    )
    await _switch(db, switches, "on")
    found = []
    for row in rows:
        ranks = row.ranks or []
        found.append(
            GroupRow(
                group=row.g,
                pathway=row.pathway,
                name=row.name,
                month=None if row.g != BY_MONTH else row.month,
                facility_id=None
                if row.g != BY_FACILITY or row.facility == UNATTRIBUTED
                else row.facility,
                measured=row.n,
                total=float(row.total or 0.0),
                judged=row.judged,
                met=row.met,
                missing=row.missing,
                negative=row.negative,
                ranked=dict(zip((int(r) for r in ranks), row.vals or [], strict=True)),
            )
        )
    return found


ACK_SQL = """
SELECT GROUPING({month}, a.to_facility_id) AS g, a.pathway, {month} AS month,
       a.to_facility_id AS facility, count(*) AS judged,
       count(*) FILTER (WHERE a.answered_at IS NOT NULL
                        AND a.answered_at - a.created_at <= make_interval(secs => :ack)) AS met
FROM alerts a
WHERE {where}
GROUP BY GROUPING SETS ((a.pathway), (a.pathway, {month}), (a.pathway, a.to_facility_id))
"""


async def acknowledgements(db: AsyncSession, scope: Scope, ack_seconds: float) -> list[Any]:
    """Alerts answered within the acknowledgement target: whole period, by month, by facility."""
    clauses = ["a.created_at >= :start", "a.created_at < :end", "a.drill = :drill"]
    clauses.append("a.status <> 'cancelled'")
    params: dict[str, Any] = {"start": scope.start, "end": scope.end, "drill": scope.drill}
    if scope.pathway is not None:
        clauses.append("a.pathway = :pathway")
        params["pathway"] = scope.pathway
    if scope.facility_id is not None:
        clauses.append("a.to_facility_id = :facility")
        params["facility"] = scope.facility_id
    sql = ACK_SQL.format(month=_month("a.created_at", None, scope), where=" AND ".join(clauses))
    rows = await db.execute(text(sql), {**params, "tz": scope.time_zone, "ack": ack_seconds})
    return list(rows)


# A missed fact's delay reason ``d`` (code, note): the one given for its visit, else the one
# given for the metric without a visit (as the case's own view reads them).
REASON_OF_FACT = (
    "LEFT JOIN LATERAL (SELECT r.code, r.note FROM delay_reasons r WHERE r.case_id = f.case_id"
    " AND r.metric = f.name AND r.facility_key IN ('', coalesce(f.facility_id, ''))"
    " AND f.met IS FALSE ORDER BY r.facility_key DESC LIMIT 1) d ON true"
)


async def quality(db: AsyncSession, scope: Scope, exact: bool = False) -> dict[str, int]:
    """The cases in scope and their data-quality findings, counted: from the quality rollup
    when the period is whole months (unless ``exact``), else over report_cases."""
    months = None if exact else whole_months(scope.start, scope.end, scope.time_zone)
    if months is not None:
        # a case counts under each facility it names (report_cases.facilities), as below
        await fold_pending(db)
        where, params = rollup_filter(months, scope.drill, scope.pathway, None)
        where += " AND f.facility_id = :facility"
        params["facility"] = scope.facility_id or EVERY_FACILITY
        row = (await db.execute(text(QUALITY_SQL.format(where=where)), params)).one()
        return {key: int(value) for key, value in row._mapping.items()}
    where, params = _cases_filter(scope)
    row = (
        await db.execute(
            text(
                "SELECT count(*) AS cases, coalesce(sum(c.missing), 0) AS missing,"  # noqa: S608 - fixed fragments, bound values
                " coalesce(sum(c.out_of_order), 0) AS out_of_order,"
                " coalesce(sum(c.clock_skew), 0) AS clock_skew,"
                " coalesce(sum(c.corrections), 0) AS corrections,"
                " count(*) FILTER (WHERE c.missing + c.out_of_order + c.clock_skew"
                " + c.corrections > 0) AS cases_with_findings"
                f" FROM report_cases c WHERE {where}"
            ),
            params,
        )
    ).one()
    return {key: int(value) for key, value in row._mapping.items()}


async def worst(
    db: AsyncSession, scope: Scope, metrics: list[tuple[str, str]], limit: int
) -> list[Any]:
    """The cases furthest outside target, per metric (the partial index walks from the top)."""
    if not metrics:
        return []
    where, params = facts_filter(scope)
    sql = (
        "SELECT k.pathway, k.name, w.case_id, w.leg, w.minutes, w.target_minutes,"  # noqa: S608 - fixed fragments
        " w.facility_id, w.ref_at, w.start_at, w.end_at"
        " FROM unnest(CAST(:pathways AS text[]), CAST(:names AS text[])) AS k(pathway, name)"
        " CROSS JOIN LATERAL (SELECT f.case_id, f.leg, f.minutes, f.target_minutes,"
        " f.facility_id, f.ref_at, f.start_at, f.end_at FROM report_facts f"
        f" WHERE f.pathway = k.pathway AND f.name = k.name AND f.met IS FALSE AND {where}"
        " ORDER BY f.minutes DESC, f.case_id LIMIT :limit) w"
    )
    params.update(pathways=[p for p, _ in metrics], names=[n for _, n in metrics], limit=limit)
    return list(await db.execute(text(sql), params))


async def case_rows(db: AsyncSession, scope: Scope, outside_only: bool) -> list[Any]:
    """One row per case × fact (the caller folds them into one row per case), in time order;
    a missed fact with its delay reason (``delay_code``, ``delay_note``; null if none yet)."""
    where, params = _cases_filter(scope)
    facility = " AND f.facility_id = :facility" if scope.facility_id is not None else ""
    if outside_only:
        where += (
            " AND EXISTS (SELECT 1 FROM report_facts o WHERE o.case_id = c.case_id"  # noqa: S608 - fixed
            f" AND o.met IS FALSE{facility.replace('f.', 'o.')})"
        )
    sql = (
        "SELECT c.case_id, c.pathway, c.facility_id AS case_facility, c.ref_at, c.findings,"  # noqa: S608
        " f.name, f.leg, f.facility_id, f.minutes, f.target_minutes, f.met,"
        " d.code AS delay_code, d.note AS delay_note"
        f" FROM report_cases c LEFT JOIN report_facts f ON f.case_id = c.case_id{facility}"
        f" {REASON_OF_FACT}"
        f" WHERE {where} ORDER BY c.ref_at, c.case_id, f.name, f.leg"
    )
    return list(await db.execute(text(sql), params))


async def findings(db: AsyncSession, scope: Scope) -> list[Any]:
    """The cases with data-quality findings, and the findings."""
    where, params = _cases_filter(scope)
    sql = (
        "SELECT c.case_id, c.pathway, c.facility_id, c.ref_at, c.missing, c.out_of_order,"  # noqa: S608
        " c.clock_skew, c.corrections, c.findings FROM report_cases c"
        f" WHERE {where} AND c.missing + c.out_of_order + c.clock_skew + c.corrections > 0"
        " ORDER BY c.ref_at, c.case_id"
    )
    return list(await db.execute(text(sql), params))

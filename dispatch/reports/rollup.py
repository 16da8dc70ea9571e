"""The monthly rollup (issue 17): report_facts counted by (drill, pathway, metric, month,
facility, minutes) in report_rollup, kept by the triggers of migration 0031 in the transaction
of the statement that writes the facts (a stamp's ``readmodel.refresh_case``, a rebuild, a
case removed).

A report whose period is whole months of the read model's time zone reads the rollup instead
of report_facts (``queries.figures``): the same histogram and the same exact ranks, since the
rollup keeps every distinct measured value with its count, so median and p90 are those of the
facts, not an approximation. Its size is bounded by the distinct values (minutes to the
second at most) per metric, month and facility, not by the case count: a year with ten times
the cases reads about as many rollup rows. Any other period (days, another time zone) reads
the facts themselves as before.

Migration 0034 took the last whole-month reads that grew with the cases off them: the
histogram pass reads report_rollup_bins (report_rollup by whole-minute bin: the distinct
values, to the second, grow with the cases until every second of the range is taken; the bins
do not), the second pass reads only the located bins' rows of report_rollup; and the
data-quality counts (cases, missing stamps, disorder, skew, corrections) are rolled up from
report_cases into report_quality (drill, pathway, month, facility): a sum over a few hundred
rows.

Migration 0036 moved the upkeep to the commit: the writing statements' triggers only note
their signed rows (report_facts_pending, report_cases_pending) and a deferred constraint
trigger folds them into the three rollups as the transaction commits, so a rollup row is
locked from the fold to the commit only (a stamp used to hold the rollups' one lock from its
read-model refresh to its commit, across the rest of its request). A transaction reads its own
writes in a rollup only after ``fold_pending``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.reports.facts import READ_MODEL_TIME_ZONE, local_month

# The histogram's bins per minute when read from the rollup: its second pass reads rollup rows
# (a value and its count), not facts, so whole-minute bins cost it little and leave the first
# pass a quarter of the cells of queries.BINS_PER_MINUTE's quarter minutes. The bins of
# report_rollup_bins (migration 0034) are these: floor(minutes), -1 negative, NULL none.
BINS_PER_MINUTE = 1

# The rollup's cells, as FIGURES_SQL's first pass reads them from the facts, read from its
# whole-minute bins (report_rollup_bins, migration 0034: one row per minute of the range at
# most, however many distinct values the minute holds): a row without minutes stands for both
# its unjudged facts (bin -2: missing) and its judged ones (bin -3).
CELLS_SQL = """
  SELECT f.pathway, f.name, f.month, f.facility_id AS facility, coalesce(f.bin, s.bin) AS bin,
         sum({rows})::bigint AS rows, sum(f.total) AS total,
         sum(CASE WHEN s.bin = -2 THEN 0 ELSE f.judged END)::bigint AS judged,
         sum(CASE WHEN s.bin = -2 THEN 0 ELSE f.met END)::bigint AS met
  FROM report_rollup_bins f JOIN (VALUES (-2), (-3)) AS s (bin) ON f.bin IS NULL OR s.bin = -3
  WHERE {where}
  GROUP BY 1, 2, 3, 4, 5 HAVING sum({rows}) > 0
""".replace(
    "{rows}",
    "CASE WHEN f.bin IS NOT NULL THEN f.rows WHEN s.bin = -2 THEN f.rows - f.judged"
    " ELSE f.judged END",
)

# The quality rollup (migration 0034): report_cases counted by (drill, pathway, month,
# facility), each case under '*' (every facility) and under each facility it names.
EVERY_FACILITY = "*"
QUALITY_SQL = (
    "SELECT coalesce(sum(f.cases), 0) AS cases, coalesce(sum(f.missing), 0) AS missing,"
    " coalesce(sum(f.out_of_order), 0) AS out_of_order,"
    " coalesce(sum(f.clock_skew), 0) AS clock_skew,"
    " coalesce(sum(f.corrections), 0) AS corrections,"
    " coalesce(sum(f.with_findings), 0) AS cases_with_findings"
    " FROM report_quality f WHERE {where}"
)

# The rollups recomputed from the read model (a bulk load that bypassed the triggers), under
# the lock every fold shares (migration 0036), this transaction's notes dropped.
REBUILD_SQL = (
    "SELECT pg_advisory_xact_lock(1701170117);"
    " DELETE FROM report_facts_pending; DELETE FROM report_cases_pending;"
    " DELETE FROM report_rollup;"
    " INSERT INTO report_rollup (drill, pathway, name, month, facility_id, minutes, rows,"
    " judged, met) SELECT drill, pathway, name, month, coalesce(facility_id, ''), minutes,"
    " count(*), count(met), count(*) FILTER (WHERE met) FROM report_facts"
    " GROUP BY 1, 2, 3, 4, 5, 6;"
    " ANALYZE report_rollup;"
    " DELETE FROM report_quality;"
    " INSERT INTO report_quality (drill, pathway, month, facility_id, cases, missing,"
    " out_of_order, clock_skew, corrections, with_findings)"
    " SELECT c.drill, c.pathway, c.month, k.facility_id, count(*), sum(c.missing),"
    " sum(c.out_of_order), sum(c.clock_skew), sum(c.corrections), count(*) FILTER"
    " (WHERE c.missing + c.out_of_order + c.clock_skew + c.corrections > 0)"
    " FROM report_cases c CROSS JOIN LATERAL"
    " unnest(ARRAY['*']::varchar(64)[] || c.facilities) AS k (facility_id)"
    " GROUP BY 1, 2, 3, 4;"
    " ANALYZE report_quality;"
    " DELETE FROM report_rollup_bins;"
    " INSERT INTO report_rollup_bins (drill, pathway, name, month, facility_id, bin, rows,"
    " total, judged, met) SELECT drill, pathway, name, month, facility_id, bin, sum(rows),"
    " sum(coalesce(minutes, 0) * rows), sum(judged), sum(met) FROM report_rollup"
    " CROSS JOIN LATERAL (SELECT CASE WHEN minutes >= 0 THEN floor(minutes)::bigint"
    " WHEN minutes < 0 THEN -1 END) AS b (bin) GROUP BY 1, 2, 3, 4, 5, 6;"
    " ANALYZE report_rollup_bins"
)


# Runs the deferred fold of migration 0036 now (a no-op when nothing is noted, as on a
# standby), then defers it again for this transaction's later writes.
_FOLD_NOW = text("SET CONSTRAINTS report_rollup_fold IMMEDIATE")
_FOLD_LATER = text("SET CONSTRAINTS report_rollup_fold DEFERRED")


async def fold_pending(db: AsyncSession) -> None:
    """This transaction's own writes folded into the rollups, before it reads them (they
    are folded at commit otherwise)."""
    await db.execute(_FOLD_NOW)
    await db.execute(_FOLD_LATER)


def _month_start(at: datetime, zone: ZoneInfo) -> date | None:
    """The month ``at`` begins, if it is local midnight of a month's first day; else None."""
    local = at.astimezone(zone)
    if local.day != 1 or local.time() != time(0):
        return None
    return local_month(at)


def whole_months(start: datetime, end: datetime, time_zone: str) -> tuple[date, date] | None:
    """[first month, month after the last) when [start, end) is whole months of the read
    model's time zone (the rollup's months); None when it is not."""
    if time_zone != READ_MODEL_TIME_ZONE:
        return None
    zone = ZoneInfo(READ_MODEL_TIME_ZONE)
    first, after = _month_start(start, zone), _month_start(end, zone)
    if first is None or after is None or after <= first:
        return None
    return first, after


def rollup_filter(
    months: tuple[date, date], drill: bool, pathway: str | None, facility_id: str | None
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause over report_rollup f (or report_quality f) for the months and the
    scope's narrowing."""
    clauses = ["f.month >= :m0", "f.month < :m1", "f.drill = :drill"]
    params: dict[str, Any] = {"m0": months[0], "m1": months[1], "drill": drill}
    if pathway is not None:
        clauses.append("f.pathway = :pathway")
        params["pathway"] = pathway
    if facility_id is not None:
        clauses.append("f.facility_id = :facility")
        params["facility"] = facility_id
    return " AND ".join(clauses), params

"""The missed interval facts by delay reason, without reading every missed fact (issue 17).

The facts given a reason are few (a reason is typed by hand, per missed case): they are read
through the reasons, each fact's reason chosen as the case's own view chooses it
(``queries.REASON_OF_FACT``). Those still without one (code ``none``) are the missed facts'
count less those: read from the monthly rollup's bins when the period is whole months (judged
less met, of the facts with minutes), else counted in report_facts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.reports.queries import REASON_OF_FACT, Scope, facts_filter
from dispatch.reports.rollup import fold_pending, rollup_filter, whole_months

MISSED_FACTS = (
    "SELECT f.pathway, f.name, count(*) AS n FROM report_facts f"
    " WHERE {where} AND f.met IS FALSE AND f.minutes IS NOT NULL GROUP BY 1, 2"
)
# the whole-minute bins (migration 0034): fewer rows than the values, the same counts
MISSED_ROLLUP = (
    "SELECT f.pathway, f.name, sum(f.judged - f.met) AS n FROM report_rollup_bins f"
    " WHERE {where} AND f.bin IS NOT NULL GROUP BY 1, 2"
)
DELAYS_SQL = """
WITH missed AS MATERIALIZED ({missed}),
given AS MATERIALIZED (
  SELECT f.pathway, f.name, d.code, count(*) AS n
  FROM (SELECT DISTINCT case_id FROM delay_reasons) r
  JOIN report_facts f ON f.case_id = r.case_id
  {reason}
  WHERE {where} AND f.met IS FALSE AND f.minutes IS NOT NULL AND d.code IS NOT NULL
  GROUP BY 1, 2, 3
)
SELECT pathway, name, code, sum(n)::bigint AS n FROM (
  SELECT pathway, name, code, n FROM given
  UNION ALL
  SELECT m.pathway, m.name, 'none', m.n - coalesce(
    (SELECT sum(g.n) FROM given g WHERE g.pathway = m.pathway AND g.name = m.name), 0)
  FROM missed m
) counted
GROUP BY 1, 2, 3 HAVING sum(n) > 0
ORDER BY 1, 2, n DESC, 3
"""


async def delay_counts(db: AsyncSession, scope: Scope) -> list[Any]:
    """The scope's missed interval facts by delay reason (code ``none``: not given yet)."""
    where, params = facts_filter(scope)
    months = whole_months(scope.start, scope.end, scope.time_zone)
    if months is not None:
        await fold_pending(db)
        counted, more = rollup_filter(months, scope.drill, scope.pathway, scope.facility_id)
        missed = MISSED_ROLLUP.format(where=counted)
        params = {**params, **more}
    else:
        missed = MISSED_FACTS.format(where=where)
    sql = DELAYS_SQL.format(missed=missed, reason=REASON_OF_FACT, where=where)
    return list((await db.execute(text(sql), params)).all())
